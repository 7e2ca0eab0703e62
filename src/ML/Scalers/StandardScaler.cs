using System.Numerics;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;

namespace ChunkCompute.ML;

/// <summary>
/// scikit-learn's <c>StandardScaler</c>: <c>(x − mean) / scale</c> per feature, with the population standard
/// deviation (ddof 0) as scale; constant features (variance within rounding of 0, scikit-learn's
/// <c>_is_constant_feature</c>) get scale 1. <c>Fit</c> is one pass over the data (count, mean, M2, min, max per
/// column by Chan's merge, in float64).
/// </summary>
public sealed class StandardScaler : ColumnScaler
{
    private double[] _mean = [];
    private double[] _variance = [];
    private double[] _scale = [];
    private double[] _samples = [];

    /// <summary>Creates an unfitted scaler.</summary>
    /// <param name="withMean">Subtract the mean (scikit-learn's <c>with_mean</c>).</param>
    /// <param name="withStd">Divide by the standard deviation (<c>with_std</c>).</param>
    public StandardScaler(bool withMean = true, bool withStd = true)
    {
        WithMean = withMean;
        WithStd = withStd;
    }

    /// <summary>Whether the mean is subtracted.</summary>
    public bool WithMean { get; private set; }

    /// <summary>Whether values are divided by the standard deviation.</summary>
    public bool WithStd { get; private set; }

    /// <summary>Per-feature mean of the non-NaN values (<c>mean_</c>).</summary>
    public IReadOnlyList<double> Mean => _mean;

    /// <summary>Per-feature population variance (<c>var_</c>).</summary>
    public IReadOnlyList<double> Variance => _variance;

    /// <summary>Per-feature divisor (<c>scale_</c>): the standard deviation, 1 for constant features, all 1 without <see cref="WithStd"/>.</summary>
    public IReadOnlyList<double> Scale => _scale;

    /// <summary>Per-feature count of non-NaN values seen (<c>n_samples_seen_</c>).</summary>
    public IReadOnlyList<double> SamplesSeen => _samples;

    /// <summary>Computes the statistics of <paramref name="x"/> (samples × features) in one pass under the options' budget.</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not 2-D, is empty, or contains infinity.</exception>
    public StandardScaler Fit<T>(ChunkedArray<T> x, ComputeOptions? options = null, CancellationToken cancellationToken = default)
        where T : unmanaged, INumberBase<T> => FitAsync(x, options, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Computes the statistics asynchronously (see <see cref="Fit{T}"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not 2-D, is empty, or contains infinity.</exception>
    public async Task<StandardScaler> FitAsync<T>(ChunkedArray<T> x, ComputeOptions? options = null, CancellationToken cancellationToken = default)
        where T : unmanaged, INumberBase<T>
    {
        CheckFitInput(x, nameof(StandardScaler));
        var states = (await ColumnReducer.RunAsync(x, [new MomentsReducer()], options, cancellationToken).ConfigureAwait(false))[0];
        CheckFinite(nameof(StandardScaler), states);
        int cols = (int)x.Shape[1];
        var mean = new double[cols];
        var variance = new double[cols];
        var samples = new double[cols];
        var constant = new bool[cols];
        for (int c = 0; c < cols; c++)
        {
            var state = states.AsSpan(c * 6, 6);
            double n = state[MomentsReducer.Count];
            samples[c] = n;
            mean[c] = MomentsReducer.MeanOf(state);
            variance[c] = MomentsReducer.M2Of(state) / n;
            double bound = (n * MachineEpsilon * variance[c]) + Math.Pow(n * mean[c] * MachineEpsilon, 2);
            constant[c] = variance[c] <= bound;
        }

        _mean = mean;
        _variance = variance;
        _samples = samples;
        _scale = WithStd ? HandleZeros(variance.Select(Math.Sqrt).ToArray(), constant) : Enumerable.Repeat(1.0, cols).ToArray();
        FeatureCount = cols;
        return this;
    }

    private protected override ChunkedArray<double> TransformCore(ChunkedArray<double> x)
    {
        if (WithMean)
        {
            x -= Columns(x, _mean);
        }

        return WithStd ? x / Columns(x, _scale) : x;
    }

    private protected override ChunkedArray<double> InverseTransformCore(ChunkedArray<double> x)
    {
        if (WithStd)
        {
            x *= Columns(x, _scale);
        }

        return WithMean ? x + Columns(x, _mean) : x;
    }

    private protected override void WriteParameters(ScalerDocument document)
    {
        document.Settings["with_mean"] = WithMean ? 1 : 0;
        document.Settings["with_std"] = WithStd ? 1 : 0;
        document.Parameters["mean"] = _mean;
        document.Parameters["var"] = _variance;
        document.Parameters["scale"] = _scale;
        document.Parameters["n_samples_seen"] = _samples;
    }

    private protected override void ReadParameters(ScalerDocument document)
    {
        WithMean = document.Settings.GetValueOrDefault("with_mean", 1) != 0;
        WithStd = document.Settings.GetValueOrDefault("with_std", 1) != 0;
        _mean = Get(document, "mean", FeatureCount);
        _variance = Get(document, "var", FeatureCount);
        _scale = Get(document, "scale", FeatureCount);
        _samples = Get(document, "n_samples_seen", FeatureCount);
    }
}
