using System.CommandLine;
using System.Diagnostics;
using System.Numerics;
using System.Reflection;
using System.Text.Json.Nodes;
using ChunkCompute.Cli.Progress;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Npy;

namespace ChunkCompute.Cli.Commands;

/// <summary>
/// <c>chunkcompute import FILE.npy|FILE.csv STORE --array PATH [--chunks A,B] [--codec …] [--format v2|v3]
/// [--dtype T] [--delimiter C] [--memory SIZE] [--overwrite] [--json]</c>: streams a .npy file, or a CSV/TSV file of
/// numbers (read twice: once to validate and count rows, once to write), into a new array in bounded memory (blocks
/// of whole chunk rows), in one transaction: a failed or cancelled import publishes nothing.
/// </summary>
internal static class ImportCommand
{
    private static readonly string[] CsvTypes = ["float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint64", "uint32", "uint16", "uint8"];

    public static Command Create(CliContext context)
    {
        var file = new Argument<string>("FILE") { Description = "The file to import: .npy, or .csv/.tsv of numbers (a non-numeric first row is a header)." };
        var store = new Argument<string>("STORE") { Description = "The Zarr store (a directory; created if missing)." };
        var array = new Option<string>("--array") { Description = "Path of the new array in the store.", Required = true };
        var chunks = new Option<string?>("--chunks") { Description = "Chunk shape, e.g. 4096,512 (default: about 4 MiB per chunk)." };
        var codec = new Option<string>("--codec") { Description = "none, lz4, zstd, gzip, zlib, blosc-lz4, blosc-lz4hc, blosc-zstd, blosc-zlib (optionally :LEVEL).", DefaultValueFactory = _ => "blosc-lz4" };
        var format = new Option<string?>("--format") { Description = "Zarr format of the new array: v2 or v3 (default v3)." };
        var dtype = new Option<string?>("--dtype") { Description = "CSV only: element type, one of " + string.Join(", ", CsvTypes) + " (default float64)." };
        dtype.AcceptOnlyFromAmong(CsvTypes);
        var delimiter = new Option<string?>("--delimiter") { Description = "CSV only: the field separator, one character or 'tab' (default ',', or tab for .tsv)." };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing array at the path." };
        var memory = CliOptions.Memory("the import buffers");
        var json = CliOptions.Json("source, store, array, shape, dtype, chunks, codec, format, header, bytes_read, stored_bytes, seconds");
        var command = new Command("import", "Import a NumPy .npy file or a CSV file of numbers into a Zarr array.")
        {
            file, store, array, chunks, codec, format, dtype, delimiter, overwrite, memory, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var compression = CliParsing.ParseCodec(parse.GetValue(codec)!);
            var fmt = CliParsing.ToZarrFormat(CliParsing.ParseFormat(parse.GetValue(format)));
            long budget = CliParsing.ParseSize(parse.GetValue(memory)!, "--memory");
            string input = parse.GetValue(file)!;
            string ext = Path.GetExtension(input).ToLowerInvariant();
            bool csv = ext is ".csv" or ".tsv";
            if (!csv && (parse.GetValue(dtype) is not null || parse.GetValue(delimiter) is not null))
            {
                throw new UsageException("--dtype and --delimiter apply to .csv/.tsv input; a .npy file carries its own dtype");
            }

            var request = new ImportRequest(
                input,
                parse.GetValue(store)!,
                parse.GetValue(array)!,
                parse.GetValue(chunks),
                new ArrayOptions { Compression = compression, Format = fmt, Overwrite = parse.GetValue(overwrite) },
                budget);
            bool asJson = parse.GetValue(json);
            var clock = Stopwatch.StartNew();
            var summary = await ProgressDisplay.RunAsync(context, parse, "importing " + Path.GetFileName(input), progress =>
            {
                if (!csv)
                {
                    return Task.FromResult(ImportNpy(request, progress, cancellationToken));
                }

                char sep = CliParsing.ParseDelimiter(parse.GetValue(delimiter), ext == ".tsv" ? '\t' : ',');
                var dataType = DataType.FromV3Name(parse.GetValue(dtype) ?? "float64");
                var method = typeof(ImportCommand).GetMethod(nameof(ImportCsv), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(dataType.ClrType);
                try
                {
                    return Task.FromResult((ImportSummary)method.Invoke(null, [request, sep, dataType, progress, cancellationToken])!);
                }
                catch (TargetInvocationException ex) when (ex.InnerException is not null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
                    throw;
                }
            }).ConfigureAwait(false);

            if (summary.Header is { } header)
            {
                context.Info(parse, asJson, "header: " + string.Join(", ", header));
            }

            double seconds = clock.Elapsed.TotalSeconds;
            var target = summary.Target;
            if (asJson)
            {
                context.Out.WriteLine(new JsonObject
                {
                    ["source"] = input,
                    ["store"] = request.Store,
                    ["array"] = target.Path,
                    ["shape"] = CliParsing.ToJson(target.Shape),
                    ["dtype"] = target.DataType.Name,
                    ["chunks"] = CliParsing.ToJson(target.ChunkShape),
                    ["codec"] = compression.Name,
                    ["format"] = (int)target.Metadata.Format,
                    ["header"] = summary.Header is null ? null : new JsonArray(summary.Header.Select(h => (JsonNode?)h).ToArray()),
                    ["bytes_read"] = summary.BytesRead,
                    ["stored_bytes"] = summary.StoredBytes,
                    ["seconds"] = seconds,
                }.ToJsonString());
            }
            else
            {
                context.Out.WriteLine(
                    $"imported {input} -> {request.Store}/{target.Path}: {target.DataType.Name} [{string.Join(", ", target.Shape)}], " +
                    $"chunks [{string.Join(", ", target.ChunkShape)}], {compression.Name}, zarr v{(int)target.Metadata.Format}; " +
                    $"{ByteSize.Format(summary.BytesRead)} read, {ByteSize.Format(summary.StoredBytes)} stored in {CliParsing.Seconds(seconds)}");
            }

            return 0;
        });
        return command;
    }

    private static ImportSummary ImportNpy(ImportRequest request, CliProgress progress, CancellationToken cancellationToken)
    {
        using var reader = new NpyReader(request.File);
        var header = reader.Header;
        var dataType = DataType.FromNumpyTypestr(header.NormalizedDescr, out _);
        long[] shape = header.Shape;
        int[] chunkShape = request.Chunks is { } c ? CliParsing.ParseChunks(c, shape.Length) : CliParsing.AutoChunks(shape, dataType.Size);
        long rowsPerBlock = RowsPerBlock(shape, chunkShape, dataType, request.Budget);
        return Write(request, dataType, shape, chunkShape, target =>
        {
            Copy(reader, target, rowsPerBlock, progress, cancellationToken);
            return new FileInfo(request.File).Length;
        });
    }

    private static ImportSummary ImportCsv<T>(ImportRequest request, char delimiter, DataType dataType, CliProgress progress, CancellationToken cancellationToken)
        where T : unmanaged, INumber<T>
    {
        var csv = new CsvNumbers<T>(request.File, delimiter, dataType.Name);
        csv.Scan(progress, cancellationToken);
        long[] shape = [csv.Rows, csv.Columns];
        int[] chunkShape = request.Chunks is { } c ? CliParsing.ParseChunks(c, 2) : CliParsing.AutoChunks(shape, dataType.Size);
        int rowsPerBlock = (int)Math.Min(RowsPerBlock(shape, chunkShape, dataType, request.Budget), int.MaxValue / Math.Max(1, csv.Columns));
        var summary = Write(request, dataType, shape, chunkShape, target =>
        {
            var buffer = new T[rowsPerBlock * csv.Columns];
            var clock = Stopwatch.StartNew();
            long blocks = (csv.Rows + rowsPerBlock - 1) / rowsPerBlock;
            long done = 0;
            long row = 0;
            progress.Phase("importing " + Path.GetFileName(request.File), blocks);
            foreach (int rows in csv.ReadBlocks(buffer, rowsPerBlock, cancellationToken))
            {
                target.Write<T>(new ArraySubset([row, 0], [rows, csv.Columns]), buffer.AsSpan(0, rows * csv.Columns), cancellationToken);
                row += rows;
                done++;
                long written = row * csv.Columns * dataType.Size;
                progress.Report(new ComputeProgress(done, blocks, written, written, clock.Elapsed));
            }

            return new FileInfo(request.File).Length;
        });
        return summary with { Header = csv.Header };
    }

    // Creates the array and runs the copy in one transaction (staged on disk, published at once; a failure or
    // cancellation publishes nothing and an overwritten array stays as it was). Stores without a transaction log get
    // the array created first and removed again on failure.
    private static ImportSummary Write(ImportRequest request, DataType dataType, long[] shape, int[] chunks, Func<ZarrArray, long> copy)
    {
        bool storeExisted = Directory.Exists(request.Store);
        using var zarr = ZarrStore.Open(request.Store);
        if (zarr.IsTransactional)
        {
            try
            {
                long read = 0;
                string path = zarr.Transact(
                    tx =>
                    {
                        var staged = tx.CreateArray(request.Array, dataType, shape, chunks, request.Options);
                        read = copy(staged);
                        return staged.Path;
                    },
                    retries: 0);
                var published = zarr.OpenArray(path);
                return new ImportSummary(published, read, published.StoredBytes(), null);
            }
            catch when (!storeExisted)
            {
                zarr.Dispose();
                Directory.Delete(request.Store, recursive: true);
                throw;
            }
        }

        ZarrArray target;
        try
        {
            target = zarr.CreateArray(request.Array, dataType, shape, chunks, request.Options);
        }
        catch when (!storeExisted)
        {
            zarr.Dispose();
            Directory.Delete(request.Store, recursive: true);
            throw;
        }

        try
        {
            long read = copy(target);
            return new ImportSummary(target, read, target.StoredBytes(), null);
        }
        catch
        {
            zarr.Delete(target.Path);
            EmptyDirectories.RemoveIfEmpty(request.Store, target.Path);
            if (!storeExisted)
            {
                zarr.Dispose();
                Directory.Delete(request.Store, recursive: true);
            }

            throw;
        }
    }

    // Blocks of whole chunk rows along axis 0 (so every chunk is written once, without read-modify-write), up to a
    // quarter of the budget (and at most 64 MiB); the encoders need about as much again.
    private static long RowsPerBlock(long[] shape, int[] chunks, DataType dataType, long budget)
    {
        if (shape.Length == 0)
        {
            return 1;
        }

        long rowBytes = shape.Skip(1).Aggregate((long)dataType.Size, (a, b) => a * b);
        long chunkRows = chunks[0];
        long chunkRowBytes = chunkRows * Math.Max(1, rowBytes);
        if (chunkRowBytes > budget / 2)
        {
            throw new InvalidOperationException(
                $"the memory budget of {ByteSize.Format(budget)} is too small: one row of chunks ({chunkRows} x {string.Join(" x ", shape.Skip(1))} {dataType.Name}) " +
                $"needs {ByteSize.Format(chunkRowBytes)} twice; raise --memory or use smaller --chunks");
        }

        long blockBytes = Math.Clamp(budget / 4, chunkRowBytes, Math.Max(chunkRowBytes, 64L << 20));
        return Math.Clamp(blockBytes / chunkRowBytes * chunkRows, 1, Math.Max(1, shape[0]));
    }

    private static void Copy(NpyReader reader, ZarrArray target, long rowsPerBlock, CliProgress progress, CancellationToken cancellationToken)
    {
        var shape = target.Shape.ToArray();
        if (target.ElementCount == 0)
        {
            return;
        }

        if (shape.Length == 0 || (reader.Header.FortranOrder && shape.Length > 1))
        {
            var all = reader.ReadAll();
            target.WriteBytes(ArraySubset.All(shape), all, cancellationToken);
            return;
        }

        long rowBytes = shape.Skip(1).Aggregate((long)target.DataType.Size, (a, b) => a * b);
        var buffer = new byte[checked((int)(rowsPerBlock * rowBytes))];
        long blocks = (shape[0] + rowsPerBlock - 1) / rowsPerBlock;
        var clock = Stopwatch.StartNew();
        long done = 0;
        for (long row = 0; row < shape[0]; row += rowsPerBlock)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long rows = Math.Min(rowsPerBlock, shape[0] - row);
            var span = buffer.AsSpan(0, (int)(rows * rowBytes));
            reader.ReadElementsExactly(span);

            var start = new long[shape.Length];
            start[0] = row;
            var extent = (long[])shape.Clone();
            extent[0] = rows;
            target.WriteBytes(new ArraySubset(start, extent), span, cancellationToken);
            long bytes = (row + rows) * rowBytes;
            progress.Report(new ComputeProgress(++done, blocks, bytes, bytes, clock.Elapsed));
        }
    }
}
