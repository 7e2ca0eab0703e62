using System.Text.Json;
using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.ML;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;

namespace ChunkCompute.Tests.ML.Scalers;

/// <summary>Passes over the data, inverse transforms, ToStore, JSON and bad input.</summary>
public sealed class ScalerBehaviourTests
{
    private static ChunkedArray<double> Data(int rows, int cols, int rowChunk, int colChunk, out double[] data)
    {
        var values = new double[rows * cols];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (Math.Sin(i * 0.7) * (1 + (i % cols))) + (i % cols * 10);
        }

        data = values;
        return ChunkedArray.FromArray(values, [rows, cols], [rowChunk, colChunk]);
    }

    public static TheoryData<string> Kinds => new() { "standard", "minmax", "robust" };

    private static ColumnScaler FitKind(string kind, ChunkedArray<double> x) => kind switch
    {
        "standard" => new StandardScaler().Fit(x),
        "minmax" => new MinMaxScaler((-2, 3)).Fit(x),
        _ => new RobustScaler(quantileRange: (5, 95)).Fit(x),
    };

    [Fact]
    public void Fit_ReadsTheInputOncePerPass()
    {
        var x = Data(500, 6, 50, 2, out _);
        int executions = 0;
        var counted = x.MapBlocks<double, double>((input, output, _) =>
        {
            Interlocked.Increment(ref executions);
            input.CopyTo(output);
        });
        new StandardScaler().Fit(counted);
        Assert.Equal(30, executions); // 10 × 3 chunks, once
        executions = 0;
        new MinMaxScaler().Fit(counted);
        Assert.Equal(30, executions);
        executions = 0;
        new RobustScaler().Fit(counted);
        Assert.Equal(120, executions); // min/max, then three histogram levels
        executions = 0;
        new RobustScaler(levels: 1).Fit(counted);
        Assert.Equal(60, executions);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void InverseTransform_UndoesTransform(string kind)
    {
        var x = Data(300, 5, 64, 3, out var data);
        var scaler = FitKind(kind, x);
        var back = scaler.InverseTransform(scaler.Transform(x)).Compute().ToArray();
        for (int i = 0; i < data.Length; i++)
        {
            Assert.Equal(data[i], back[i], 1e-9);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Json_RoundTrip_GivesTheSameTransform(string kind)
    {
        var x = Data(200, 4, 30, 4, out _);
        var scaler = FitKind(kind, x);
        string json = scaler.ToJson();
        var loaded = ColumnScaler.FromJson(json);
        Assert.Equal(scaler.GetType(), loaded.GetType());
        Assert.Equal(4, loaded.FeatureCount);
        Assert.Equal(scaler.Transform(x).Compute().ToArray(), loaded.Transform(x).Compute().ToArray());
        Assert.Equal(json, loaded.ToJson());
        Assert.Contains("\"scale\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_KeepsSettingsAndNaN()
    {
        var x = ChunkedArray.FromArray([1.0, double.NaN, 3, double.NaN], [2, 2], [2, 2]);
        var scaler = new StandardScaler(withMean: false).Fit(x);
        var loaded = (StandardScaler)ColumnScaler.FromJson(scaler.ToJson());
        Assert.False(loaded.WithMean);
        Assert.True(loaded.WithStd);
        Assert.True(double.IsNaN(loaded.Mean[1])); // an all-NaN feature
        var robust = (RobustScaler)ColumnScaler.FromJson(new RobustScaler(withCentering: false, quantileRange: (10, 80), bins: 64, levels: 2).Fit(x).ToJson());
        Assert.False(robust.WithCentering);
        Assert.Equal((10.0, 80.0), robust.QuantileRange);
        Assert.Equal(64, robust.Bins);
        Assert.Equal(2, robust.Levels);
        var minmax = (MinMaxScaler)ColumnScaler.FromJson(new MinMaxScaler((-1, 1), clip: true).Fit(x).ToJson());
        Assert.Equal((-1.0, 1.0), minmax.FeatureRange);
        Assert.True(minmax.Clip);
    }

    [Fact]
    public void Json_BadDocuments_ClearErrors()
    {
        var unknown = Assert.Throws<JsonException>(() => ColumnScaler.FromJson("{\"type\":\"PowerTransformer\",\"featureCount\":2}"));
        Assert.Contains("PowerTransformer", unknown.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<JsonException>(() => ColumnScaler.FromJson("{\"type\":\"StandardScaler\",\"featureCount\":2,\"parameters\":{\"mean\":[1,2]}}"));
        Assert.Contains("'var'", missing.Message, StringComparison.Ordinal);
        var length = Assert.Throws<JsonException>(() => ColumnScaler.FromJson("{\"type\":\"MinMaxScaler\",\"featureCount\":2,\"parameters\":{\"data_min\":[1]}}"));
        Assert.Contains("1 values, not 2", length.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Transform_IsLazy_AndWritesWithToStore()
    {
        using var store = ZarrStore.InMemory();
        var data = Enumerable.Range(0, 1000 * 3).Select(i => (float)(i % 17) * (1 + (i % 3))).ToArray();
        store.CreateArray<float>("x", [1000, 3], [128, 3]).Write(data);
        var x = store.Open<float>("x");
        var scaler = new StandardScaler().Fit(x);
        var scaled = scaler.Transform(x);
        Assert.Equal(x.Shape, scaled.Shape);
        scaled.ToStore(store, "scaled").Compute();
        var written = store.Open<float>("scaled").Compute().ToArray();
        Assert.Equal(scaled.Compute().ToArray(), written);
        var again = new StandardScaler().Fit(store.Open<float>("scaled"));
        Assert.All(again.Mean, m => Assert.Equal(0, m, 1e-6));
        Assert.All(again.Variance, v => Assert.Equal(1, v, 1e-5));
    }

    [Fact]
    public void BadInput_ClearErrors()
    {
        var x = Data(20, 4, 10, 4, out _);
        var unfitted = Assert.Throws<InvalidOperationException>(() => new RobustScaler().Transform(x));
        Assert.Contains("not fitted", unfitted.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => new StandardScaler().ToJson());
        Assert.Throws<InvalidOperationException>(() => new MinMaxScaler().InverseTransform(x));

        var scaler = new StandardScaler().Fit(x);
        var wrong = Assert.Throws<ArgumentException>(() => scaler.Transform(Data(20, 5, 10, 5, out _)));
        Assert.Contains("5 features", wrong.Message, StringComparison.Ordinal);
        Assert.Contains("fitted on 4", wrong.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => scaler.InverseTransform(Data(20, 3, 10, 3, out _)));

        var oneD = ChunkedArray.FromArray(new double[10], 5);
        Assert.Contains("2-D", Assert.Throws<ArgumentException>(() => new StandardScaler().Fit(oneD)).Message, StringComparison.Ordinal);
        var inf = ChunkedArray.FromArray([1.0, double.PositiveInfinity, 2, 3], [2, 2], [1, 2]);
        Assert.Contains("feature 1 contains infinity", Assert.Throws<ArgumentException>(() => new MinMaxScaler().Fit(inf)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new MinMaxScaler((1, 1)));
        Assert.Throws<ArgumentException>(() => new RobustScaler(quantileRange: (80, 20)));
    }
}
