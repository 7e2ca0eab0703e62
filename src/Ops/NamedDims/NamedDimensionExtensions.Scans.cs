using System.Numerics;
using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>
/// The operations along one axis, with the axis given by dimension name (xarray's <c>dim="time"</c>): each resolves the
/// name with <see cref="ChunkedArray{T}.AxisOf"/> and calls its axis form, so the result, its dimension names and its
/// plan are the axis form's.
/// </summary>
public static partial class NamedDimensionExtensions
{
    /// <summary>The running sum along the dimension named <paramref name="dim"/> (NumPy's <c>cumsum</c>).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    public static ChunkedArray<T> CumSum<T>(this ChunkedArray<T> x, string dim)
        where T : unmanaged, INumberBase<T> => x.CumSum(NamedAxes.Of(x, dim));

    /// <summary>The running product along the dimension named <paramref name="dim"/> (NumPy's <c>cumprod</c>).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    public static ChunkedArray<T> CumProd<T>(this ChunkedArray<T> x, string dim)
        where T : unmanaged, INumberBase<T> => x.CumProd(NamedAxes.Of(x, dim));

    /// <summary>The running sum along the dimension named <paramref name="dim"/>, NaN counted as 0.</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    public static ChunkedArray<T> NanCumSum<T>(this ChunkedArray<T> x, string dim)
        where T : unmanaged, INumberBase<T> => x.NanCumSum(NamedAxes.Of(x, dim));

    /// <summary>The running product along the dimension named <paramref name="dim"/>, NaN counted as 1.</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    public static ChunkedArray<T> NanCumProd<T>(this ChunkedArray<T> x, string dim)
        where T : unmanaged, INumberBase<T> => x.NanCumProd(NamedAxes.Of(x, dim));

    /// <summary>The running sum along the dimension named <paramref name="dim"/>, as int64 (NumPy's promotion of int32).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    public static ChunkedArray<long> CumSum(this ChunkedArray<int> x, string dim) => x.CumSum(NamedAxes.Of(x, dim));

    /// <summary>The running product along the dimension named <paramref name="dim"/>, as int64 (NumPy's promotion of int32).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    public static ChunkedArray<long> CumProd(this ChunkedArray<int> x, string dim) => x.CumProd(NamedAxes.Of(x, dim));

    /// <summary>The running sum along the dimension named <paramref name="dim"/>, as int64 (NumPy's promotion of int16).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    public static ChunkedArray<long> CumSum(this ChunkedArray<short> x, string dim) => x.CumSum(NamedAxes.Of(x, dim));

    /// <summary>The running product along the dimension named <paramref name="dim"/>, as int64 (NumPy's promotion of int16).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    public static ChunkedArray<long> CumProd(this ChunkedArray<short> x, string dim) => x.CumProd(NamedAxes.Of(x, dim));

    /// <summary>The running sum along the dimension named <paramref name="dim"/>, as int64 (NumPy's promotion of int8).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    public static ChunkedArray<long> CumSum(this ChunkedArray<sbyte> x, string dim) => x.CumSum(NamedAxes.Of(x, dim));

    /// <summary>The running product along the dimension named <paramref name="dim"/>, as int64 (NumPy's promotion of int8).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    public static ChunkedArray<long> CumProd(this ChunkedArray<sbyte> x, string dim) => x.CumProd(NamedAxes.Of(x, dim));

    /// <summary>The running sum along the dimension named <paramref name="dim"/>, as uint64 (NumPy's promotion of uint32).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    public static ChunkedArray<ulong> CumSum(this ChunkedArray<uint> x, string dim) => x.CumSum(NamedAxes.Of(x, dim));

    /// <summary>The running product along the dimension named <paramref name="dim"/>, as uint64 (NumPy's promotion of uint32).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    public static ChunkedArray<ulong> CumProd(this ChunkedArray<uint> x, string dim) => x.CumProd(NamedAxes.Of(x, dim));

    /// <summary>The running sum along the dimension named <paramref name="dim"/>, as uint64 (NumPy's promotion of uint16).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    public static ChunkedArray<ulong> CumSum(this ChunkedArray<ushort> x, string dim) => x.CumSum(NamedAxes.Of(x, dim));

    /// <summary>The running product along the dimension named <paramref name="dim"/>, as uint64 (NumPy's promotion of uint16).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    public static ChunkedArray<ulong> CumProd(this ChunkedArray<ushort> x, string dim) => x.CumProd(NamedAxes.Of(x, dim));

    /// <summary>The running sum along the dimension named <paramref name="dim"/>, as uint64 (NumPy's promotion of uint8).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    public static ChunkedArray<ulong> CumSum(this ChunkedArray<byte> x, string dim) => x.CumSum(NamedAxes.Of(x, dim));

    /// <summary>The running product along the dimension named <paramref name="dim"/>, as uint64 (NumPy's promotion of uint8).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    public static ChunkedArray<ulong> CumProd(this ChunkedArray<byte> x, string dim) => x.CumProd(NamedAxes.Of(x, dim));

    /// <summary>The running sum along the dimension named <paramref name="dim"/>, as int64 (NumPy's promotion of bool).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    public static ChunkedArray<long> CumSum(this ChunkedArray<bool> x, string dim) => x.CumSum(NamedAxes.Of(x, dim));

    /// <summary>The running product along the dimension named <paramref name="dim"/>, as int64 (NumPy's promotion of bool).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    public static ChunkedArray<long> CumProd(this ChunkedArray<bool> x, string dim) => x.CumProd(NamedAxes.Of(x, dim));
}
