using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ChunkCompute.Storage;

namespace ChunkCompute.Examples.Ingest;

/// <summary>
/// The wendelin.core tutorial in C#: a transactional Zarr store in a local folder. Appends blocks of rows in a
/// transaction and commits them; shows that an aborted transaction leaves nothing; that a reader keeps its snapshot
/// while a writer commits, until <see cref="ZarrStore.Refresh"/>; that shrinking and growing back reads the fill value;
/// that a new process sees (and can extend) what was committed; then verifies the store and collects garbage.
/// </summary>
public static class IngestExample
{
    /// <summary>Columns of the array.</summary>
    public const int Columns = 4;

    /// <summary>Rows per appended block.</summary>
    public const int BlockRows = 1000;

    /// <summary>Rows per chunk (chunks are 500 × 4 float64).</summary>
    public const int ChunkRows = 500;

    /// <summary>Blocks appended by the first transaction.</summary>
    public const int FirstBlocks = 3;

    /// <summary>The array's fill value: what rows never written (or cleared by a shrink) read.</summary>
    public const double FillValue = -1;

    /// <summary>Rows kept by the shrinking resize.</summary>
    public const int ShrunkRows = 1000;

    /// <summary>Rows after growing back (rows from <see cref="ShrunkRows"/> on read <see cref="FillValue"/>).</summary>
    public const int GrownRows = 2500;

    private static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(90);

    /// <summary>The value every append writes at (<paramref name="row"/>, <paramref name="column"/>): its flat index.</summary>
    public static double Value(long row, int column) => (row * Columns) + column;

    /// <summary>
    /// Runs the example in <c>args[0]</c> (default: a folder in the temp directory; deleted first if it exists), printing
    /// what it shows to <paramref name="output"/>. With <c>--reopen DIR</c> it is the second process of the tour: it
    /// opens the store, prints what it reads, appends one block as one commit and prints the new version.
    /// </summary>
    /// <returns>The process exit code (0; 1 when the second process fails).</returns>
    public static int Run(string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        if (args.Length >= 2 && args[0] == "--reopen")
        {
            return Reopen(args[1], output);
        }

        string directory = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "chunkcompute-ingest.zarr");
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        using var store = ZarrStore.Open(directory);
        output.WriteLine($"store: {directory} (version {store.Version})");
        var created = store.CreateArray<double>("x", [0, Columns], [ChunkRows, Columns],
            new ArrayOptions { FillValue = FillValue, Attributes = new JsonObject { ["units"] = "counts" } });
        output.WriteLine($"created x: shape {ShapeText(created.Shape)}, chunks {ShapeText(created.ChunkShape)}, fill {Text(FillValue)}, version {store.Version}");

        // 1. Commit: several appends in one transaction are invisible to others until Commit, then all appear at once.
        using (var tx = store.BeginTransaction())
        {
            var x = tx.OpenArray<double>("x");
            for (int b = 0; b < FirstBlocks; b++)
            {
                x.Append(Block(x.Shape[0], BlockRows));
            }

            output.WriteLine($"in a transaction: x has shape {ShapeText(x.Shape)}; the store still reads {ShapeText(store.OpenArray<double>("x").Shape)}");
            tx.Commit();
        }

        output.WriteLine($"commit: version {store.Version}, x shape {Describe(store)}");

        // 2. Abort: an append and a new array, then Abort: nothing of it is visible, the version does not move.
        using (var tx = store.BeginTransaction())
        {
            var x = tx.OpenArray<double>("x");
            x.Append(Block(x.Shape[0], BlockRows));
            tx.CreateArray<double>("scratch", [10], [10]);
            tx.Abort();
        }

        output.WriteLine($"abort: version {store.Version}, x shape {Describe(store)}, scratch exists: {store.GetNodeKind("scratch") is not null}");

        // 3. Snapshots: a second handle reads its version while this one commits an append, until Refresh().
        using (var reader = ZarrStore.OpenExisting(directory))
        {
            long readerVersion = reader.Version ?? -1;
            var x = store.OpenArray<double>("x");
            x.Append(Block(x.Shape[0], BlockRows)); // outside a transaction: one commit
            output.WriteLine($"writer appended: version {store.Version}, x shape {ShapeText(x.Shape)}");
            output.WriteLine($"reader snapshot: version {readerVersion}, x shape {Describe(reader)}");
            reader.Refresh();
            output.WriteLine($"reader after Refresh: version {reader.Version}, x shape {Describe(reader)}");
        }

        // 4. Resize: shrinking is O(1) (metadata); growing back reads the fill value, never the old rows.
        var y = store.OpenArray<double>("x");
        y.Resize([ShrunkRows, Columns]);
        output.WriteLine($"shrink: version {store.Version}, x shape {Describe(store)}");
        y.Resize([GrownRows, Columns]);
        double[] grown = y.Read(new ArraySubset([ShrunkRows, 0], [GrownRows - ShrunkRows, Columns]));
        output.WriteLine($"grow: version {store.Version}, x shape {Describe(store)}; rows {ShrunkRows}..{GrownRows} read min {Text(grown.Min())} max {Text(grown.Max())}");

        // 5. A new process opens the store, reads the committed data and appends a block of its own.
        output.WriteLine($"this process: pid {Environment.ProcessId}");
        foreach (string line in RunSecondProcess(directory))
        {
            output.WriteLine(line);
        }

        store.Refresh();
        output.WriteLine($"after Refresh: version {store.Version}, x shape {Describe(store)}");

        // 6. Verify everything, then collect what no snapshot needs (pre-images, old records, chunks beyond the shape).
        var verification = store.Verify();
        output.WriteLine($"verify: {(verification.IsSound ? "sound" : "PROBLEMS")}, {verification.Arrays} array(s), {verification.Chunks} chunks, version {verification.Version}");
        foreach (string problem in verification.Problems)
        {
            output.WriteLine($"  problem: {problem}");
        }

        var gc = store.CollectGarbage();
        output.WriteLine($"garbage collection: {gc.ChunksBeyondShape} chunk(s) beyond the shape, {gc.PreImageVersions} pre-image version(s), {gc.CommitRecords} commit record(s)");
        output.WriteLine($"after gc: version {store.Version}, x shape {Describe(store)}");
        return verification.IsSound ? 0 : 1;
    }

    // The second process: reads what is committed, then appends one block as one commit.
    private static int Reopen(string directory, TextWriter output)
    {
        using var store = ZarrStore.OpenExisting(directory);
        output.WriteLine($"new process: pid {Environment.ProcessId}, version {store.Version}, x shape {Describe(store)}");
        var x = store.OpenArray<double>("x");
        long start = x.Shape[0];
        x.Append(Block(start, BlockRows));
        output.WriteLine($"new process appended rows {start}..{x.Shape[0]}: version {store.Version}");
        return 0;
    }

    private static string[] RunSecondProcess(string directory)
    {
        // This assembly is Ingest.dll (also when a test runs the example in-process): start it with the dotnet host.
        string dll = typeof(IngestExample).Assembly.Location;
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--reopen");
        info.ArgumentList.Add(directory);
        try
        {
            using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {info.FileName}");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(ChildTimeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"the second process did not finish within {ChildTimeout.TotalSeconds} s");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"the second process ({info.FileName} {dll} --reopen) exited with {process.ExitCode}: {stderr.Result}");
            }

            return stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"could not start '{info.FileName}' (the dotnet host) for the second process: {ex.Message}", ex);
        }
    }

    // The dotnet host: this process's own when it is one (dotnet run, dotnet Ingest.dll), else the SDK's, else PATH's.
    private static string DotnetHost()
    {
        string? self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        string? sdkHost = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(sdkHost) && File.Exists(sdkHost) ? sdkHost : "dotnet";
    }

    // A block of rows starting at row `start`: Value(row, column) in C order.
    private static double[] Block(long start, int rows)
    {
        var values = new double[rows * Columns];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Value(start + (i / Columns), i % Columns);
        }

        return values;
    }

    // "[rows, columns], sum S" of x as the handle reads it.
    private static string Describe(ZarrStore store)
    {
        var x = store.OpenArray<double>("x");
        return $"{ShapeText(x.Shape)}, sum {Text(x.Read().Sum())}";
    }

    private static string ShapeText<T>(IReadOnlyList<T> shape) => $"[{string.Join(", ", shape)}]";

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
