using System.Diagnostics;
using ChunkCompute.Graph;
using ChunkCompute.Onnx;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;

namespace ChunkCompute.Examples.OnnxInference;

/// <summary>
/// Runs an ONNX model (rows × 16 float32 features → rows × 4) over a stored float32 feature matrix with
/// <c>x.Infer(model, "X", "Y", batchRows)</c> and writes the predictions with <c>ToStore</c>: one task per chunk of
/// rows on every core, each ONNX Runtime call on one thread, the whole within a memory budget smaller than the data.
/// </summary>
public static class OnnxInferenceExample
{
    /// <summary>Rows of the generated feature matrix.</summary>
    public const long Rows = 400_000;

    /// <summary>Features per row (the model's input width).</summary>
    public const int Features = 16;

    /// <summary>The stored input array.</summary>
    public const string InputArray = "features";

    /// <summary>The array the predictions are written to.</summary>
    public const string OutputArray = "predictions";

    /// <summary>Rows per ONNX Runtime call.</summary>
    public const int BatchRows = 2048;

    /// <summary>The memory budget of every pass: 8 MiB, a third of the 24 MiB matrix.</summary>
    public const long Budget = 8L << 20;

    private const int RowsPerChunk = 25_000;
    private const ulong Seed = 23;

    /// <summary>
    /// Runs the example on the store in <c>args[0]</c> (default: a folder in the temp directory) with the model
    /// <c>args[1]</c> (default: <c>linear_relu.onnx</c> next to the program); prints what it shows to
    /// <paramref name="output"/>.
    /// </summary>
    /// <returns>The process exit code (0).</returns>
    public static int Run(string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        string directory = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "chunkcompute-onnx.zarr");
        string modelPath = args.Length > 1 ? args[1] : Path.Combine(AppContext.BaseDirectory, "linear_relu.onnx");
        var options = new ComputeOptions { MemoryBudget = Budget };
        var clock = Stopwatch.StartNew();

        using var store = ZarrStore.Open(directory);
        if (store.GetNodeKind(InputArray) is null)
        {
            ChunkedArray.Random.Normal<float>([Rows, Features], [RowsPerChunk, Features], Seed).ToStore(store, InputArray).Compute(options);
            output.WriteLine($"generated {Rows:N0} x {Features} float32 features ({Rows * Features * sizeof(float) >> 20} MiB) in {clock.Elapsed.TotalSeconds:F2} s");
        }

        using var model = new OnnxModel(modelPath);
        output.WriteLine(model);
        var x = store.Open<float>(InputArray);

        // Lazy: one inference task per chunk of rows, in batches of BatchRows rows per Run call.
        var predictions = x.Infer(model, "X", "Y", BatchRows);
        using var write = predictions.ToStore(store, OutputArray, new ArrayOptions { Overwrite = true });
        output.Write(ExecutionPlan.Create([write.Node], options).Explain());
        clock.Restart();
        var written = write.Compute(options);
        double seconds = clock.Elapsed.TotalSeconds;
        output.WriteLine($"inferred {Rows:N0} rows into {directory}/{OutputArray} [{string.Join(", ", predictions.Shape)}] in {seconds:F2} s " +
                         $"({Rows / seconds / 1e6:F2} M rows/s, {written.Tasks} tasks)");
        output.WriteLine($"peak chunk memory {Mib(written.PeakMemoryBytes)} MiB of a {Budget >> 20} MiB budget");

        // Read back: the mean of each output column and the fraction of rows the ReLU left positive.
        var y = store.Open<float>(OutputArray);
        var (mean, positive) = Computation.Compute(y.Mean(axis: 0), (y > 0f).AsType<double>().Mean(axis: 0), options);
        float[] m = mean.ToArray();
        double[] p = positive.ToArray();
        for (int c = 0; c < m.Length; c++)
        {
            output.WriteLine($"output {c}: mean {m[c]:F6}  positive {p[c]:P1}");
        }

        return 0;
    }

    private static string Mib(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("F1");
}
