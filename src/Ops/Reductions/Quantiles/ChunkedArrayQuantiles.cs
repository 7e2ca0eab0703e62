using System.Numerics;
using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>
/// Exact quantiles, percentiles and medians (NumPy's <c>quantile</c>, <c>percentile</c>, <c>median</c> and their nan forms,
/// default "linear" method), as float64; with no axis the whole array is one lane. Chosen when the computation is
/// planned, by the budget: lanes that fit in three quarters of it are gathered into one chunk each and sorted (one pass
/// over the data); larger lanes are found by histogram refinement over order-preserving keys — a pass counting the top
/// 16 bits of every key, then (usually) one pass collecting the keys in the bins that hold the ranks wanted, or while
/// those bins exceed a quarter of the budget another 16-bit histogram pass first: at most 2 passes before the
/// collection for 32-bit and smaller types, 4 for 64-bit ones. Either way exact, and within the budget.
/// </summary>
public static partial class ChunkedArrayQuantiles
{
    /// <summary>
    /// Quantiles <paramref name="q"/> (each in [0, 1]) over <paramref name="axis"/> (null: all elements): shape
    /// [q.Length] followed by the shape without the axis. A lane holding NaN gives NaN.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A quantile is outside [0, 1], or the axis is out of range.</exception>
    public static ChunkedArray<double> Quantile<T>(this ChunkedArray<T> x, double[] q, int? axis = null)
        where T : unmanaged, INumberBase<T> => Build(x, q, axis, skipNaN: false);

    /// <summary>Quantiles over <paramref name="axis"/> ignoring NaN (NumPy's <c>nanquantile</c>; an all-NaN lane gives NaN).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A quantile is outside [0, 1], or the axis is out of range.</exception>
    public static ChunkedArray<double> NanQuantile<T>(this ChunkedArray<T> x, double[] q, int? axis = null)
        where T : unmanaged, INumberBase<T> => Build(x, q, axis, skipNaN: true);

    /// <summary>Percentiles <paramref name="p"/> (each in [0, 100]) over <paramref name="axis"/>: <see cref="Quantile{T}(ChunkedArray{T}, double[], int?)"/> of p / 100.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A percentile is outside [0, 100], or the axis is out of range.</exception>
    public static ChunkedArray<double> Percentile<T>(this ChunkedArray<T> x, double[] p, int? axis = null)
        where T : unmanaged, INumberBase<T>
    {
        ArgumentNullException.ThrowIfNull(p);
        return Build(x, p.Select(v => v / 100).ToArray(), axis, skipNaN: false);
    }

    /// <summary>The median over <paramref name="axis"/> (null: all elements); NaN in a lane gives NaN.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    public static ChunkedArray<double> Median<T>(this ChunkedArray<T> x, int? axis = null)
        where T : unmanaged, INumberBase<T> => Build(x, [0.5], axis, skipNaN: false).Index(0);

    /// <summary>The median over <paramref name="axis"/> ignoring NaN (NumPy's <c>nanmedian</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    public static ChunkedArray<double> NanMedian<T>(this ChunkedArray<T> x, int? axis = null)
        where T : unmanaged, INumberBase<T> => Build(x, [0.5], axis, skipNaN: true).Index(0);

    private static ChunkedArray<T> WholeArray<T>(ChunkedArray<T> x)
        where T : unmanaged =>
        x.Chunks.ChunkCount <= 1 ? x : x.Rechunk(x.Shape.Select(n => (IReadOnlyList<int>)(n == 0 ? [] : [checked((int)n)])).ToArray());

    private static ChunkedArray<double> Build<T>(ChunkedArray<T> x, double[] q, int? axis, bool skipNaN)
        where T : unmanaged, INumberBase<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(q);
        foreach (double v in q)
        {
            if (!(v >= 0 && v <= 1))
            {
                throw new ArgumentOutOfRangeException(nameof(q), $"quantile {v} is outside [0, 1]");
            }
        }

        // No axis: the whole array is one lane, so it is gathered into one chunk first (which reshapes to 1-D as is).
        var source = axis is null ? WholeArray(x).Reshape([x.Chunks.ElementCount]) : x;
        int a = axis is null ? 0 : StructureExtensions.NormalizeAxis(axis.Value, x.Rank, nameof(axis));
        var grid = source.Chunks;
        if (grid.Sizes(a).Count > 1)
        {
            var sizes = Enumerable.Range(0, grid.Rank).Select(d => d == a ? (IReadOnlyList<int>)[checked((int)grid.Shape[a])] : grid.Sizes(d)).ToArray();
            source = source.Rechunk(sizes);
        }

        var quantiles = (double[])q.Clone();
        var lanes = new QuantileNode<T>(source.Node, a, quantiles, skipNaN);
        return new ChunkedArray<double>(new QuantilePlanNode<T>(x.Node, axis is null ? null : a, quantiles, skipNaN, lanes));
    }
}
