// Quickstart: create a Zarr store in a local folder, ingest an array in parts, read it back chunk by chunk to compute
// statistics in bounded memory, and show what is on disk. Run: dotnet run --project examples/Quickstart -c Release [DIR]
using System.Diagnostics;
using ChunkCompute.Storage;

string directory = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "chunkcompute-quickstart.zarr");
if (Directory.Exists(directory))
{
    Directory.Delete(directory, recursive: true);
}

const long Rows = 1 << 20;   // 1,048,576 rows x 16 columns of float64 = 128 MiB logical
const int Columns = 16;
const int RowsPerChunk = 65536;
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
        block[i] = Math.Round(Math.Sin(r * 0.001) * 100 + (i % Columns), 2);
    }

    x.Write(new ArraySubset([row, 0], [RowsPerChunk, Columns]), block);
}

Console.WriteLine($"wrote {Rows:N0} x {Columns} float64 in {clock.Elapsed.TotalSeconds:F2} s to {directory}");

// Read back one chunk at a time: per-column mean and standard deviation (Welford), bounded memory.
clock.Restart();
var reader = store.OpenArray<double>("x");
var count = new long[Columns];
var mean = new double[Columns];
var m2 = new double[Columns];
for (long c = 0; c < reader.Untyped.GridShape[0]; c++)
{
    var chunk = reader.ReadChunk([c, 0]);
    long rowsHere = Math.Min(RowsPerChunk, Rows - (c * RowsPerChunk));
    for (int i = 0; i < rowsHere * Columns; i++)
    {
        int col = i % Columns;
        double delta = chunk[i] - mean[col];
        mean[col] += delta / ++count[col];
        m2[col] += delta * (chunk[i] - mean[col]);
    }
}

Console.WriteLine($"read back and reduced in {clock.Elapsed.TotalSeconds:F2} s");
for (int col = 0; col < 4; col++)
{
    Console.WriteLine($"column {col}: mean {mean[col],10:F4}  std {Math.Sqrt(m2[col] / count[col]),10:F4}");
}

long logical = Rows * Columns * sizeof(double);
long stored = reader.Untyped.StoredBytes();
Console.WriteLine($"array 'x': {reader.Untyped}");
Console.WriteLine($"logical {logical / (1 << 20)} MiB, stored {stored / (1 << 20)} MiB (ratio {(double)logical / stored:F2}x)");
Console.WriteLine($"inspect it with: dotnet run --project src/Cli -c Release -- info {directory}");
