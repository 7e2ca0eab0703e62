using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using Microsoft.ML.OnnxRuntime;
using Xunit;

namespace ChunkCompute.Onnx.Tests;

public sealed class OnnxInferenceTests
{
    // float32: 16 products of N(0, 1) inputs and N(0, 0.25) weights summed in float32 by ONNX Runtime against the
    // NumPy float64 sum rounded once: |error| ≤ a few ulps of the partial sums (≈ 5) → 2e-6 relative, 1e-5 absolute.
    private const double F32Absolute = 1e-5;

    [Fact]
    public void ChunkedInference_OnAnIrregularGrid_EqualsNumPyAndOneWholeArrayCall()
    {
        var (x, shape) = Fixtures.Load<float>("x.npy");
        var (expected, yShape) = Fixtures.Load<float>("y_expected.npy");
        Assert.Equal([203L, 16L], shape);
        Assert.Equal([203L, 4L], yShape);
        using var model = new OnnxModel(Fixtures.ModelPath);

        // Rows in chunks of 1..5, the features split 5 + 11 (so Infer rechunks to whole rows), 3 rows per Run call.
        var array = Fixtures.OnGrid(x, Fixtures.Irregular(203, 5), [5, 11]);
        var y = array.Infer(model, "X", "Y", batchRows: 3);
        Assert.Equal([203L, 4L], y.Shape);
        Assert.Equal(Fixtures.Irregular(203, 5), y.Chunks.Sizes(0));
        float[] chunked = y.Compute().ToArray();

        Assert.Equal(expected.Length, chunked.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(chunked[i] - expected[i]) <= F32Absolute + (2e-6 * Math.Abs(expected[i])), $"element {i}: {chunked[i]} vs NumPy {expected[i]}");
        }

        // The same session's single call on the whole array (which fits): the chunking changes nothing but the
        // batch sizes, so at most a last-bit difference of the MatMul's summation order.
        float[] whole = WholeArrayCall(Fixtures.ModelPath, x, 203);
        for (int i = 0; i < whole.Length; i++)
        {
            Assert.True(Math.Abs(chunked[i] - whole[i]) <= 1e-6 * (1 + Math.Abs(whole[i])), $"element {i}: {chunked[i]} vs whole-array {whole[i]}");
        }

        Assert.Contains(chunked, v => v == 0f); // the ReLU is exercised
        Assert.Contains(chunked, v => v > 0.5f);
    }

    [Fact]
    public void Float64Model_OnChunksOfRows_EqualsNumPy()
    {
        var (x, _) = Fixtures.Load<float>("x.npy");
        var (expected, _) = Fixtures.Load<double>("y_expected_f64.npy");
        using var model = new OnnxModel(Fixtures.Model64Path);
        var array = Fixtures.OnGrid(x.Select(v => (double)v).ToArray(), Fixtures.Irregular(203, 7), [16]);
        double[] y = array.Infer(model, "X", "Y", batchRows: 4).Compute().ToArray();
        Assert.Equal(expected.Length, y.Length);
        for (int i = 0; i < y.Length; i++)
        {
            Assert.Equal(expected[i], y[i], 1e-12);
        }
    }

    [Fact]
    public void ToStore_InMemory_ReadsBackTheInference()
    {
        var (x, _) = Fixtures.Load<float>("x.npy");
        var (expected, _) = Fixtures.Load<float>("y_expected.npy");
        using var model = new OnnxModel(Fixtures.ModelPath);
        using var store = ZarrStore.InMemory();
        var y = Fixtures.OnGrid(x, [64, 64, 64, 11], [16]).Infer(model, "X", "Y", batchRows: 50);
        using (var write = y.ToStore(store, "y"))
        {
            var stats = write.Compute();
            Assert.Equal(3 * 4, stats.Tasks); // per chunk of rows: the in-memory source, the inference and the write
        }

        var back = store.Open<float>("y");
        Assert.Equal([203L, 4L], back.Shape);
        float[] read = back.Compute().ToArray();
        for (int i = 0; i < read.Length; i++)
        {
            Assert.True(Math.Abs(read[i] - expected[i]) <= F32Absolute + (2e-6 * Math.Abs(expected[i])), $"element {i}: {read[i]} vs NumPy {expected[i]}");
        }
    }

    [Fact]
    public void AnArraySeveralTimesTheBudget_IsInferredWithinIt()
    {
        const long Rows = 200_000; // 12.2 MiB of float32 features, 3.1 MiB of outputs
        const long Budget = 3L << 20;
        using var model = new OnnxModel(Fixtures.ModelPath);
        var x = ChunkedArray.Random.Normal<float>([Rows, Fixtures.Features], [10_000, Fixtures.Features], 7);
        var options = new ComputeOptions { MemoryBudget = Budget };
        using var store = ZarrStore.InMemory();
        ComputeStatistics stats;
        using (var write = x.Infer(model, "X", "Y", batchRows: 1000).ToStore(store, "y", chunks: [10_000, Fixtures.Outputs]))
        {
            stats = write.Compute(options);
        }

        Assert.True(Rows * Fixtures.Features * sizeof(float) > 4 * Budget);
        Assert.InRange(stats.PeakMemoryBytes, 1, Budget);
        Assert.InRange(stats.ProjectedPeakBytes, 1, Budget);

        // Every row against Relu(x W + b) in float64 from the generator's weights.
        float[] features = x.Compute().ToArray();
        double[] reference = Fixtures.Reference(features);
        float[] y = store.Open<float>("y").Compute().ToArray();
        Assert.Equal(reference.Length, y.Length);
        for (int i = 0; i < y.Length; i++)
        {
            Assert.True(Math.Abs(y[i] - reference[i]) <= 2e-5 + (2e-6 * Math.Abs(reference[i])), $"element {i}: {y[i]} vs {reference[i]}");
        }
    }

    [Fact]
    public void ModelMemory_CountedInThePlan_ARunThatCannotFitIsRefusedBeforeItStarts()
    {
        var (x, _) = Fixtures.Load<float>("x.npy");
        // Say each row needs 1 MiB of intermediates: a 64-row batch alone holds 64 MiB, more than the 16 MiB budget.
        using var model = new OnnxModel(Fixtures.ModelPath) { WorkingBytesPerRow = 1L << 20 };
        var y = Fixtures.OnGrid(x, [100, 103], [16]).Infer(model, "X", "Y", batchRows: 64);
        var e = Assert.Throws<MemoryPlanRefusedException>(() => y.Compute(new ComputeOptions { MemoryBudget = 16L << 20 }));
        Assert.Contains("onnx-infer", e.Message, StringComparison.Ordinal);

        // With 8-row batches (8 MiB + the session) it fits and runs.
        var fits = Fixtures.OnGrid(x, [100, 103], [16]).Infer(model, "X", "Y", batchRows: 8).Compute(new ComputeOptions { MemoryBudget = 16L << 20 });
        Assert.InRange(fits.Statistics.ProjectedPeakBytes, (8L << 20) + model.SessionBytes, 16L << 20);
        Assert.Equal(2 * new FileInfo(Fixtures.ModelPath).Length, model.SessionBytes);
    }

    [Fact]
    public void WrongInputOrOutputName_NamesTheModelsInputsAndOutputs()
    {
        using var model = new OnnxModel(Fixtures.ModelPath);
        var x = Fixtures.OnGrid(new float[10 * 16], [10], [16]);

        var input = Assert.Throws<ArgumentException>(() => x.Infer(model, "input", "Y", 4));
        Assert.Contains("no input 'input'", input.Message, StringComparison.Ordinal);
        Assert.Contains("linear_relu.onnx", input.Message, StringComparison.Ordinal);
        Assert.Contains("'X' Float [N, 16]", input.Message, StringComparison.Ordinal);
        Assert.Contains("'Y' Float [N, 4]", input.Message, StringComparison.Ordinal);
        Assert.Equal("inputName", input.ParamName);

        var output = Assert.Throws<ArgumentException>(() => x.Infer(model, "X", "logits", 4));
        Assert.Contains("no output 'logits'", output.Message, StringComparison.Ordinal);
        Assert.Contains("'Y' Float [N, 4]", output.Message, StringComparison.Ordinal);
        Assert.Equal("outputName", output.ParamName);

        Assert.Equal([-1L, 16L], model.Inputs["X"]);
        Assert.Equal([-1L, 4L], model.Outputs["Y"]);
    }

    [Fact]
    public void WrongFeatureCountRankOrType_IsRefusedBeforeAnythingRuns()
    {
        using var model = new OnnxModel(Fixtures.ModelPath);
        var fifteen = Fixtures.OnGrid(new float[10 * 15], [10], [15]);
        var e = Assert.Throws<ArgumentException>(() => fifteen.Infer(model, "X", "Y", 4));
        Assert.Contains("input 'X' [-1, 16] must be [batch, 15]", e.Message, StringComparison.Ordinal);

        var vector = ChunkedArray.FromArray(new float[16], [16L], [16]);
        Assert.Throws<ArgumentException>(() => vector.Infer(model, "X", "Y", 4));

        var doubles = Fixtures.OnGrid(new double[10 * 16], [10], [16]);
        var type = Assert.Throws<ArgumentException>(() => doubles.Infer(model, "X", "Y", 4));
        Assert.Contains("Double", type.Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentOutOfRangeException>(() => Fixtures.OnGrid(new float[10 * 16], [10], [16]).Infer(model, "X", "Y", 0));
        Assert.Throws<ArgumentException>(() => new OnnxModel([1, 2, 3, 4], "garbage"));

        model.Dispose();
        Assert.Throws<ObjectDisposedException>(() => Fixtures.OnGrid(new float[10 * 16], [10], [16]).Infer(model, "X", "Y", 4));
    }

    [Fact]
    public async Task Cancellation_StopsTheInference()
    {
        using var model = new OnnxModel(Fixtures.ModelPath);
        var x = ChunkedArray.Random.Normal<float>([20_000_000, Fixtures.Features], [20_000, Fixtures.Features], 3);
        var y = x.Infer(model, "X", "Y", batchRows: 512).Sum();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => y.ComputeAsync(new ComputeOptions { MemoryBudget = 64L << 20 }, cts.Token));
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 10); // 1.2 GiB of features: far longer than that when not stopped
    }

    private static float[] WholeArrayCall(string modelPath, float[] x, int rows)
    {
        using var session = new InferenceSession(modelPath);
        using var input = OrtValue.CreateTensorValueFromMemory(x, [rows, Fixtures.Features]);
        using var results = session.Run(new RunOptions(), ["X"], [input], ["Y"]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
