using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>Lazy structural operations: slicing, integer indexing, transpose, reshape.</summary>
public static class StructureExtensions
{
    /// <summary>
    /// NumPy basic slicing: per dimension a slice (negative indices count from the end, negative steps reverse,
    /// out-of-range bounds are clamped), an integer that drops the dimension, or one ellipsis. Missing trailing
    /// dimensions are whole. Each output chunk comes from one input chunk.
    /// </summary>
    /// <exception cref="ArgumentException">Too many indices, or more than one ellipsis.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An integer index is out of bounds.</exception>
    public static ChunkedArray<T> Slice<T>(this ChunkedArray<T> array, params SliceSpec[] index)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentNullException.ThrowIfNull(index);
        return new ChunkedArray<T>(SliceNode.Create(array.Node, DimensionSelection.Resolve(array.Shape, index)));
    }

    /// <summary>Slicing with NumPy's text form, e.g. <c>x.Slice("0:100, ::2, -1")</c> (see <see cref="SliceSpec.Parse"/>).</summary>
    /// <exception cref="FormatException">The text is not a basic index.</exception>
    public static ChunkedArray<T> Slice<T>(this ChunkedArray<T> array, string index)
        where T : unmanaged => array.Slice(SliceSpec.Parse(index));

    /// <summary>Element <paramref name="index"/> along <paramref name="axis"/> (negative counts from the end); the axis is dropped.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis or the index is out of range.</exception>
    public static ChunkedArray<T> Index<T>(this ChunkedArray<T> array, long index, int axis = 0)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        int a = NormalizeAxis(axis, array.Rank, nameof(axis));
        var specs = new SliceSpec[a + 1];
        for (int d = 0; d < a; d++)
        {
            specs[d] = SliceSpec.All;
        }

        specs[a] = SliceSpec.At(index);
        return array.Slice(specs);
    }

    /// <summary>
    /// Permutes the dimensions: output dimension j is input dimension <c>axes[j]</c> (negative counts from the end);
    /// no axes reverses them. Chunks are permuted along; each output chunk is one input chunk transposed.
    /// </summary>
    /// <exception cref="ArgumentException">The axes are not a permutation of the dimensions.</exception>
    public static ChunkedArray<T> Transpose<T>(this ChunkedArray<T> array, params int[] axes)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentNullException.ThrowIfNull(axes);
        int rank = array.Rank;
        var perm = axes.Length == 0 ? Enumerable.Range(0, rank).Reverse().ToArray() : axes.Select(a => NormalizeAxis(a, rank, nameof(axes))).ToArray();
        if (perm.Length != rank || perm.Distinct().Count() != rank)
        {
            throw new ArgumentException($"axes [{string.Join(", ", axes)}] are not a permutation of the {rank} dimensions", nameof(axes));
        }

        if (perm.Select((p, i) => p == i).All(b => b))
        {
            return array;
        }

        return new ChunkedArray<T>(new TransposeNode(array.Node, perm));
    }

    /// <summary>
    /// Gives the array a new shape with the same number of elements (one dimension may be -1, inferred), in C order.
    /// Chunk-compatible only, like Dask: dimensions are merged or split where chunk boundaries allow, each output
    /// chunk holding exactly one input chunk. Otherwise nothing is rechunked behind your back: the error names the
    /// dimensions and suggests a <c>Rechunk</c> that makes the reshape possible.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not match, or the chunking does not allow the reshape.</exception>
    public static ChunkedArray<T> Reshape<T>(this ChunkedArray<T> array, params long[] newShape)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentNullException.ThrowIfNull(newShape);
        var shape = ResolveShape(array.Shape, newShape);
        if (shape.SequenceEqual(array.Shape))
        {
            return array;
        }

        var plan = ReshapePlan.Create(array.Chunks, shape);
        var node = new CopyChunkNode("reshape", plan.Output, [array.Node], index => new ChunkDependency(0, plan.InputChunk(index)));
        return new ChunkedArray<T>(node);
    }

    internal static int NormalizeAxis(int axis, int rank, string name)
    {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
        {
            throw new ArgumentOutOfRangeException(name, $"axis {axis} is out of range for an array of {rank} dimensions");
        }

        return a;
    }

    private static long[] ResolveShape(IReadOnlyList<long> shape, long[] newShape)
    {
        long total = shape.Aggregate(1L, (a, b) => a * b);
        int unknown = Array.FindAll(newShape, s => s == -1).Length;
        if (unknown > 1 || newShape.Any(s => s < -1))
        {
            throw new ArgumentException($"new shape [{string.Join(", ", newShape)}] may have one -1 and otherwise non-negative sizes", nameof(newShape));
        }

        var result = (long[])newShape.Clone();
        long known = newShape.Where(s => s != -1).Aggregate(1L, (a, b) => a * b);
        if (unknown == 1)
        {
            if (known == 0 || total % known != 0)
            {
                throw new ArgumentException($"cannot reshape an array of size {total} into shape [{string.Join(", ", newShape)}]", nameof(newShape));
            }

            result[Array.IndexOf(newShape, -1)] = total / known;
        }
        else if (known != total)
        {
            throw new ArgumentException($"cannot reshape an array of size {total} into shape [{string.Join(", ", newShape)}]", nameof(newShape));
        }

        return result;
    }
}
