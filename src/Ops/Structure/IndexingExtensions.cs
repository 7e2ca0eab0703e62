using System.Numerics;
using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>
/// Indexing by integer arrays and boolean masks along an axis (NumPy's <c>take</c> and <c>compress</c>), and sorting along
/// an axis (<c>sort</c>, <c>argsort</c>).
/// </summary>
public static class IndexingExtensions
{
    /// <summary>
    /// The rows <paramref name="indices"/> along <paramref name="axis"/>, in that order (NumPy's
    /// <c>take(x, indices, axis)</c>): any order, repeats allowed, negative indices count from the end. Output chunks
    /// follow the indices, each reading at most a few input chunks, so scattered indices stay within the budget.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis, or an index, is out of range (the message names it).</exception>
    public static ChunkedArray<T> Take<T>(this ChunkedArray<T> x, long[] indices, int axis = 0)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(indices);
        int a = StructureExtensions.NormalizeAxis(axis, x.Rank, nameof(axis));
        long length = x.Shape[a];
        var resolved = new long[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            long index = indices[i] < 0 ? indices[i] + length : indices[i];
            if (index < 0 || index >= length)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), $"index {indices[i]} (at position {i}) is out of bounds for axis {axis} of length {length}");
            }

            resolved[i] = index;
        }

        return new ChunkedArray<T>(TakeNode.Create(x.Node, resolved, a));
    }

    /// <summary>
    /// The rows along <paramref name="axis"/> where <paramref name="mask"/> is true, in order (NumPy's
    /// <c>compress(mask, x, axis)</c>); a mask shorter than the axis selects only among the first rows.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    /// <exception cref="ArgumentException">The mask is longer than the axis.</exception>
    public static ChunkedArray<T> Compress<T>(this ChunkedArray<T> x, bool[] mask, int axis = 0)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(mask);
        int a = StructureExtensions.NormalizeAxis(axis, x.Rank, nameof(axis));
        if (mask.Length > x.Shape[a])
        {
            throw new ArgumentException($"the mask has {mask.Length} elements, more than axis {axis}'s length {x.Shape[a]}", nameof(mask));
        }

        var indices = new List<long>();
        for (int i = 0; i < mask.Length; i++)
        {
            if (mask[i])
            {
                indices.Add(i);
            }
        }

        return new ChunkedArray<T>(TakeNode.Create(x.Node, [.. indices], a));
    }

    /// <summary>
    /// Sorts along <paramref name="axis"/>, ascending with NaN last (NumPy's <c>sort</c>). Each lane along the axis must
    /// be in memory at once: the array is rechunked so the axis is one chunk, and a plan whose lanes do not fit the
    /// budget is refused before anything runs.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    public static ChunkedArray<T> Sort<T>(this ChunkedArray<T> x, int axis = -1)
        where T : unmanaged, INumberBase<T>, IComparisonOperators<T, T, bool>
    {
        var (whole, a) = WholeAxis(x, axis, "sort");
        return new ChunkedArray<T>(new SortNode<T, T>(whole.Node, a, indices: false));
    }

    /// <summary>
    /// The indices that sort each lane along <paramref name="axis"/> (NumPy's <c>argsort(kind="stable")</c>: NaN last,
    /// ties in index order), as int64; the axis is one chunk, as for <see cref="Sort{T}"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    public static ChunkedArray<long> ArgSort<T>(this ChunkedArray<T> x, int axis = -1)
        where T : unmanaged, INumberBase<T>, IComparisonOperators<T, T, bool>
    {
        var (whole, a) = WholeAxis(x, axis, "argsort");
        return new ChunkedArray<long>(new SortNode<T, long>(whole.Node, a, indices: true));
    }

    /// <summary>
    /// The <paramref name="k"/> largest values along <paramref name="axis"/> in descending order (k &gt; 0), or the |k|
    /// smallest in ascending order (k &lt; 0) — Dask's <c>topk</c>. A tree reduction: the axis is never gathered, each
    /// chunk keeps |k| candidates per lane. NaN counts as the largest value; equal values keep the lower index first.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range, k is 0, or |k| exceeds the axis length.</exception>
    public static ChunkedArray<T> TopK<T>(this ChunkedArray<T> x, int k, int axis = -1)
        where T : unmanaged, INumberBase<T>, IComparisonOperators<T, T, bool> => new(TopKTree(x, k, axis, indices: false));

    /// <summary>The indices along <paramref name="axis"/> of <see cref="TopK{T}"/>'s values, in the same order (Dask's <c>argtopk</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range, k is 0, or |k| exceeds the axis length.</exception>
    public static ChunkedArray<long> ArgTopK<T>(this ChunkedArray<T> x, int k, int axis = -1)
        where T : unmanaged, INumberBase<T>, IComparisonOperators<T, T, bool> => new(TopKTree(x, k, axis, indices: true));

    private static ArrayNode TopKTree<T>(ChunkedArray<T> x, int k, int axis, bool indices)
        where T : unmanaged, INumberBase<T>, IComparisonOperators<T, T, bool>
    {
        ArgumentNullException.ThrowIfNull(x);
        int a = StructureExtensions.NormalizeAxis(axis, x.Rank, nameof(axis));
        if (k == 0 || Math.Abs((long)k) > x.Shape[a])
        {
            throw new ArgumentOutOfRangeException(nameof(k), $"k = {k}: |k| must be between 1 and the length of axis {axis} ({x.Shape[a]})");
        }

        return ReductionTree.Build(new TopKReduction<T>(x.Node, a, k, indices)).Finalize();
    }

    // The array with the axis in one chunk (the other axes keep their chunks).
    private static (ChunkedArray<T> Array, int Axis) WholeAxis<T>(ChunkedArray<T> x, int axis, string operation)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(x);
        int a = StructureExtensions.NormalizeAxis(axis, x.Rank, nameof(axis));
        var grid = x.Chunks;
        if (grid.Sizes(a).Count <= 1)
        {
            return (x, a);
        }

        var sizes = Enumerable.Range(0, grid.Rank).Select(d => d == a ? (IReadOnlyList<int>)[checked((int)grid.Shape[a])] : grid.Sizes(d)).ToArray();
        return (x.RechunkFor(sizes, $"{operation} along axis {a} holds each lane of {grid.Shape[a]} elements in one chunk"), a);
    }
}
