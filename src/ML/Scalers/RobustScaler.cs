using System.Numerics;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;

namespace ChunkCompute.ML;

/// <summary>
/// scikit-learn's <c>RobustScaler</c>: <c>(x − median) / (q_high − q_low)</c> per feature (default quantile range
/// 25–75, a zero range becomes 1), with quantiles as NumPy's <c>percentile</c> (linear interpolation between order
/// statistics, NaNs ignored), computed approximately out of core.
/// </summary>
/// <remarks>
/// <para><c>Fit</c> makes 1 + <see cref="Levels"/> passes, each one engine computation under the budget: (1) count,
/// min and max per feature; (2) a histogram of <see cref="Bins"/> equal-width bins over [min, max] per feature, which
/// locates the bin of each order statistic the quantiles need (6: two per quantile of low, median, high); (3…) each
/// located bin split again into <see cref="Bins"/> bins, <see cref="Levels"/> − 1 times. An order statistic is
/// estimated by the centre of its last bin (the smallest and largest exactly, by min and max), and a quantile
/// interpolates two of them as NumPy does.</para>
/// <para>Error bound: each estimate is within half a last-level bin of the exact value, plus rounding at bin edges, so
/// |estimate − NumPy's percentile| ≤ <see cref="QuantileErrorBound"/> = (max − min) / Bins^Levels per feature
/// (≈ 4.8e-7 of the feature's range with the defaults 128 and 3). Memory: a state of 6 × Bins float64 per feature
/// per partial (6 KiB with 128 bins), whatever the data size.</para>
/// </remarks>
public sealed class RobustScaler : ColumnScaler
{
    private double[] _center = [];
    private double[] _scale = [];
    private double[] _low = [];
    private double[] _high = [];
    private double[] _bound = [];

    /// <summary>Creates an unfitted scaler.</summary>
    /// <param name="withCentering">Subtract the median (<c>with_centering</c>).</param>
    /// <param name="withScaling">Divide by the quantile range (<c>with_scaling</c>).</param>
    /// <param name="quantileRange">The percentiles (0–100) of the range (<c>quantile_range</c>); null for (25, 75).</param>
    /// <param name="bins">Histogram bins per pass (≥ 2).</param>
    /// <param name="levels">Histogram passes (≥ 1); the error bound is (max − min) / bins^levels.</param>
    /// <exception cref="ArgumentException">The quantile range is not 0 ≤ low ≤ high ≤ 100.</exception>
    /// <exception cref="ArgumentOutOfRangeException">bins &lt; 2 or levels &lt; 1.</exception>
    public RobustScaler(bool withCentering = true, bool withScaling = true, (double Low, double High)? quantileRange = null, int bins = 128, int levels = 3)
    {
        var q = quantileRange ?? (25, 75);
        if (!(q.Low >= 0 && q.Low <= q.High && q.High <= 100))
        {
            throw new ArgumentException($"invalid quantile range ({q.Low}, {q.High}): need 0 <= low <= high <= 100", nameof(quantileRange));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(levels, 1);
        Levels = levels;
        WithCentering = withCentering;
        WithScaling = withScaling;
        QuantileRange = q;
        Bins = bins;
    }

    /// <summary>Whether the median is subtracted.</summary>
    public bool WithCentering { get; private set; }

    /// <summary>Whether values are divided by the quantile range.</summary>
    public bool WithScaling { get; private set; }

    /// <summary>The percentiles whose difference is the scale.</summary>
    public (double Low, double High) QuantileRange { get; private set; }

    /// <summary>Histogram bins per pass.</summary>
    public int Bins { get; private set; }

    /// <summary>Histogram passes (the first over [min, max], each further one splitting the bins found).</summary>
    public int Levels { get; private set; }

    /// <summary>Per-feature median (<c>center_</c>).</summary>
    public IReadOnlyList<double> Center => _center;

    /// <summary>Per-feature divisor (<c>scale_</c>): q_high − q_low, 1 where that is below 10 ε; all 1 without <see cref="WithScaling"/>.</summary>
    public IReadOnlyList<double> Scale => _scale;

    /// <summary>Per-feature percentile <see cref="QuantileRange"/>.Low.</summary>
    public IReadOnlyList<double> QuantileLow => _low;

    /// <summary>Per-feature percentile <see cref="QuantileRange"/>.High.</summary>
    public IReadOnlyList<double> QuantileHigh => _high;

    /// <summary>Per feature, the bound on the error of each estimated quantile: (max − min) / Bins^Levels.</summary>
    public IReadOnlyList<double> QuantileErrorBound => _bound;

    /// <summary>Estimates the median and quantiles of <paramref name="x"/> in 1 + Levels passes under the options' budget (see remarks).</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not 2-D, is empty, or contains infinity.</exception>
    public RobustScaler Fit<T>(ChunkedArray<T> x, ComputeOptions? options = null, CancellationToken cancellationToken = default)
        where T : unmanaged, INumberBase<T> => FitAsync(x, options, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Estimates the median and quantiles asynchronously (see <see cref="Fit{T}"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not 2-D, is empty, or contains infinity.</exception>
    public async Task<RobustScaler> FitAsync<T>(ChunkedArray<T> x, ComputeOptions? options = null, CancellationToken cancellationToken = default)
        where T : unmanaged, INumberBase<T>
    {
        CheckFitInput(x, nameof(RobustScaler));
        int cols = (int)x.Shape[1];
        int bins = Bins;

        // Pass 1: count, min, max.
        var moments = (await ColumnReducer.RunAsync(x, [new MomentsReducer()], options, cancellationToken).ConfigureAwait(false))[0];
        CheckFinite(nameof(RobustScaler), moments);
        var count = new long[cols];
        var min = new double[cols];
        var max = new double[cols];
        for (int c = 0; c < cols; c++)
        {
            count[c] = (long)moments[(c * 6) + MomentsReducer.Count];
            min[c] = count[c] > 0 ? moments[(c * 6) + MomentsReducer.Min] : 0;
            max[c] = count[c] > 0 ? moments[(c * 6) + MomentsReducer.Max] : 0;
        }

        // The order statistics each quantile interpolates: for p in (low, 50, high), ranks floor(h) and floor(h) + 1.
        double[] percents = [QuantileRange.Low, 50, QuantileRange.High];
        var ranks = new long[cols][];
        for (int c = 0; c < cols; c++)
        {
            ranks[c] = new long[percents.Length * 2];
            for (int i = 0; i < percents.Length; i++)
            {
                double h = (count[c] - 1) * percents[i] / 100;
                long k = Math.Max(0, (long)Math.Floor(h));
                ranks[c][2 * i] = k;
                ranks[c][(2 * i) + 1] = Math.Min(k + 1, Math.Max(0, count[c] - 1));
            }
        }

        // Pass 2: histograms over [min, max] locate each rank's bin; later passes split the bins found.
        var level0 = (await ColumnReducer.RunAsync(x, [new HistogramReducer(min, max, bins)], options, cancellationToken).ConfigureAwait(false))[0];
        int targets = ranks[0].Length;
        var paths = new int[cols][][];
        var before = new long[cols][]; // values below each target's interval
        for (int c = 0; c < cols; c++)
        {
            paths[c] = new int[targets][];
            before[c] = new long[targets];
            for (int t = 0; t < targets; t++)
            {
                var (bin, below) = Locate(level0.AsSpan(c * bins, bins), ranks[c][t]);
                paths[c][t] = [bin];
                before[c][t] = below;
            }
        }

        for (int level = 1; level < Levels; level++)
        {
            var counts = (await ColumnReducer.RunAsync(x, [new HistogramReducer(min, max, bins, paths)], options, cancellationToken).ConfigureAwait(false))[0];
            int width = bins * targets;
            for (int c = 0; c < cols; c++)
            {
                for (int t = 0; t < targets; t++)
                {
                    var (bin, below) = Locate(counts.AsSpan((c * width) + (t * bins), bins), ranks[c][t] - before[c][t]);
                    paths[c][t] = [.. paths[c][t], bin];
                    before[c][t] += below;
                }
            }
        }

        var orderStat = new double[cols][];
        for (int c = 0; c < cols; c++)
        {
            orderStat[c] = new double[targets];
            for (int t = 0; t < targets; t++)
            {
                long rank = ranks[c][t];
                if (count[c] == 0)
                {
                    orderStat[c][t] = double.NaN;
                }
                else if (rank == 0 || rank == count[c] - 1)
                {
                    orderStat[c][t] = rank == 0 ? min[c] : max[c];
                }
                else
                {
                    var (lo, hi) = HistogramReducer.Interval(paths[c][t], min[c], max[c], bins);
                    orderStat[c][t] = Math.Clamp((lo + hi) / 2, min[c], max[c]);
                }
            }
        }

        double Quantile(int c, int i)
        {
            double h = (count[c] - 1) * percents[i] / 100;
            double frac = h - Math.Floor(h);
            double a = orderStat[c][2 * i], b = orderStat[c][(2 * i) + 1];
            return a + (frac * (b - a));
        }

        _center = Enumerable.Range(0, cols).Select(c => Quantile(c, 1)).ToArray();
        _low = Enumerable.Range(0, cols).Select(c => Quantile(c, 0)).ToArray();
        _high = Enumerable.Range(0, cols).Select(c => Quantile(c, 2)).ToArray();
        _scale = WithScaling ? HandleZeros(_high.Zip(_low, (h, l) => h - l).ToArray()) : Enumerable.Repeat(1.0, cols).ToArray();
        _bound = Enumerable.Range(0, cols).Select(c => (max[c] - min[c]) / Math.Pow(bins, Levels)).ToArray();
        FeatureCount = cols;
        return this;
    }

    /// <summary>The bin holding 0-based rank <paramref name="rank"/> and the count of values in the bins below it.</summary>
    private static (int Bin, long Before) Locate(ReadOnlySpan<double> counts, long rank)
    {
        long cumulative = 0;
        for (int b = 0; b < counts.Length; b++)
        {
            long n = (long)counts[b];
            if (rank < cumulative + n)
            {
                return (b, cumulative);
            }

            cumulative += n;
        }

        // Only reachable for an empty column: no value anywhere.
        return (counts.Length - 1, Math.Max(0, cumulative - 1));
    }

    private protected override ChunkedArray<double> TransformCore(ChunkedArray<double> x)
    {
        if (WithCentering)
        {
            x -= Columns(x, _center);
        }

        return WithScaling ? x / Columns(x, _scale) : x;
    }

    private protected override ChunkedArray<double> InverseTransformCore(ChunkedArray<double> x)
    {
        if (WithScaling)
        {
            x *= Columns(x, _scale);
        }

        return WithCentering ? x + Columns(x, _center) : x;
    }

    private protected override void WriteParameters(ScalerDocument document)
    {
        document.Settings["with_centering"] = WithCentering ? 1 : 0;
        document.Settings["with_scaling"] = WithScaling ? 1 : 0;
        document.Settings["quantile_range_low"] = QuantileRange.Low;
        document.Settings["quantile_range_high"] = QuantileRange.High;
        document.Settings["bins"] = Bins;
        document.Settings["levels"] = Levels;
        document.Parameters["center"] = _center;
        document.Parameters["scale"] = _scale;
        document.Parameters["quantile_low"] = _low;
        document.Parameters["quantile_high"] = _high;
        document.Parameters["quantile_error_bound"] = _bound;
    }

    private protected override void ReadParameters(ScalerDocument document)
    {
        WithCentering = document.Settings.GetValueOrDefault("with_centering", 1) != 0;
        WithScaling = document.Settings.GetValueOrDefault("with_scaling", 1) != 0;
        QuantileRange = (document.Settings.GetValueOrDefault("quantile_range_low", 25), document.Settings.GetValueOrDefault("quantile_range_high", 75));
        Bins = (int)document.Settings.GetValueOrDefault("bins", 128);
        Levels = (int)document.Settings.GetValueOrDefault("levels", 3);
        _center = Get(document, "center", FeatureCount);
        _scale = Get(document, "scale", FeatureCount);
        _low = Get(document, "quantile_low", FeatureCount);
        _high = Get(document, "quantile_high", FeatureCount);
        _bound = Get(document, "quantile_error_bound", FeatureCount);
    }
}
