using System.Numerics;
using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <content>Indexing, sorting and top-k along a dimension given by name.</content>
public static partial class NamedDimensionExtensions
{
    /// <summary>The rows <paramref name="indices"/> along the dimension named <paramref name="dim"/>, in that order (NumPy's <c>take</c>; xarray's <c>isel</c>).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range (the message names it).</exception>
    public static ChunkedArray<T> Take<T>(this ChunkedArray<T> x, long[] indices, string dim)
        where T : unmanaged => x.Take(indices, NamedAxes.Of(x, dim));

    /// <summary>The rows along the dimension named <paramref name="dim"/> where <paramref name="mask"/> is true (NumPy's <c>compress</c>).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names), or the mask is longer than it.</exception>
    public static ChunkedArray<T> Compress<T>(this ChunkedArray<T> x, bool[] mask, string dim)
        where T : unmanaged => x.Compress(mask, NamedAxes.Of(x, dim));

    /// <summary>Sorts along the dimension named <paramref name="dim"/>, ascending with NaN last (NumPy's <c>sort</c>); each lane must fit the budget.</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    public static ChunkedArray<T> Sort<T>(this ChunkedArray<T> x, string dim)
        where T : unmanaged, INumberBase<T>, IComparisonOperators<T, T, bool> => x.Sort(NamedAxes.Of(x, dim));

    /// <summary>The indices that sort each lane along the dimension named <paramref name="dim"/> (NumPy's stable <c>argsort</c>).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    public static ChunkedArray<long> ArgSort<T>(this ChunkedArray<T> x, string dim)
        where T : unmanaged, INumberBase<T>, IComparisonOperators<T, T, bool> => x.ArgSort(NamedAxes.Of(x, dim));

    /// <summary>The <paramref name="k"/> largest values (k &gt; 0) or |k| smallest (k &lt; 0) along the dimension named <paramref name="dim"/> (Dask's <c>topk</c>).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    /// <exception cref="ArgumentOutOfRangeException">k is 0 or |k| exceeds the dimension's length.</exception>
    public static ChunkedArray<T> TopK<T>(this ChunkedArray<T> x, int k, string dim)
        where T : unmanaged, INumberBase<T>, IComparisonOperators<T, T, bool> => x.TopK(k, NamedAxes.Of(x, dim));

    /// <summary>The indices along the dimension named <paramref name="dim"/> of <see cref="TopK{T}(ChunkedArray{T}, int, string)"/>'s values (Dask's <c>argtopk</c>).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    /// <exception cref="ArgumentOutOfRangeException">k is 0 or |k| exceeds the dimension's length.</exception>
    public static ChunkedArray<long> ArgTopK<T>(this ChunkedArray<T> x, int k, string dim)
        where T : unmanaged, INumberBase<T>, IComparisonOperators<T, T, bool> => x.ArgTopK(k, NamedAxes.Of(x, dim));
}
