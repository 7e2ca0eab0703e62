using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;
using ChunkCompute.Graph;
using ChunkCompute.Ops;

namespace ChunkCompute.ML;

/// <summary>
/// A column-wise scaler of 2-D arrays (samples in axis 0, features in axis 1) with scikit-learn's semantics:
/// <c>Fit</c> computes per-feature statistics through the engine under a memory budget, <c>Transform</c> and
/// <c>InverseTransform</c> are lazy elementwise expressions (write them with <c>ToStore</c> or compute them), and the
/// fitted parameters serialize to JSON. NaNs are ignored when fitting and kept when transforming, as scikit-learn.
/// </summary>
public abstract class ColumnScaler
{
    /// <summary>NumPy's <c>finfo(float64).eps</c> (2^-52).</summary>
    private protected const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>Features (columns) seen by <c>Fit</c>; 0 before.</summary>
    public int FeatureCount { get; private protected set; }

    /// <summary>True once fitted (or loaded from JSON).</summary>
    public bool IsFitted => FeatureCount > 0;

    /// <summary>
    /// Scales <paramref name="x"/> lazily with the fitted parameters (computed in float64, rounded once to
    /// <typeparamref name="T"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The scaler is not fitted.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not 2-D or has a different number of columns than the data it was fitted on.</exception>
    public ChunkedArray<T> Transform<T>(ChunkedArray<T> x)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckTransformInput(x, nameof(Transform));
        return TransformCore(x.AsType<T, double>()).AsType<double, T>();
    }

    /// <summary>Undoes <see cref="Transform{T}"/> lazily.</summary>
    /// <exception cref="InvalidOperationException">The scaler is not fitted.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not 2-D or has a different number of columns than the data it was fitted on.</exception>
    public ChunkedArray<T> InverseTransform<T>(ChunkedArray<T> x)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        CheckTransformInput(x, nameof(InverseTransform));
        return InverseTransformCore(x.AsType<T, double>()).AsType<double, T>();
    }

    /// <summary>The fitted parameters and settings as JSON (scikit-learn's attribute names).</summary>
    /// <exception cref="InvalidOperationException">The scaler is not fitted.</exception>
    public string ToJson()
    {
        RequireFitted();
        var document = new ScalerDocument { Type = GetType().Name, FeatureCount = FeatureCount };
        WriteParameters(document);
        return JsonSerializer.Serialize(document, ScalerJson.Default.ScalerDocument);
    }

    /// <summary>Reads any scaler written by <see cref="ToJson"/>.</summary>
    /// <exception cref="JsonException">The text is not a scaler document, or a parameter is missing or has the wrong length.</exception>
    public static ColumnScaler FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var document = JsonSerializer.Deserialize(json, ScalerJson.Default.ScalerDocument) ?? throw new JsonException("the JSON is null, not a scaler");
        ColumnScaler scaler = document.Type switch
        {
            nameof(StandardScaler) => new StandardScaler(),
            nameof(MinMaxScaler) => new MinMaxScaler(),
            nameof(RobustScaler) => new RobustScaler(),
            _ => throw new JsonException($"unknown scaler type '{document.Type}' (expected StandardScaler, MinMaxScaler or RobustScaler)"),
        };
        if (document.FeatureCount < 1)
        {
            throw new JsonException($"featureCount must be at least 1, not {document.FeatureCount}");
        }

        scaler.FeatureCount = document.FeatureCount;
        scaler.ReadParameters(document);
        return scaler;
    }

    /// <summary>The scaling as an expression over float64 data.</summary>
    private protected abstract ChunkedArray<double> TransformCore(ChunkedArray<double> x);

    /// <summary>The inverse scaling as an expression over float64 data.</summary>
    private protected abstract ChunkedArray<double> InverseTransformCore(ChunkedArray<double> x);

    private protected abstract void WriteParameters(ScalerDocument document);

    private protected abstract void ReadParameters(ScalerDocument document);

    /// <summary>Checks the input of <c>Fit</c>: 2-D with at least one row and one column.</summary>
    private protected static void CheckFitInput<T>(ChunkedArray<T> x, string scaler)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 2)
        {
            throw new ArgumentException($"{scaler}.Fit needs a 2-D array (samples × features), not shape [{string.Join(", ", x.Shape)}]", nameof(x));
        }

        if (x.Shape[0] < 1 || x.Shape[1] < 1)
        {
            throw new ArgumentException($"{scaler}.Fit needs at least one sample and one feature, not shape [{string.Join(", ", x.Shape)}]", nameof(x));
        }

        if (x.Shape[1] > int.MaxValue)
        {
            throw new ArgumentException($"{scaler}.Fit supports up to {int.MaxValue} features, not {x.Shape[1]}", nameof(x));
        }
    }

    /// <summary>Rejects infinite values (scikit-learn's check_array does too): they make every statistic meaningless.</summary>
    private protected static void CheckFinite(string scaler, double[] moments)
    {
        for (int c = 0; c < moments.Length / 6; c++)
        {
            if (moments[(c * 6) + MomentsReducer.Count] > 0
                && (double.IsInfinity(moments[(c * 6) + MomentsReducer.Min]) || double.IsInfinity(moments[(c * 6) + MomentsReducer.Max])))
            {
                throw new ArgumentException($"{scaler}.Fit: feature {c} contains infinity (NaN is ignored, infinity is not allowed, as in scikit-learn)");
            }
        }
    }

    /// <summary>A per-column vector broadcast against <paramref name="x"/>'s columns (chunked like them).</summary>
    private protected static ChunkedArray<double> Columns(ChunkedArray<double> x, double[] values) =>
        ChunkedArray.FromArray(values, ChunkGrid.FromSizes([x.Chunks.Sizes(1)]));

    /// <summary>scikit-learn's <c>_handle_zeros_in_scale</c>: scales below 10 ε (or flagged constant) become 1.</summary>
    private protected static double[] HandleZeros(double[] scale, bool[]? constant = null) =>
        scale.Select((s, i) => (constant is not null ? constant[i] : s < 10 * MachineEpsilon) ? 1.0 : s).ToArray();

    private protected void RequireFitted()
    {
        if (!IsFitted)
        {
            throw new InvalidOperationException($"this {GetType().Name} is not fitted yet: call Fit (or FromJson) before using it");
        }
    }

    private protected static double[] Get(ScalerDocument document, string name, int length)
    {
        if (document.Parameters is null || !document.Parameters.TryGetValue(name, out var values))
        {
            throw new JsonException($"{document.Type}: parameter '{name}' is missing");
        }

        if (values.Length != length)
        {
            throw new JsonException($"{document.Type}: parameter '{name}' has {values.Length} values, not {length}");
        }

        return values;
    }

    private void CheckTransformInput<T>(ChunkedArray<T> x, string operation)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(x);
        RequireFitted();
        if (x.Rank != 2)
        {
            throw new ArgumentException($"{GetType().Name}.{operation} needs a 2-D array (samples × features), not shape [{string.Join(", ", x.Shape)}]", nameof(x));
        }

        if (x.Shape[1] != FeatureCount)
        {
            throw new ArgumentException($"{GetType().Name}.{operation}: x has {x.Shape[1]} features (columns) but the scaler was fitted on {FeatureCount}", nameof(x));
        }
    }
}

/// <summary>The JSON form of a fitted scaler.</summary>
internal sealed class ScalerDocument
{
    public string Type { get; set; } = string.Empty;

    public int FeatureCount { get; set; }

    public Dictionary<string, double> Settings { get; set; } = [];

    public Dictionary<string, double[]> Parameters { get; set; } = [];
}

/// <summary>
/// Source-generated JSON metadata for <see cref="ScalerDocument"/> (no reflection: trimming and Native AOT safe), with
/// the options the scalers always used: camelCase names, NaN/±Infinity as named literals, indented.
/// </summary>
[JsonSerializable(typeof(ScalerDocument))]
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    WriteIndented = true)]
internal sealed partial class ScalerJson : JsonSerializerContext;
