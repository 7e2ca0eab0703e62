using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using MathNet.Numerics.LinearAlgebra;

namespace ChunkCompute.ML.LinearAlgebra;

/// <summary>
/// Principal component analysis of the rows of a chunked 2-D array (scikit-learn's <c>PCA</c> conventions):
/// <see cref="Fit{T}"/> computes the column means and the covariance matrix (ddof 1) in one pass under the budget and
/// takes the symmetric eigendecomposition of the n × n covariance (MathNet); <see cref="Transform{T}"/> is lazy.
/// Fitted parameters serialize to and from JSON.
/// </summary>
public sealed class Pca
{
    /// <summary>Creates an unfitted PCA keeping <paramref name="nComponents"/> components.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nComponents"/> is less than 1.</exception>
    public Pca(int nComponents)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nComponents, 1);
        NComponents = nComponents;
    }

    /// <summary>Components kept.</summary>
    public int NComponents { get; }

    /// <summary>True once fitted (or loaded from JSON).</summary>
    public bool IsFitted => _components is not null;

    /// <summary>Rows (samples) the model was fitted on.</summary>
    public long SampleCount { get; private set; }

    /// <summary>Columns (features).</summary>
    public int FeatureCount { get; private set; }

    /// <summary>Per-column means (length n).</summary>
    public IReadOnlyList<double> Mean => Fitted(_mean);

    /// <summary>The principal axes, one row per component (k × n), by decreasing explained variance; each axis's largest-magnitude entry is positive.</summary>
    public IReadOnlyList<IReadOnlyList<double>> Components => Fitted(_components);

    /// <summary>The variance along each component (the covariance's eigenvalues, ddof 1).</summary>
    public IReadOnlyList<double> ExplainedVariance => Fitted(_explainedVariance);

    /// <summary>Each component's share of the total variance (the covariance's trace).</summary>
    public IReadOnlyList<double> ExplainedVarianceRatio => Fitted(_explainedVarianceRatio);

    /// <summary>The singular values of the centred data: sqrt(explained variance × (rows − 1)).</summary>
    public IReadOnlyList<double> SingularValues => Fitted(_explainedVariance).Select(v => Math.Sqrt(Math.Max(0, v) * (SampleCount - 1))).ToArray();

    private double[]? _mean;
    private double[][]? _components;
    private double[]? _explainedVariance;
    private double[]? _explainedVarianceRatio;

    /// <summary>Fits the model to the rows of <paramref name="x"/> (one pass over it).</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentException">x is not 2-D, has fewer than 2 rows, or fewer rows or columns than <see cref="NComponents"/>.</exception>
    public Pca Fit<T>(ChunkedArray<T> x, ComputeOptions? options = null, CancellationToken cancellationToken = default)
        where T : unmanaged, IFloatingPointIeee754<T> => FitAsync(x, options, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Asynchronous <see cref="Fit{T}"/>.</summary>
    /// <returns>This instance.</returns>
    /// <exception cref="ArgumentException">x is not 2-D, has fewer than 2 rows, or fewer rows or columns than <see cref="NComponents"/>.</exception>
    public async Task<Pca> FitAsync<T>(ChunkedArray<T> x, ComputeOptions? options = null, CancellationToken cancellationToken = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        DenseBlocks.RequireFloat<T>("Pca.Fit");
        if (x.Rank != 2)
        {
            throw new ArgumentException($"Pca.Fit needs a 2-D array (samples × features), but the input has shape {DenseBlocks.ShapeText(x.Shape)}", nameof(x));
        }

        long rows = x.Shape[0], cols = x.Shape[1];
        if (rows < 2 || NComponents > Math.Min(rows, cols))
        {
            throw new ArgumentException($"Pca.Fit: nComponents = {NComponents} must be between 1 and min(rows, columns) = {Math.Min(rows, cols)}, and at least 2 rows are needed (input shape {DenseBlocks.ShapeText(x.Shape)})", nameof(x));
        }

        // One pass: the covariance tree and the column means share X's chunks.
        ArrayNode meanNode = x is ChunkedArray<double> d ? d.Mean(0).Node : ((ChunkedArray<float>)(object)x).Mean(0).Node;
        var results = await Computation.ComputeAsync([x.Covariance(ddof: 1).Node, meanNode], options, cancellationToken).ConfigureAwait(false);
        var covariance = ((ComputedArray<T>)results[0]).ToArray().Select(double.CreateTruncating).ToArray();
        var mean = ((ComputedArray<T>)results[1]).ToArray().Select(double.CreateTruncating).ToArray();
        int n = (int)cols;
        var c = Matrix<double>.Build.Dense(n, n, (i, j) => covariance[(i * n) + j]);
        var evd = c.Evd(Symmetricity.Symmetric);
        var values = evd.EigenValues.Select(v => v.Real).ToArray();
        var order = Enumerable.Range(0, n).OrderByDescending(i => values[i]).Take(NComponents).ToArray();
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            total += c.At(i, i);
        }

        var components = new double[NComponents][];
        for (int k = 0; k < NComponents; k++)
        {
            var axis = evd.EigenVectors.Column(order[k]).ToArray();
            int largest = 0;
            for (int j = 1; j < n; j++)
            {
                largest = Math.Abs(axis[j]) > Math.Abs(axis[largest]) ? j : largest;
            }

            if (axis[largest] < 0)
            {
                for (int j = 0; j < n; j++)
                {
                    axis[j] = -axis[j];
                }
            }

            components[k] = axis;
        }

        _mean = mean;
        _components = components;
        _explainedVariance = order.Select(i => Math.Max(0, values[i])).ToArray();
        _explainedVarianceRatio = _explainedVariance.Select(v => v / total).ToArray();
        SampleCount = rows;
        FeatureCount = n;
        return this;
    }

    /// <summary>
    /// Projects the rows of <paramref name="x"/> on the components, lazily: (x − mean)·Componentsᵀ, an elementwise
    /// subtraction followed by a chunked <see cref="ChunkedLinearAlgebra.MatMul{T}"/> with the in-memory n × k matrix.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    /// <exception cref="ArgumentException">x is not 2-D or has another number of columns than the fitted data.</exception>
    public ChunkedArray<T> Transform<T>(ChunkedArray<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        var components = Fitted(_components);
        if (x.Rank != 2 || x.Shape[1] != FeatureCount)
        {
            throw new ArgumentException($"Pca.Transform: the model was fitted on {FeatureCount} columns, but the input has shape {DenseBlocks.ShapeText(x.Shape)}", nameof(x));
        }

        var columnChunks = x.Chunks.Sizes(1);
        var mean = ChunkedArray.FromArray(_mean!.Select(T.CreateTruncating).ToArray(), ChunkGrid.FromSizes([columnChunks]));
        var weights = new T[FeatureCount * NComponents];
        for (int j = 0; j < FeatureCount; j++)
        {
            for (int k = 0; k < NComponents; k++)
            {
                weights[(j * NComponents) + k] = T.CreateTruncating(components[k][j]);
            }
        }

        var w = ChunkedArray.FromArray(weights, ChunkGrid.FromSizes([columnChunks, [NComponents]]));
        return (x - mean).MatMul(w);
    }

    /// <summary>The fitted parameters as JSON (scikit-learn's attribute names).</summary>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    public string ToJson()
    {
        var state = new PcaState
        {
            NComponents = NComponents,
            NSamples = SampleCount,
            NFeatures = FeatureCount,
            Mean = Fitted(_mean),
            Components = Fitted(_components),
            ExplainedVariance = Fitted(_explainedVariance),
            ExplainedVarianceRatio = Fitted(_explainedVarianceRatio),
        };
        return JsonSerializer.Serialize(state, PcaJson.Default.PcaState);
    }

    /// <summary>Restores a fitted model from <see cref="ToJson"/>'s output.</summary>
    /// <exception cref="JsonException">The JSON is malformed or its arrays do not have consistent sizes.</exception>
    public static Pca FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var state = JsonSerializer.Deserialize(json, PcaJson.Default.PcaState) ?? throw new JsonException("Pca.FromJson: the JSON is null");
        int k = state.NComponents, n = state.NFeatures;
        if (k < 1 || n < k || state.Mean?.Length != n || state.Components?.Length != k || state.Components.Any(c => c?.Length != n)
            || state.ExplainedVariance?.Length != k || state.ExplainedVarianceRatio?.Length != k)
        {
            throw new JsonException($"Pca.FromJson: inconsistent parameters (n_components {k}, n_features {n}: mean needs {n} values, components {k} rows of {n}, explained variances {k})");
        }

        return new Pca(k)
        {
            SampleCount = state.NSamples,
            FeatureCount = n,
            _mean = state.Mean,
            _components = state.Components,
            _explainedVariance = state.ExplainedVariance,
            _explainedVarianceRatio = state.ExplainedVarianceRatio,
        };
    }

    private TValue Fitted<TValue>(TValue? value)
        where TValue : class => value ?? throw new InvalidOperationException("the PCA is not fitted: call Fit first (or load one with FromJson)");

    internal sealed class PcaState
    {
        [JsonPropertyName("n_components")]
        public int NComponents { get; set; }

        [JsonPropertyName("n_samples")]
        public long NSamples { get; set; }

        [JsonPropertyName("n_features")]
        public int NFeatures { get; set; }

        [JsonPropertyName("mean")]
        public double[]? Mean { get; set; }

        [JsonPropertyName("components")]
        public double[][]? Components { get; set; }

        [JsonPropertyName("explained_variance")]
        public double[]? ExplainedVariance { get; set; }

        [JsonPropertyName("explained_variance_ratio")]
        public double[]? ExplainedVarianceRatio { get; set; }
    }
}

/// <summary>
/// Source-generated JSON metadata for <see cref="Pca.PcaState"/> (no reflection: trimming and Native AOT safe); the
/// options are the former reflection options (indented, otherwise the defaults).
/// </summary>
[JsonSerializable(typeof(Pca.PcaState))]
[JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class PcaJson : JsonSerializerContext;
