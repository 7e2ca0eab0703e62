using System.Diagnostics;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;

namespace ChunkCompute.Examples.Quickstart;

/// <summary>
/// The quickstart: ingest a 256 MiB float64 matrix into a local Zarr store in parts, then compute per-column mean,
/// standard deviation and a histogram in one pass under a 64 MiB memory budget.
/// </summary>
public static class QuickstartExample
{
    /// <summary>Rows of the generated matrix (2,097,152).</summary>
    public const long Rows = 1 << 21;

    /// <summary>Columns of the generated matrix.</summary>
    public const int Columns = 16;

    private const int RowsPerChunk = 65536;
    private const long Budget = 64L << 20; // 64 MiB: a quarter of the array

    /// <summary>The generator: the value stored at (<paramref name="row"/>, <paramref name="column"/>).</summary>
    public static double Value(long row, int column) => Math.Round((Math.Sin(row * 0.001) * 100) + column, 2);

    /// <summary>
    /// Runs the example in <c>args[0]</c> (default: a folder in the temp directory; deleted first if it exists),
    /// printing what it shows to <paramref name="output"/>.
    /// </summary>
    /// <returns>The process exit code (0).</returns>
    public static int Run(string[] args, TextWriter output) => Run(args, output, progress: null);

    /// <summary>
    /// Runs the example in <c>args[0]</c> (default: a folder in the temp directory; deleted first if it exists),
    /// printing what it shows to <paramref name="output"/> and task progress to <paramref name="progress"/>.
    /// </summary>
    /// <returns>The process exit code (0).</returns>
    public static int Run(string[] args, TextWriter output, TextWriter? progress)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        string directory = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "chunkcompute-quickstart.zarr");
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        var clock = Stopwatch.StartNew();
        using var store = ZarrStore.Open(directory);
        var x = store.CreateArray<double>("x", shape: [0, Columns], chunks: [RowsPerChunk, Columns],
            new ArrayOptions { Compression = Compression.Default, Attributes = new() { ["description"] = "quickstart data" } });

        // Ingest in parts of one chunk of rows, each appended in its own transaction (readers in other processes see
        // whole parts, never a torn one): never more than 8 MiB of values in memory.
        var block = new double[RowsPerChunk * Columns];
        int commits = 0;
        for (long row = 0; row < Rows; row += RowsPerChunk)
        {
            for (int i = 0; i < block.Length; i++)
            {
                block[i] = Value(row + (i / Columns), i % Columns);
            }

            x.Append(block);
            commits++;
        }

        output.WriteLine($"ingested {Rows:N0} x {Columns} float64 ({Rows * Columns * 8 >> 20} MiB) in {commits} appends (store version {store.Version}) " +
                         $"in {clock.Elapsed.TotalSeconds:F2} s into {directory}");

        // Lazy expressions: nothing runs until Compute.
        var data = store.Open<double>("x");
        var mean = data.Mean(axis: 0);
        var std = data.Std(axis: 0);
        var histogram = data.Histogram(bins: 8, range: (-100, 120));
        output.WriteLine(std.Explain(new ComputeOptions { MemoryBudget = Budget }).Split(Environment.NewLine)[0]);

        clock.Restart();
        var report = progress is null ? null : new Progress<ComputeProgress>(p => progress.Write($"\r{p.TasksDone}/{p.TasksTotal} tasks, {p.BytesRead >> 20} MiB read   "));
        var (means, stds, counts) = Computation.Compute(mean, std, histogram.Counts, new ComputeOptions { MemoryBudget = Budget, Progress = report });
        progress?.WriteLine();
        output.WriteLine($"computed mean, std and a histogram in one pass in {clock.Elapsed.TotalSeconds:F2} s; " +
                         $"peak chunk memory {means.Statistics.PeakMemoryBytes >> 20} MiB of a {Budget >> 20} MiB budget");
        for (int col = 0; col < 4; col++)
        {
            output.WriteLine($"column {col}: mean {means.ToArray()[col],10:F4}  std {stds.ToArray()[col],10:F4}");
        }

        var edges = histogram.Edges;
        var c = counts.ToArray();
        for (int b = 0; b < c.Length; b++)
        {
            output.WriteLine($"[{edges[b],7:F1}, {edges[b + 1],7:F1}) {new string('#', (int)(60 * c[b] / c.Max())),-60} {c[b]:N0}");
        }

        long logical = Rows * Columns * sizeof(double);
        long stored = store.OpenArray("x").StoredBytes();
        output.WriteLine($"logical {logical >> 20} MiB, stored {stored >> 20} MiB (ratio {(double)logical / stored:F2}x)");
        output.WriteLine($"inspect it with: dotnet run --project src/Cli -c Release -- info {directory}");
        return 0;
    }
}
