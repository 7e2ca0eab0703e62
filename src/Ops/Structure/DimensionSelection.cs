namespace ChunkCompute.Ops;

/// <summary>
/// A resolved selection along one input dimension: elements <c>Start + k·Step</c> for k in [0, Count), or, when
/// <see cref="IsIndex"/>, the single element <see cref="Start"/> with the dimension dropped.
/// </summary>
/// <param name="IsIndex">True for an integer index (the dimension is dropped).</param>
/// <param name="Start">The first element selected.</param>
/// <param name="Step">The distance between selected elements (non-zero; may be negative).</param>
/// <param name="Count">Elements selected.</param>
internal readonly record struct DimensionSelection(bool IsIndex, long Start, long Step, long Count)
{
    /// <summary>Resolves NumPy basic indexing of <paramref name="shape"/> by <paramref name="specs"/>.</summary>
    public static DimensionSelection[] Resolve(IReadOnlyList<long> shape, IReadOnlyList<SliceSpec> specs)
    {
        int ellipses = specs.Count(s => s.Kind == SliceSpecKind.Ellipsis);
        if (ellipses > 1)
        {
            throw new ArgumentException("an index can only have a single ellipsis ('...')", nameof(specs));
        }

        int explicitDims = specs.Count - ellipses;
        if (explicitDims > shape.Count)
        {
            throw new ArgumentException($"too many indices: the array has {shape.Count} dimensions but {explicitDims} were indexed", nameof(specs));
        }

        var expanded = new List<SliceSpec>(shape.Count);
        foreach (var s in specs)
        {
            if (s.Kind == SliceSpecKind.Ellipsis)
            {
                for (int i = 0; i < shape.Count - explicitDims; i++)
                {
                    expanded.Add(SliceSpec.All);
                }
            }
            else
            {
                expanded.Add(s);
            }
        }

        while (expanded.Count < shape.Count)
        {
            expanded.Add(SliceSpec.All);
        }

        var result = new DimensionSelection[shape.Count];
        for (int d = 0; d < shape.Count; d++)
        {
            result[d] = Resolve(shape[d], expanded[d], d);
        }

        return result;
    }

    private static DimensionSelection Resolve(long length, SliceSpec spec, int dim)
    {
        if (spec.Kind == SliceSpecKind.Index)
        {
            long i = spec.Start!.Value;
            long j = i < 0 ? i + length : i;
            if (j < 0 || j >= length)
            {
                throw new ArgumentOutOfRangeException(nameof(spec), $"index {i} is out of bounds for axis {dim} with size {length}");
            }

            return new(true, j, 1, 1);
        }

        long step = spec.Step ?? 1;
        if (step == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(spec), "slice step cannot be zero");
        }

        // CPython's PySlice_AdjustIndices, which NumPy follows.
        long start, stop;
        if (step > 0)
        {
            start = Clamp(spec.Start, 0, length, 0, length);
            stop = Clamp(spec.Stop, length, length, 0, length);
            long count = stop > start ? ((stop - start - 1) / step) + 1 : 0;
            return new(false, start, step, count);
        }
        else
        {
            start = Clamp(spec.Start, length - 1, length, -1, length - 1);
            stop = Clamp(spec.Stop, -1, length, -1, length - 1);
            long count = start > stop ? ((start - stop - 1) / -step) + 1 : 0;
            return new(false, start, step, count);
        }
    }

    private static long Clamp(long? value, long fallback, long length, long low, long high)
    {
        if (value is not long v)
        {
            return fallback;
        }

        if (v < 0)
        {
            v += length;
        }

        return Math.Clamp(v, low, high);
    }
}
