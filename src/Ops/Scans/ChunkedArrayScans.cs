using System.Numerics;
using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>
/// Cumulative sums and products along an axis: NumPy's <c>cumsum</c>, <c>cumprod</c>, <c>nancumsum</c> and
/// <c>nancumprod</c> (the nan forms count NaN as 0 and 1). Lazy and chunk-parallel: each chunk is reduced along the
/// axis to its totals, each chunk's carry combines the totals before it (through totals of blocks of 64 chunks, so a
/// carry has at most ~64 + n/64 inputs), and each chunk is then scanned from its carry — chunk-parallel, never a
/// sequential pass over the data. The input is read once: a chunk is held from its read until its scan, which needs
/// only the chunks before it, so in the scheduler's order a few chunks are held at a time.
/// Integers narrower than 64 bits accumulate as int64 (unsigned: uint64) and bool as int64, as NumPy does; overflow
/// wraps as in NumPy. Floating-point results equal NumPy's up to the order of the additions (NumPy adds strictly left
/// to right; here each chunk's carry is the sum of the earlier chunks' totals).
/// </summary>
public static class ChunkedArrayScans
{
    /// <summary>The running sum along <paramref name="axis"/> (negative counts from the end).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range (a 0-d array has none).</exception>
    public static ChunkedArray<T> CumSum<T>(this ChunkedArray<T> x, int axis)
        where T : unmanaged, INumberBase<T> => Scan<T, T>(x, axis, ScanKind.Sum);

    /// <summary>The running product along <paramref name="axis"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    public static ChunkedArray<T> CumProd<T>(this ChunkedArray<T> x, int axis)
        where T : unmanaged, INumberBase<T> => Scan<T, T>(x, axis, ScanKind.Product);

    /// <summary>The running sum along <paramref name="axis"/>, NaN counted as 0 (a lane of NaN gives zeros).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    public static ChunkedArray<T> NanCumSum<T>(this ChunkedArray<T> x, int axis)
        where T : unmanaged, INumberBase<T> => Scan<T, T>(x, axis, ScanKind.NanSum);

    /// <summary>The running product along <paramref name="axis"/>, NaN counted as 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    public static ChunkedArray<T> NanCumProd<T>(this ChunkedArray<T> x, int axis)
        where T : unmanaged, INumberBase<T> => Scan<T, T>(x, axis, ScanKind.NanProduct);

    /// <summary>The running sum along <paramref name="axis"/>, as int64 (NumPy's promotion of int32).</summary>
    public static ChunkedArray<long> CumSum(this ChunkedArray<int> x, int axis) => Scan<int, long>(x, axis, ScanKind.Sum);

    /// <summary>The running product along <paramref name="axis"/>, as int64.</summary>
    public static ChunkedArray<long> CumProd(this ChunkedArray<int> x, int axis) => Scan<int, long>(x, axis, ScanKind.Product);

    /// <summary>The running sum along <paramref name="axis"/>, as int64.</summary>
    public static ChunkedArray<long> CumSum(this ChunkedArray<short> x, int axis) => Scan<short, long>(x, axis, ScanKind.Sum);

    /// <summary>The running product along <paramref name="axis"/>, as int64.</summary>
    public static ChunkedArray<long> CumProd(this ChunkedArray<short> x, int axis) => Scan<short, long>(x, axis, ScanKind.Product);

    /// <summary>The running sum along <paramref name="axis"/>, as int64.</summary>
    public static ChunkedArray<long> CumSum(this ChunkedArray<sbyte> x, int axis) => Scan<sbyte, long>(x, axis, ScanKind.Sum);

    /// <summary>The running product along <paramref name="axis"/>, as int64.</summary>
    public static ChunkedArray<long> CumProd(this ChunkedArray<sbyte> x, int axis) => Scan<sbyte, long>(x, axis, ScanKind.Product);

    /// <summary>The running sum along <paramref name="axis"/>, as uint64 (NumPy's promotion of uint32).</summary>
    public static ChunkedArray<ulong> CumSum(this ChunkedArray<uint> x, int axis) => Scan<uint, ulong>(x, axis, ScanKind.Sum);

    /// <summary>The running product along <paramref name="axis"/>, as uint64.</summary>
    public static ChunkedArray<ulong> CumProd(this ChunkedArray<uint> x, int axis) => Scan<uint, ulong>(x, axis, ScanKind.Product);

    /// <summary>The running sum along <paramref name="axis"/>, as uint64.</summary>
    public static ChunkedArray<ulong> CumSum(this ChunkedArray<ushort> x, int axis) => Scan<ushort, ulong>(x, axis, ScanKind.Sum);

    /// <summary>The running product along <paramref name="axis"/>, as uint64.</summary>
    public static ChunkedArray<ulong> CumProd(this ChunkedArray<ushort> x, int axis) => Scan<ushort, ulong>(x, axis, ScanKind.Product);

    /// <summary>The running sum along <paramref name="axis"/>, as uint64.</summary>
    public static ChunkedArray<ulong> CumSum(this ChunkedArray<byte> x, int axis) => Scan<byte, ulong>(x, axis, ScanKind.Sum);

    /// <summary>The running product along <paramref name="axis"/>, as uint64.</summary>
    public static ChunkedArray<ulong> CumProd(this ChunkedArray<byte> x, int axis) => Scan<byte, ulong>(x, axis, ScanKind.Product);

    /// <summary>The running count of true along <paramref name="axis"/>, as int64 (NumPy's cumsum of bool).</summary>
    public static ChunkedArray<long> CumSum(this ChunkedArray<bool> x, int axis) => Scan<long, long>(x.AsType<long>(), axis, ScanKind.Sum);

    /// <summary>The running product (1 until the first false, then 0) along <paramref name="axis"/>, as int64.</summary>
    public static ChunkedArray<long> CumProd(this ChunkedArray<bool> x, int axis) => Scan<long, long>(x.AsType<long>(), axis, ScanKind.Product);

    private static ChunkedArray<TOut> Scan<TIn, TOut>(ChunkedArray<TIn> x, int axis, ScanKind kind)
        where TIn : unmanaged, INumberBase<TIn>
        where TOut : unmanaged, INumberBase<TOut>
    {
        ArgumentNullException.ThrowIfNull(x);
        int a = StructureExtensions.NormalizeAxis(axis, x.Node.Grid.Rank, nameof(axis));
        string label = kind switch
        {
            ScanKind.Sum => "cumsum",
            ScanKind.Product => "cumprod",
            ScanKind.NanSum => "nancumsum",
            _ => "nancumprod",
        };
        var totals = new ScanTotalsNode<TIn, TOut>(x.Node, a, kind);
        var carries = new ScanCarryNode<TOut>(totals, a, kind is ScanKind.Sum or ScanKind.NanSum);
        return new ChunkedArray<TOut>(new ScanNode<TIn, TOut>(x.Node, carries, a, kind, label));
    }
}
