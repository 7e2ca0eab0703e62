using System.Numerics;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;

namespace ChunkCompute.ML;

/// <summary>
/// scikit-learn's <c>MinMaxScaler</c>: <c>x · scale + min</c> per feature, mapping [data_min, data_max] onto the
/// feature range; a constant feature (range below 10 ε) gets range 1. <c>Fit</c> is one pass (NaN-ignoring min and max).
/// </summary>
public sealed class MinMaxScaler : ColumnScaler
{
    private double[] _dataMin = [];
    private double[] _dataMax = [];
    private double[] _scale = [];
    private double[] _min = [];

    /// <summary>Creates an unfitted scaler onto [0, 1].</summary>
    public MinMaxScaler()
        : this((0, 1))
    {
    }

    /// <summary>Creates an unfitted scaler.</summary>
    /// <param name="featureRange">The target range (scikit-learn's <c>feature_range</c>); Min must be below Max.</param>
    /// <param name="clip">Clip transformed values to the range (<c>clip</c>).</param>
    /// <exception cref="ArgumentException">The range is empty, reversed or not finite.</exception>
    public MinMaxScaler((double Min, double Max) featureRange, bool clip = false)
    {
        if (!(featureRange.Min < featureRange.Max) || !double.IsFinite(featureRange.Min) || !double.IsFinite(featureRange.Max))
        {
            throw new ArgumentException($"the minimum of the feature range must be smaller than its maximum and both finite, not ({featureRange.Min}, {featureRange.Max})", nameof(featureRange));
        }

        FeatureRange = featureRange;
        Clip = clip;
    }

    /// <summary>The target range.</summary>
    public (double Min, double Max) FeatureRange { get; private set; }

    /// <summary>Whether transformed values are clipped to <see cref="FeatureRange"/>.</summary>
    public bool Clip { get; private set; }

    /// <summary>Per-feature minimum (<c>data_min_</c>).</summary>
    public IReadOnlyList<double> DataMin => _dataMin;

    /// <summary>Per-feature maximum (<c>data_max_</c>).</summary>
    public IReadOnlyList<double> DataMax => _dataMax;

    /// <summary>Per-feature <c>data_max − data_min</c> (<c>data_range_</c>).</summary>
    public IReadOnlyList<double> DataRange => _dataMax.Zip(_dataMin, (a, b) => a - b).ToArray();

    /// <summary>Per-feature factor (<c>scale_</c>).</summary>
    public IReadOnlyList<double> Scale => _scale;

    /// <summary>Per-feature offset added after scaling (<c>min_</c>).</summary>
    public IReadOnlyList<double> Min => _min;

    /// <summary>Computes per-feature min and max of <paramref name="x"/> in one pass under the options' budget.</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not 2-D, is empty, or contains infinity.</exception>
    public MinMaxScaler Fit<T>(ChunkedArray<T> x, ComputeOptions? options = null, CancellationToken cancellationToken = default)
        where T : unmanaged, INumberBase<T> => FitAsync(x, options, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Computes per-feature min and max asynchronously (see <see cref="Fit{T}"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not 2-D, is empty, or contains infinity.</exception>
    public async Task<MinMaxScaler> FitAsync<T>(ChunkedArray<T> x, ComputeOptions? options = null, CancellationToken cancellationToken = default)
        where T : unmanaged, INumberBase<T>
    {
        CheckFitInput(x, nameof(MinMaxScaler));
        var states = (await ColumnReducer.RunAsync(x, [new MomentsReducer()], options, cancellationToken).ConfigureAwait(false))[0];
        CheckFinite(nameof(MinMaxScaler), states);
        int cols = (int)x.Shape[1];
        bool any(int c) => states[(c * 6) + MomentsReducer.Count] > 0;
        _dataMin = Enumerable.Range(0, cols).Select(c => any(c) ? states[(c * 6) + MomentsReducer.Min] : double.NaN).ToArray();
        _dataMax = Enumerable.Range(0, cols).Select(c => any(c) ? states[(c * 6) + MomentsReducer.Max] : double.NaN).ToArray();
        var range = HandleZeros(_dataMax.Zip(_dataMin, (a, b) => a - b).ToArray());
        _scale = range.Select(r => (FeatureRange.Max - FeatureRange.Min) / r).ToArray();
        _min = _dataMin.Zip(_scale, (m, s) => FeatureRange.Min - (m * s)).ToArray();
        FeatureCount = cols;
        return this;
    }

    private protected override ChunkedArray<double> TransformCore(ChunkedArray<double> x)
    {
        var y = (x * Columns(x, _scale)) + Columns(x, _min);
        return Clip ? y.Clip(FeatureRange.Min, FeatureRange.Max) : y;
    }

    private protected override ChunkedArray<double> InverseTransformCore(ChunkedArray<double> x) =>
        (x - Columns(x, _min)) / Columns(x, _scale);

    private protected override void WriteParameters(ScalerDocument document)
    {
        document.Settings["feature_range_min"] = FeatureRange.Min;
        document.Settings["feature_range_max"] = FeatureRange.Max;
        document.Settings["clip"] = Clip ? 1 : 0;
        document.Parameters["data_min"] = _dataMin;
        document.Parameters["data_max"] = _dataMax;
        document.Parameters["scale"] = _scale;
        document.Parameters["min"] = _min;
    }

    private protected override void ReadParameters(ScalerDocument document)
    {
        FeatureRange = (document.Settings.GetValueOrDefault("feature_range_min", 0), document.Settings.GetValueOrDefault("feature_range_max", 1));
        Clip = document.Settings.GetValueOrDefault("clip", 0) != 0;
        _dataMin = Get(document, "data_min", FeatureCount);
        _dataMax = Get(document, "data_max", FeatureCount);
        _scale = Get(document, "scale", FeatureCount);
        _min = Get(document, "min", FeatureCount);
    }
}
