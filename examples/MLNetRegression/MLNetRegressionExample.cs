using System.Diagnostics;
using ChunkCompute.Graph;
using ChunkCompute.MLNet;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using Microsoft.ML;
using Microsoft.ML.Trainers;

namespace ChunkCompute.Examples.MLNetRegression;

/// <summary>
/// Generates (once) a float32 feature matrix <c>x</c> (rows × <see cref="Columns"/>, standard normal) and labels
/// <c>y = x · w + <see cref="Bias"/> + <see cref="NoiseStd"/> · noise</c> in a Zarr store, exposes both as one ML.NET
/// <see cref="IDataView"/> read within <see cref="Budget"/> bytes per cursor (the arrays are several times larger),
/// trains an SDCA regression through it and prints the weights found and the metrics (R², RMSE) over the same view.
/// </summary>
public static class MLNetRegressionExample
{
    /// <summary>Rows of the generated data.</summary>
    public const long Rows = 400_000;

    /// <summary>Features per row.</summary>
    public const int Columns = 16;

    /// <summary>The intercept of the generating model.</summary>
    public const float Bias = 3f;

    /// <summary>The standard deviation of the noise added to the labels.</summary>
    public const float NoiseStd = 0.5f;

    /// <summary>The memory budget of each cursor of the data view, in bytes: 8 MiB, a fraction of the 25.6 MB of features.</summary>
    public const long Budget = 8L << 20;

    private const int RowsPerChunk = 10_000;
    private const ulong Seed = 23;

    /// <summary>The generating weight of feature <paramref name="column"/>: (column + 1) / 8 with alternating signs.</summary>
    public static float Weight(int column) => (column % 2 == 0 ? 1 : -1) * (column + 1) / 8f;

    /// <summary>
    /// Runs the example on the store in <c>args[0]</c> (default: a folder in the temp directory); prints what it shows
    /// to <paramref name="output"/>.
    /// </summary>
    /// <returns>The process exit code (0).</returns>
    public static int Run(string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        string directory = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "chunkcompute-mlnet-regression.zarr");
        var clock = Stopwatch.StartNew();

        using var store = ZarrStore.Open(directory);
        if (store.GetNodeKind("x") is null || store.GetNodeKind("y") is null)
        {
            Generate(store);
            output.WriteLine($"generated x: {Rows:N0} x {Columns} float32 and y: {Rows:N0} float32 (chunks of {RowsPerChunk:N0} rows) in {clock.Elapsed.TotalSeconds:F2} s into {directory}");
        }

        var x = store.Open<float>("x");
        var y = store.Open<float>("y");
        long bytes = (x.Length + y.Length) * sizeof(float);
        output.WriteLine($"data: {bytes / 1e6:F1} MB stored; the view reads it within {Budget >> 20} MiB per cursor");

        var view = x.AsDataView(y, new ChunkedDataViewOptions { MemoryBudget = Budget });
        var ml = new MLContext(seed: 1);
        var trainer = ml.Regression.Trainers.Sdca(new SdcaRegressionTrainer.Options
        {
            LabelColumnName = "Label",
            FeatureColumnName = "Features",
            NumberOfThreads = 1,
            MaximumNumberOfIterations = 10,
        });

        clock.Restart();
        var model = trainer.Fit(view);
        output.WriteLine($"trained SDCA in {clock.Elapsed.TotalSeconds:F2} s");
        var weights = model.Model.Weights;
        for (int j = 0; j < Columns; j++)
        {
            output.WriteLine($"weight {j,2}: {weights[j],9:F4} (generated {Weight(j),8:F4})");
        }

        output.WriteLine($"bias: {model.Model.Bias:F4} (generated {Bias:F4})");

        clock.Restart();
        var metrics = ml.Regression.Evaluate(model.Transform(view));
        output.WriteLine($"evaluated in {clock.Elapsed.TotalSeconds:F2} s");
        output.WriteLine($"R^2: {metrics.RSquared:F6}");
        output.WriteLine($"RMSE: {metrics.RootMeanSquaredError:F6}");
        output.WriteLine($"peak buffered by one cursor: {view.PeakBufferBytes / (double)(1 << 20):F2} MiB of a {Budget >> 20} MiB budget (array {bytes / (double)(1 << 20):F1} MiB)");
        return 0;
    }

    // x ~ N(0, 1); y = x · w + b + s · N(0, 1): the product and the row sum are lazy, the noise another seeded source.
    private static void Generate(ZarrStore store)
    {
        var options = new ComputeOptions { MemoryBudget = 64L << 20 };
        var x = ChunkedArray.Random.Normal<float>([Rows, Columns], [RowsPerChunk, Columns], Seed);
        var w = ChunkedArray.FromArray(Enumerable.Range(0, Columns).Select(Weight).ToArray(), [1, Columns], [1, Columns]);
        var noise = ChunkedArray.Random.Normal<float>([Rows], [RowsPerChunk], Seed + 1, std: NoiseStd);
        var y = (x * w).Sum(axis: 1) + noise + Bias;
        x.ToStore(store, "x").Compute(options);
        y.ToStore(store, "y").Compute(options);
    }
}
