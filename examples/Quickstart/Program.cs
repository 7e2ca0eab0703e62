// Quickstart: create a Zarr store in a local folder, ingest an array bigger than the memory budget in parts, then
// compute per-column mean and standard deviation and a histogram in one pass under that budget, with progress.
// Run: dotnet run --project examples/Quickstart -c Release [DIR]
using System.Diagnostics;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;

string directory = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "chunkcompute-quickstart.zarr");
if (Directory.Exists(directory))
{
    Directory.Delete(directory, recursive: true);
}

const long Rows = 1 << 21;   // 2,097,152 rows x 16 columns of float64 = 256 MiB logical
const int Columns = 16;
const int RowsPerChunk = 65536;
const long Budget = 64L << 20; // 64 MiB: a quarter of the array
var clock = Stopwatch.StartNew();

using var store = ZarrStore.Open(directory);
var x = store.CreateArray<double>("x", shape: [Rows, Columns], chunks: [RowsPerChunk, Columns],
    new ArrayOptions { Compression = Compression.Default, Attributes = new() { ["description"] = "quickstart data" } });

// Ingest in parts of one chunk of rows: never more than 8 MiB of values in memory.
var block = new double[RowsPerChunk * Columns];
for (long row = 0; row < Rows; row += RowsPerChunk)
{
    for (int i = 0; i < block.Length; i++)
    {
        long r = row + (i / Columns);
        block[i] = Math.Round((Math.Sin(r * 0.001) * 100) + (i % Columns), 2);
    }

    x.Write(new ArraySubset([row, 0], [RowsPerChunk, Columns]), block);
}

Console.WriteLine($"ingested {Rows:N0} x {Columns} float64 ({Rows * Columns * 8 >> 20} MiB) in {clock.Elapsed.TotalSeconds:F2} s into {directory}");

// Lazy expressions: nothing runs until Compute.
var data = store.Open<double>("x");
var mean = data.Mean(axis: 0);
var std = data.Std(axis: 0);
var histogram = data.Histogram(bins: 8, range: (-100, 120));
Console.WriteLine(std.Explain(new ComputeOptions { MemoryBudget = Budget }).Split(Environment.NewLine)[0]);

clock.Restart();
var progress = new Progress<ComputeProgress>(p => Console.Error.Write($"\r{p.TasksDone}/{p.TasksTotal} tasks, {p.BytesRead >> 20} MiB read   "));
var (means, stds, counts) = Computation.Compute(mean, std, histogram.Counts, new ComputeOptions { MemoryBudget = Budget, Progress = progress });
Console.Error.WriteLine();
Console.WriteLine($"computed mean, std and a histogram in one pass in {clock.Elapsed.TotalSeconds:F2} s; " +
                  $"peak chunk memory {means.Statistics.PeakMemoryBytes >> 20} MiB of a {Budget >> 20} MiB budget");
for (int col = 0; col < 4; col++)
{
    Console.WriteLine($"column {col}: mean {means.ToArray()[col],10:F4}  std {stds.ToArray()[col],10:F4}");
}

var edges = histogram.Edges;
var c = counts.ToArray();
for (int b = 0; b < c.Length; b++)
{
    Console.WriteLine($"[{edges[b],7:F1}, {edges[b + 1],7:F1}) {new string('#', (int)(60 * c[b] / c.Max())),-60} {c[b]:N0}");
}

long logical = Rows * Columns * sizeof(double);
long stored = store.OpenArray("x").StoredBytes();
Console.WriteLine($"logical {logical >> 20} MiB, stored {stored >> 20} MiB (ratio {(double)logical / stored:F2}x)");
Console.WriteLine($"inspect it with: dotnet run --project src/Cli -c Release -- info {directory}");
