using System.CommandLine;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using ChunkCompute.Cli.Progress;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Stores;
using ChunkCompute.Storage.Npy;

namespace ChunkCompute.Cli.Commands;

/// <summary>
/// <c>chunkcompute import FILE.npy|FILE.csv STORE --array PATH [--chunks A,B] [--codec …] [--format v2|v3]
/// [--dims A,B] [--consolidate] [--dtype T] [--delimiter C] [--memory SIZE] [--overwrite] [--json]</c>: streams a .npy file, or a CSV/TSV file of
/// numbers (read twice: once to validate and count rows, once to write), into a new array in bounded memory (blocks
/// of whole chunk rows), in one transaction: a failed or cancelled import publishes nothing.
/// </summary>
internal static class ImportCommand
{
    private static readonly string[] CsvTypes = ["float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint64", "uint32", "uint16", "uint8"];

    public static Command Create(CliContext context)
    {
        var file = new Argument<string>("FILE") { Description = "The file to import: .npy, or .csv/.tsv of numbers (a first row of names is a header)." };
        var store = new Argument<string>("STORE") { Description = "The Zarr store: a directory (created if missing), or an s3:// or az:// URL." };
        var array = new Option<string>("--array") { Description = "Path of the new array in the store.", Required = true };
        var chunks = new Option<string?>("--chunks") { Description = "Chunk shape, e.g. 4096,512 (default: about 4 MiB per chunk)." };
        var codec = new Option<string>("--codec") { Description = "none, lz4, zstd, gzip, zlib, blosc-lz4, blosc-lz4hc, blosc-zstd, blosc-zlib (optionally :LEVEL).", DefaultValueFactory = _ => "blosc-lz4" };
        var format = new Option<string?>("--format") { Description = "Zarr format of the new array: v2 or v3 (default v3)." };
        var dtype = new Option<string?>("--dtype") { Description = "CSV only: element type, one of " + string.Join(", ", CsvTypes) + " (default float64)." };
        dtype.AcceptOnlyFromAmong(CsvTypes);
        var delimiter = new Option<string?>("--delimiter") { Description = "CSV only: the field separator, one character or 'tab' (default ',', or tab for .tsv)." };
        var header = new Option<bool>("--header") { Description = "CSV only: the first row is a header (column names), even if it holds numbers." };
        var noHeader = new Option<bool>("--no-header") { Description = "CSV only: the first row is data. Default: a header when every field of it is text, data when every field is a number; a mix is an error." };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing array at the path." };
        var dims = new Option<string?>("--dims") { Description = "Dimension names, one per dimension, e.g. time,lat,lon (v3 dimension_names; v2 the _ARRAY_DIMENSIONS attribute xarray reads)." };
        var consolidate = new Option<bool>("--consolidate") { Description = "Also write consolidated metadata for the store (v2 .zmetadata, v3 inline), in the same commit." };
        var memory = CliOptions.Memory("the import buffers");
        var json = CliOptions.Json("source, store, array, shape, dtype, chunks, codec, format, header, bytes_read, stored_bytes, seconds");
        var command = new Command("import", "Import a NumPy .npy file or a CSV file of numbers into a Zarr array.")
        {
            file, store, array, chunks, codec, format, dtype, delimiter, header, noHeader, overwrite, dims, consolidate, memory, json, CliOptions.Dashboard(), CliOptions.Report(),
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var compression = CliParsing.ParseCodec(parse.GetValue(codec)!);
            var fmt = CliParsing.ToZarrFormat(CliParsing.ParseFormat(parse.GetValue(format)));
            long budget = CliParsing.ParseSize(parse.GetValue(memory)!, "--memory");
            string input = parse.GetValue(file)!;
            const string Usage = "import FILE STORE --array PATH";
            CliPaths.RequireFile("import", Usage, "FILE", input, mustExist: true);
            CliPaths.RequireStore("import", Usage, "STORE", parse.GetValue(store)!);
            string ext = Path.GetExtension(input).ToLowerInvariant();
            bool csv = ext is ".csv" or ".tsv";
            if (!csv && (parse.GetValue(dtype) is not null || parse.GetValue(delimiter) is not null || parse.GetValue(header) || parse.GetValue(noHeader)))
            {
                throw new UsageException("--dtype, --delimiter, --header and --no-header apply to .csv/.tsv input; a .npy file carries its own dtype and has no header");
            }

            if (parse.GetValue(header) && parse.GetValue(noHeader))
            {
                throw new UsageException("--header and --no-header contradict each other: give one");
            }

            var headerMode = parse.GetValue(header) ? CsvHeader.Yes : parse.GetValue(noHeader) ? CsvHeader.No : CsvHeader.Auto;

            var request = new ImportRequest(
                input,
                parse.GetValue(store)!,
                parse.GetValue(array)!,
                parse.GetValue(chunks),
                new ArrayOptions { Compression = compression, Format = fmt, Overwrite = parse.GetValue(overwrite) },
                budget,
                parse.GetValue(dims),
                parse.GetValue(consolidate));
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
                return Task.FromResult(ElementTypeDispatch.RunNumeric<CsvImport, ImportSummary>(
                    dataType, new CsvImport(request, sep, dataType, headerMode, progress, cancellationToken), "import --dtype"));
            }).ConfigureAwait(false);

            if (summary.Header is { } names)
            {
                context.Info(parse, asJson, "header: " + string.Join(", ", names));
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
        int[] chunkShape = request.Chunks is { } c ? CliParsing.ParseChunks(c, shape.Length) : CliParsing.AutoChunks(shape, dataType.Size, AutoChunkBytes(request.Budget));

        // C order streams blocks of whole chunk rows (slabs along axis 0); Fortran order streams blocks of whole chunk
        // columns (slabs along the last axis: contiguous in the file), each transposed to C order in a second buffer.
        bool fortran = header.FortranOrder && shape.Length > 1;
        var options = OptionsFor(request, shape.Length, null);
        var plan = Plan(request, dataType, shape, chunkShape, fortran ? shape.Length - 1 : 0, fortran ? 2 : 1, 0, null);
        return Write(request, options, dataType, shape, chunkShape, plan.StoreOptions, target =>
        {
            if (fortran)
            {
                CopyFortran(reader, target, plan.SlabsPerBlock, progress, cancellationToken);
            }
            else
            {
                Copy(reader, target, plan.SlabsPerBlock, progress, cancellationToken);
            }

            return new FileInfo(request.File).Length;
        });
    }

    // ImportCsv for the element type chosen with --dtype.
    private readonly record struct CsvImport(ImportRequest Request, char Delimiter, DataType DataType, CsvHeader Header, CliProgress Progress, CancellationToken CancellationToken)
        : INumericTypeStep<ImportSummary>
    {
        public ImportSummary Run<T>()
            where T : unmanaged, INumber<T> => ImportCsv<T>(Request, Delimiter, DataType, Header, Progress, CancellationToken);
    }

    private static ImportSummary ImportCsv<T>(ImportRequest request, char delimiter, DataType dataType, CsvHeader header, CliProgress progress, CancellationToken cancellationToken)
        where T : unmanaged, INumber<T>
    {
        var csv = new CsvNumbers<T>(request.File, delimiter, dataType.Name, header, request.Budget);
        csv.Scan(progress, cancellationToken);
        long[] shape = [csv.Rows, csv.Columns];
        int[] chunkShape = request.Chunks is { } c ? CliParsing.ParseChunks(c, 2) : CliParsing.AutoChunks(shape, dataType.Size, AutoChunkBytes(request.Budget));
        long lineBytes = (long)csv.LongestLine * CsvNumbers<T>.BytesPerLineChar;
        var options = OptionsFor(request, 2, csv.Header is { } names ? new JsonObject { ["columns"] = new JsonArray(names.Select(n => (JsonNode?)n).ToArray()) } : null);
        var plan = Plan(request, dataType, shape, chunkShape, 0, 1, lineBytes, $"the longest line ({csv.LongestLine} characters)");
        int rowsPerBlock = (int)Math.Min(plan.SlabsPerBlock, int.MaxValue / Math.Max(1, csv.Columns));
        var summary = Write(request, options, dataType, shape, chunkShape, plan.StoreOptions, target =>
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

    // Default chunks: about 4 MiB, or an eighth of a small budget, so the default never makes an import refuse.
    private static long AutoChunkBytes(long budget) => Math.Clamp(budget / 8, 1, 4L << 20);

    // Creates the array and runs the copy in one transaction (staged on disk, published at once; a failure or
    // cancellation publishes nothing and an overwritten array stays as it was). Stores without a transaction log get
    // the array created first and removed again on failure.
    private static ImportSummary Write(ImportRequest request, ArrayOptions options, DataType dataType, long[] shape, int[] chunks, ZarrStoreOptions storeOptions, Func<ZarrArray, long> copy)
    {
        bool local = !StoreLocations.IsUrl(request.Store);
        bool storeExisted = !local || Directory.Exists(request.Store);
        if (storeExisted)
        {
            // Refused in CLI terms before anything (not even the transaction log) is written.
            using var existing = ZarrStore.OpenExisting(request.Store);
            if (options.Format is { } requested)
            {
                CliPaths.RequireFormat(existing, requested, explicitFlag: true, $"array '{request.Array}'");
            }

            CliPaths.RequireAbsent(existing, request.Array, options.Overwrite);
        }

        using var zarr = ZarrStore.Open(request.Store, storeOptions);
        if (zarr.IsTransactional)
        {
            try
            {
                long read = 0;
                string path = zarr.Transact(
                    tx =>
                    {
                        var staged = tx.CreateArray(request.Array, dataType, shape, chunks, options);
                        read = copy(staged);
                        if (request.Consolidate)
                        {
                            tx.Store.Consolidate();
                        }

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

        // No transactions (an object store, a read-only log): chunks first, the metadata last, as zarr-python writes,
        // so a reader never finds the array half written; a failure deletes what was written.
        StagedArray staged;
        try
        {
            staged = zarr.StageArray(request.Array, dataType, shape, chunks, options);
        }
        catch when (!storeExisted)
        {
            zarr.Dispose();
            Directory.Delete(request.Store, recursive: true);
            throw;
        }

        try
        {
            long read = copy(staged.Array);
            staged.Publish();
            if (request.Consolidate)
            {
                zarr.Consolidate();
            }

            var target = zarr.OpenArray(staged.Path);
            return new ImportSummary(target, read, target.StoredBytes(), null);
        }
        catch
        {
            zarr.Delete(staged.Path);
            if (local)
            {
                EmptyDirectories.RemoveIfEmpty(request.Store, staged.Path);
            }

            if (!storeExisted)
            {
                zarr.Dispose();
                Directory.Delete(request.Store, recursive: true);
            }

            throw;
        }
    }

    // The new array's options: the command line's, with --dims checked against the rank and any attributes.
    private static ArrayOptions OptionsFor(ImportRequest request, int rank, JsonObject? attributes) => new()
    {
        Compression = request.Options.Compression,
        Format = request.Options.Format,
        Overwrite = request.Options.Overwrite,
        DimensionNames = CliPaths.ParseDims(request.Dims, rank),
        Attributes = attributes,
    };

    private sealed record ImportPlan(long SlabsPerBlock, ZarrStoreOptions StoreOptions);

    // Blocks of whole chunk slabs along `axis` (so every chunk is written once, without read-modify-write), held in
    // `copies` buffers; each chunk being encoded holds the chunk gathered and its encoded bytes (twice the chunk).
    // Refused before any data is read when one chunk slab, one chunk's encoding and `extra` (the CSV line) do not fit
    // the budget; else blocks take up to half of the rest (at most 64 MiB a buffer) and the remainder encodes chunks
    // in parallel.
    private static ImportPlan Plan(ImportRequest request, DataType dataType, long[] shape, int[] chunks, int axis, int copies, long extra, string? extraWhat)
    {
        long budget = request.Budget;
        long chunkBytes = chunks.Aggregate((long)dataType.Size, (a, b) => CliMemory.Multiply(a, b));
        long perChunk = CliMemory.Multiply(chunkBytes, 2);
        if (chunkBytes > ChunkMemory.MaxChunkBytes)
        {
            throw new UsageException($"--chunks [{string.Join(", ", chunks)}] of {dataType.Name} make {ByteSize.Format(chunkBytes)} chunks; a chunk may hold at most 2 GiB");
        }

        if (shape.Length == 0)
        {
            CliMemory.Require(CliMemory.Add(CliMemory.Multiply(chunkBytes, 3), extra), budget, $"import of '{request.File}'", $"the scalar with its encoding takes {ByteSize.Format(3 * chunkBytes)}", string.Empty);
            return new ImportPlan(1, CliMemory.PassOptions(budget, perChunk, chunkBytes));
        }

        long sliceBytes = shape.Where((_, d) => d != axis).Aggregate((long)dataType.Size, CliMemory.Multiply);
        long chunkSlab = CliMemory.Multiply(Math.Min(chunks[axis], Math.Max(1, shape[axis])), sliceBytes);
        long minimum = CliMemory.Add(CliMemory.Add(CliMemory.Multiply(chunkSlab, copies), perChunk), extra);
        string slabText = $"one {(axis == 0 ? "row" : "column")} of chunks of array '{request.Array}' ({Math.Min(chunks[axis], Math.Max(1, shape[axis]))} of [{string.Join(", ", shape)}] {dataType.Name}) " +
            $"is {ByteSize.Format(chunkSlab)}{(copies > 1 ? " held twice (read in Fortran order, transposed to C order)" : string.Empty)}, " +
            $"plus {ByteSize.Format(perChunk)} to encode one chunk{(extra > 0 ? $" and {ByteSize.Format(extra)} for {extraWhat}" : string.Empty)}";
        CliMemory.Require(minimum, budget, $"import of '{request.File}'", slabText, request.Chunks is null ? string.Empty : ", or use smaller --chunks");
        if (CliMemory.Multiply(chunkSlab, 1) > Array.MaxLength)
        {
            throw new UsageException($"{slabText}: more than one buffer holds (2 GiB); use smaller --chunks");
        }

        long room = budget - perChunk - extra;
        long perBuffer = Math.Clamp(room / 2 / copies, chunkSlab, Math.Max(chunkSlab, 64L << 20));
        long slabs = Math.Max(1, perBuffer / chunkSlab) * chunks[axis];
        slabs = Math.Clamp(slabs, 1, Math.Max(1, shape[axis]));
        long buffers = CliMemory.Add(CliMemory.Multiply(CliMemory.Multiply(slabs, sliceBytes), copies), extra);
        return new ImportPlan(slabs, CliMemory.PassOptions(budget, perChunk, buffers));
    }

    private static void Copy(NpyReader reader, ZarrArray target, long rowsPerBlock, CliProgress progress, CancellationToken cancellationToken)
    {
        var shape = target.Shape.ToArray();
        if (target.ElementCount == 0)
        {
            return;
        }

        if (shape.Length == 0)
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

    // A Fortran-order file is a sequence of slabs along its last axis, each in Fortran order: read blocks of whole
    // chunk columns, transpose each to C order and write it.
    private static void CopyFortran(NpyReader reader, ZarrArray target, long columnsPerBlock, CliProgress progress, CancellationToken cancellationToken)
    {
        var shape = target.Shape.ToArray();
        if (target.ElementCount == 0)
        {
            return;
        }

        int last = shape.Length - 1;
        int es = target.DataType.Size;
        long columnBytes = shape[..last].Aggregate((long)es, (a, b) => a * b);
        int capacity = checked((int)(columnsPerBlock * columnBytes));
        var raw = new byte[capacity];
        var ordered = new byte[capacity];
        long blocks = (shape[last] + columnsPerBlock - 1) / columnsPerBlock;
        var clock = Stopwatch.StartNew();
        long done = 0;
        for (long column = 0; column < shape[last]; column += columnsPerBlock)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long columns = Math.Min(columnsPerBlock, shape[last] - column);
            int length = (int)(columns * columnBytes);
            if (reader.ReadStoredElements(raw.AsSpan(0, length)) * es != length)
            {
                throw new NpyFormatException(reader.Name, $"the data ends before column {column + columns} of {shape[last]}");
            }

            var slab = (long[])shape.Clone();
            slab[last] = columns;
            FortranToC(raw.AsSpan(0, length), ordered.AsSpan(0, length), slab, es);
            var start = new long[shape.Length];
            start[last] = column;
            target.WriteBytes(new ArraySubset(start, slab), ordered.AsSpan(0, length), cancellationToken);
            long bytes = (column + columns) * columnBytes;
            progress.Report(new ComputeProgress(++done, blocks, bytes, bytes, clock.Elapsed));
        }
    }

    // Rewrites a Fortran-order array of `shape` in C order.
    internal static void FortranToC(ReadOnlySpan<byte> source, Span<byte> destination, long[] shape, int elementSize)
    {
        switch (elementSize)
        {
            case 1:
                FortranToC(source, destination, shape);
                break;
            case 2:
                FortranToC(MemoryMarshal.Cast<byte, ushort>(source), MemoryMarshal.Cast<byte, ushort>(destination), shape);
                break;
            case 4:
                FortranToC(MemoryMarshal.Cast<byte, uint>(source), MemoryMarshal.Cast<byte, uint>(destination), shape);
                break;
            case 8:
                FortranToC(MemoryMarshal.Cast<byte, ulong>(source), MemoryMarshal.Cast<byte, ulong>(destination), shape);
                break;
            case 16:
                FortranToC(MemoryMarshal.Cast<byte, Int128>(source), MemoryMarshal.Cast<byte, Int128>(destination), shape);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(elementSize), elementSize, "element size must be 1, 2, 4, 8 or 16");
        }
    }

    private static void FortranToC<T>(ReadOnlySpan<T> source, Span<T> destination, long[] shape)
        where T : unmanaged
    {
        int rank = shape.Length;
        var fortranStrides = new long[rank];
        long stride = 1;
        for (int d = 0; d < rank; d++)
        {
            fortranStrides[d] = stride;
            stride *= shape[d];
        }

        long inner = shape[rank - 1];
        long innerStride = fortranStrides[rank - 1];
        long outer = destination.Length / Math.Max(1, inner);
        var index = new long[rank];
        long sourceBase = 0;
        int position = 0;
        for (long o = 0; o < outer; o++)
        {
            long s = sourceBase;
            for (long j = 0; j < inner; j++)
            {
                destination[position++] = source[(int)s];
                s += innerStride;
            }

            for (int d = rank - 2; d >= 0; d--)
            {
                sourceBase += fortranStrides[d];
                if (++index[d] < shape[d])
                {
                    break;
                }

                sourceBase -= fortranStrides[d] * shape[d];
                index[d] = 0;
            }
        }
    }
}
