using System.Diagnostics;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;

namespace ChunkCompute.Examples.Preprocessing;

/// <summary>
/// Standardizes the columns of a float32 feature matrix stored in Zarr: mean and std per column in one pass,
/// <c>(x - mean) / std</c> with broadcasting written with <c>ToStore</c>, then the written array's column means
/// (≈ 0) and stds (≈ 1) computed and printed, every pass under a fixed memory budget for chunk buffers.
/// </summary>
public static class PreprocessingExample
{
    /// <summary>Rows of the generated feature matrix.</summary>
    public const long Rows = 500_000;

    /// <summary>Columns (features) of the generated feature matrix.</summary>
    public const int Columns = 32;

    /// <summary>The array read when no name is given, and generated when it does not exist.</summary>
    public const string DefaultArray = "features";

    /// <summary>Suffix of the array the standardized features are written to.</summary>
    public const string OutputSuffix = "_standardized";

    private const int RowsPerChunk = 50_000;
    private const long Budget = 64L << 20; // chunk buffers, whatever the matrix size; each pass projects a peak of about 49 MiB
    private const ulong Seed = 2024;

    /// <summary>The mean of generated column <paramref name="column"/>: from -80 to 75 in steps of 5.</summary>
    public static double GeneratedMean(int column) => (column - 16) * 5.0;

    /// <summary>The standard deviation of generated column <paramref name="column"/>: from 0.1 to about 100, log-spaced.</summary>
    public static double GeneratedScale(int column) => 0.1 * Math.Pow(10, 3.0 * column / (Columns - 1));

    /// <summary>
    /// Runs the example on the store in <c>args[0]</c> (default: a folder in the temp directory), standardizing the
    /// float32 2-D array <c>args[1]</c> (default <see cref="DefaultArray"/>, generated when missing) into
    /// <c>ARRAY_standardized</c>; prints what it shows to <paramref name="output"/>.
    /// </summary>
    /// <returns>The process exit code (0).</returns>
    public static int Run(string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        string directory = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "chunkcompute-preprocessing.zarr");
        string name = args.Length > 1 ? args[1] : DefaultArray;
        var options = new ComputeOptions { MemoryBudget = Budget };
        var clock = Stopwatch.StartNew();

        using var store = ZarrStore.Open(directory);
        if (store.GetNodeKind(name) is null)
        {
            Generate(store, name, options);
            output.WriteLine($"generated {Rows:N0} x {Columns} float32 features ({Rows * Columns * sizeof(float) >> 20} MiB, chunks {RowsPerChunk:N0} x {Columns}) " +
                             $"in {clock.Elapsed.TotalSeconds:F2} s into {directory}/{name}");
        }

        var x = store.Open<float>(name);
        if (x.Rank != 2)
        {
            throw new InvalidOperationException($"{directory}/{name} has {x.Rank} dimensions; a feature matrix (rows x features) has 2");
        }

        long rows = x.Shape[0];
        int columns = checked((int)x.Shape[1]);
        output.WriteLine($"features: {rows:N0} x {columns} float32, {rows * columns * sizeof(float) >> 20} MiB; memory budget {Budget >> 20} MiB");

        // 1. Per-column mean and std in one pass over the stored chunks.
        clock.Restart();
        var (mean, std) = Computation.Compute(x.Mean(axis: 0), x.Std(axis: 0), options);
        output.WriteLine($"pass 1: mean and std of every column in one pass in {clock.Elapsed.TotalSeconds:F2} s, " +
                         $"peak chunk memory {Mib(mean.Statistics.PeakMemoryBytes)} MiB");

        // 2. (x - mean) / std: the 1 x columns vectors broadcast over the rows; one fused task per chunk.
        float[] mu = mean.ToArray();
        float[] sigma = std.ToArray().Select(s => s > 0 ? s : 1f).ToArray(); // a constant column stays 0, not NaN
        var muRow = ChunkedArray.FromArray(mu, [1, columns], [1, columns]);
        var sigmaRow = ChunkedArray.FromArray(sigma, [1, columns], [1, columns]);
        var standardized = (x - muRow) / sigmaRow;
        string outputName = name + OutputSuffix;
        output.WriteLine(standardized.Explain(options).Split(Environment.NewLine)[0]);
        clock.Restart();
        var written = standardized.ToStore(store, outputName, new ArrayOptions { Overwrite = true }).Compute(options);
        output.WriteLine($"pass 2: wrote {directory}/{outputName} in {clock.Elapsed.TotalSeconds:F2} s ({written.Tasks} tasks), " +
                         $"peak chunk memory {Mib(written.PeakMemoryBytes)} MiB");

        // 3. Verify what was written: every column now has mean ~0 and std ~1.
        clock.Restart();
        var y = store.Open<float>(outputName);
        var (checkMean, checkStd) = Computation.Compute(y.Mean(axis: 0), y.Std(axis: 0), options);
        output.WriteLine($"pass 3: verified in {clock.Elapsed.TotalSeconds:F2} s, peak chunk memory {Mib(checkMean.Statistics.PeakMemoryBytes)} MiB " +
                         $"of a {Budget >> 20} MiB budget");
        float[] m = checkMean.ToArray();
        float[] s = checkStd.ToArray();
        output.WriteLine("column       mean        std   ->  mean after  std after");
        for (int col = 0; col < columns; col++)
        {
            output.WriteLine($"{col,6} {mu[col],10:F4} {std.ToArray()[col],10:F4}   ->  {m[col],10:F6} {s[col],10:F6}");
        }

        output.WriteLine($"max |mean after| = {m.Max(v => Math.Abs(v)):0.00e+0}, max |std after - 1| = {s.Max(v => Math.Abs(v - 1)):0.00e+0}");
        long peak = Math.Max(mean.Statistics.PeakMemoryBytes, Math.Max(written.PeakMemoryBytes, checkMean.Statistics.PeakMemoryBytes));
        output.WriteLine($"peak chunk memory over all passes: {Mib(peak)} MiB of a {Budget >> 20} MiB budget");
        return 0;
    }

    // The synthetic feature matrix, itself written lazily: normal noise scaled and shifted per column (broadcasting).
    private static void Generate(ZarrStore store, string name, ComputeOptions options)
    {
        var means = Enumerable.Range(0, Columns).Select(c => (float)GeneratedMean(c)).ToArray();
        var scales = Enumerable.Range(0, Columns).Select(c => (float)GeneratedScale(c)).ToArray();
        var noise = ChunkedArray.Random.Normal<float>([Rows, Columns], [RowsPerChunk, Columns], Seed);
        var features = (noise * ChunkedArray.FromArray(scales, [1, Columns], [1, Columns])) + ChunkedArray.FromArray(means, [1, Columns], [1, Columns]);
        features.ToStore(store, name, new ArrayOptions { Attributes = new() { ["description"] = "synthetic features: column j ~ N(5 (j - 16), (0.1 * 1000^(j/31))^2)" } })
            .Compute(options);
    }

    private static string Mib(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("F1");
}
