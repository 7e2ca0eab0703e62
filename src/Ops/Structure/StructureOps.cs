using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>Lazy operations that combine arrays: concatenate and stack.</summary>
public static class StructureOps
{
    /// <summary>
    /// Joins arrays along an existing <paramref name="axis"/> (negative counts from the end). The result's chunks
    /// along the axis are the inputs' chunks one after another (an irregular grid); on the other dimensions inputs
    /// chunked differently from the first are rechunked to its chunks.
    /// </summary>
    /// <exception cref="ArgumentException">No arrays, or shapes that differ off the axis.</exception>
    public static ChunkedArray<T> Concatenate<T>(IReadOnlyList<ChunkedArray<T>> arrays, int axis = 0)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(arrays);
        if (arrays.Count == 0)
        {
            throw new ArgumentException("need at least one array to concatenate", nameof(arrays));
        }

        int rank = arrays[0].Rank;
        if (rank == 0)
        {
            throw new ArgumentException("zero-dimensional arrays cannot be concatenated", nameof(arrays));
        }

        int a = StructureExtensions.NormalizeAxis(axis, rank, nameof(axis));
        foreach (var x in arrays)
        {
            if (x.Rank != rank || Enumerable.Range(0, rank).Any(d => d != a && x.Shape[d] != arrays[0].Shape[d]))
            {
                throw new ArgumentException($"all arrays must have shape [{string.Join(", ", arrays[0].Shape.Select((s, d) => d == a ? "*" : s.ToString(System.Globalization.CultureInfo.InvariantCulture)))}] to concatenate along axis {a}; got [{string.Join(", ", x.Shape)}]", nameof(arrays));
            }
        }

        var inputs = arrays.Where(x => x.Shape[a] > 0).Select(x => Unify(x, arrays[0].Chunks, a)).ToArray();
        var sizes = new int[rank][];
        for (int d = 0; d < rank; d++)
        {
            sizes[d] = d == a ? inputs.SelectMany(x => x.Chunks.Sizes(a)).ToArray() : arrays[0].Chunks.Sizes(d).ToArray();
        }

        if (inputs.Length == 0)
        {
            return arrays[0];
        }

        if (inputs.Length == 1)
        {
            return inputs[0];
        }

        // Output chunk k along the axis is chunk local[k] of input owner[k].
        var owner = new List<int>();
        var local = new List<long>();
        for (int i = 0; i < inputs.Length; i++)
        {
            for (int c = 0; c < inputs[i].Chunks.Sizes(a).Count; c++)
            {
                owner.Add(i);
                local.Add(c);
            }
        }

        var node = new CopyChunkNode("concatenate", ChunkGrid.FromSizes(sizes), inputs.Select(x => x.Node).ToArray(), index =>
        {
            int k = (int)index[a];
            var inIndex = (long[])index.Clone();
            inIndex[a] = local[k];
            return new ChunkDependency(owner[k], inIndex);
        });
        return new ChunkedArray<T>(node);
    }

    /// <summary>
    /// Joins arrays of one shape along a new <paramref name="axis"/> (0..rank; negative counts from the end), which
    /// gets chunks of size 1. Inputs chunked differently from the first are rechunked to its chunks.
    /// </summary>
    /// <exception cref="ArgumentException">No arrays, or shapes that differ.</exception>
    public static ChunkedArray<T> Stack<T>(IReadOnlyList<ChunkedArray<T>> arrays, int axis = 0)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(arrays);
        if (arrays.Count == 0)
        {
            throw new ArgumentException("need at least one array to stack", nameof(arrays));
        }

        int rank = arrays[0].Rank;
        int a = StructureExtensions.NormalizeAxis(axis, rank + 1, nameof(axis));
        foreach (var x in arrays)
        {
            if (!x.Shape.SequenceEqual(arrays[0].Shape))
            {
                throw new ArgumentException($"all arrays must have shape [{string.Join(", ", arrays[0].Shape)}] to stack; got [{string.Join(", ", x.Shape)}]", nameof(arrays));
            }
        }

        var inputs = arrays.Select(x => Unify(x, arrays[0].Chunks, -1)).ToArray();
        var g = arrays[0].Chunks;
        var sizes = new List<int[]>();
        for (int d = 0; d < rank; d++)
        {
            sizes.Add(g.Sizes(d).ToArray());
        }

        sizes.Insert(a, Enumerable.Repeat(1, inputs.Length).ToArray());
        var node = new CopyChunkNode("stack", ChunkGrid.FromSizes(sizes), inputs.Select(x => x.Node).ToArray(), index =>
        {
            var inIndex = new long[rank];
            for (int d = 0, e = 0; d <= rank; d++)
            {
                if (d != a)
                {
                    inIndex[e++] = index[d];
                }
            }

            return new ChunkDependency((int)index[a], inIndex);
        });
        return new ChunkedArray<T>(node);
    }

    /// <summary>Rechunks <paramref name="x"/> to <paramref name="reference"/>'s chunks on every dimension but <paramref name="except"/>.</summary>
    private static ChunkedArray<T> Unify<T>(ChunkedArray<T> x, ChunkGrid reference, int except)
        where T : unmanaged
    {
        var sizes = new IReadOnlyList<int>[x.Rank];
        bool same = true;
        for (int d = 0; d < x.Rank; d++)
        {
            sizes[d] = d == except ? x.Chunks.Sizes(d) : reference.Sizes(d);
            same &= sizes[d].SequenceEqual(x.Chunks.Sizes(d));
        }

        return same ? x : x.Rechunk(ChunkGrid.FromSizes(sizes));
    }
}
