using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using ChunkCompute.Cli.Progress;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Npy;

namespace ChunkCompute.Cli.Commands;

/// <summary>
/// <c>chunkcompute export STORE FILE.npy --array PATH [--slice "0:100,:"]</c>: writes an array, or a NumPy-style basic
/// slice of it (steps, negative indices, integer indices that drop a dimension), to a .npy file in bounded memory.
/// </summary>
internal static class ExportCommand
{
    private const long MaxBlockBytes = 64L << 20;

    public static Command Create(CliContext context)
    {
        var store = new Argument<string>("STORE") { Description = "The Zarr store: a directory, or an s3://, az:// or http(s):// URL." };
        var file = new Argument<string>("FILE") { Description = "The .npy file to write." };
        var array = new Option<string>("--array") { Description = "Path of the array in the store.", Required = true };
        var slice = new Option<string?>("--slice") { Description = "NumPy basic slice, e.g. \"0:100,:\", \"::2,5\", \"-10:\"." };
        var memory = CliOptions.Memory("the export buffers");
        var json = CliOptions.Json("store, array, target, shape, dtype, bytes_written, seconds");
        var command = new Command("export", "Export an array (or a slice of it) to a NumPy .npy file.") { store, file, array, slice, memory, json, CliOptions.Dashboard(), CliOptions.Report() };
        command.SetAction(async (parse, cancellationToken) =>
        {
            long budget = CliParsing.ParseSize(parse.GetValue(memory)!, "--memory");
            string storePath = parse.GetValue(store)!;
            string arrayPath = parse.GetValue(array)!;
            string output = parse.GetValue(file)!;
            const string Usage = "export STORE FILE --array PATH";
            CliPaths.RequireStore("export", Usage, "STORE", storePath);
            CliPaths.RequireFile("export", Usage, "FILE", output, mustExist: false);
            var clock = Stopwatch.StartNew();

            // Plan on a first handle (metadata only), then read on one sized by the plan: no chunk cache, and no more
            // chunks decoded at once than the budget holds.
            Plan plan;
            using (var planning = ZarrStore.OpenExisting(storePath))
            {
                var planned = planning.OpenArray(arrayPath);
                plan = MakePlan(planned, CliParsing.ParseSlice(parse.GetValue(slice), planned.Shape), budget);
            }

            using var zarr = ZarrStore.OpenExisting(storePath, plan.StoreOptions);
            var source = zarr.OpenArray(arrayPath);
            var specs = CliParsing.ParseSlice(parse.GetValue(slice), source.Shape);
            long[] outShape = specs.Where(s => !s.Dropped).Select(s => s.Count).ToArray();
            await ProgressDisplay.RunAsync(context, parse, "exporting " + source.Path, progress =>
            {
                Export(source, specs, output, plan.BlockBytes, progress, cancellationToken);
                return Task.FromResult(0);
            }).ConfigureAwait(false);
            long bytes = outShape.Aggregate((long)source.DataType.Size, (a, b) => a * b);
            double seconds = clock.Elapsed.TotalSeconds;
            if (parse.GetValue(json))
            {
                context.Out.WriteLine(new JsonObject
                {
                    ["store"] = zarr.Name,
                    ["array"] = source.Path,
                    ["target"] = output,
                    ["shape"] = CliParsing.ToJson(outShape),
                    ["dtype"] = source.DataType.Name,
                    ["bytes_written"] = bytes,
                    ["seconds"] = seconds,
                }.ToJsonString());
            }
            else
            {
                context.Out.WriteLine($"exported {zarr.Name}/{source.Path} -> {output}: {source.DataType.Name} [{string.Join(", ", outShape)}], {ByteSize.Format(bytes)} in {CliParsing.Seconds(seconds)}");
            }

            return 0;
        });
        return command;
    }

    private sealed record Plan(long BlockBytes, ZarrStoreOptions StoreOptions);

    // Refuses before any chunk is read when one chunk and the buffers of one output row do not fit the budget; else
    // sizes the blocks (at most half of what the chunk being read leaves, and 64 MiB) and how many chunks are
    // decoded at once (what the blocks leave, at least one).
    private static Plan MakePlan(ZarrArray source, SliceSpec[] specs, long budget)
    {
        int es = source.DataType.Size;
        if (specs.Length == 0 || specs.Any(s => s.Count == 0))
        {
            long chunkNeed = specs.Length == 0 ? CliMemory.RequireChunk(source, budget, "export", es, "the element") : 0;
            return new Plan(1, CliMemory.PassOptions(budget, Math.Max(1, chunkNeed), es));
        }

        bool unitSteps = specs.All(s => s.Step == 1);
        long innerBox = specs.Skip(1).Aggregate(1L, (a, s) => CliMemory.Multiply(a, BoxExtent(s, 0, s.Count)));
        long innerOut = specs.Skip(1).Aggregate(1L, (a, s) => CliMemory.Multiply(a, s.Count));
        long rowBox = CliMemory.Multiply(innerBox, es);
        long rowOut = unitSteps ? 0 : CliMemory.Multiply(innerOut, es);
        long rowBuffers = CliMemory.Add(rowBox, rowOut);
        long perChunk = CliMemory.RequireChunk(source, budget, "export", rowBuffers, "one row of the output and the chunks it spans");
        if (rowBox > Array.MaxLength || rowOut > Array.MaxLength)
        {
            throw new ChunkComputeException(
                $"export of array '{source.Path}': one row along axis 0 of the slice spans {ByteSize.Format(rowBox)}, more than one buffer holds (2 GiB): export a narrower --slice");
        }

        // Blocks take up to half of what one chunk read leaves (and at most 64 MiB); the rest decodes more chunks at once.
        long blockTarget = Math.Clamp((budget - perChunk) / 2, rowBuffers, Math.Max(rowBuffers, MaxBlockBytes));
        long rows = Math.Clamp(blockTarget / Math.Max(1, rowBuffers), 1, specs[0].Count);
        long blockBytes = rows * rowBox * Math.Abs(specs[0].Step); // WriteSlice sizes rows by box bytes with the step
        long buffers = rows * rowBuffers;
        return new Plan(Math.Max(1, blockBytes), CliMemory.PassOptions(budget, perChunk, buffers));
    }

    private static void Export(ZarrArray source, SliceSpec[] specs, string path, long blockBytes, CliProgress progress, CancellationToken cancellationToken)
    {
        long[] outShape = specs.Where(s => !s.Dropped).Select(s => s.Count).ToArray();

        // Written next to the destination and renamed over it only when complete: a failed or cancelled export
        // leaves an existing file as it was.
        AtomicFile.Write(path, temp =>
        {
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            NpyWriter writer;
            try
            {
                writer = new NpyWriter(stream, source.DataType.ToNumpyTypestr(), outShape, name: path);
            }
            catch
            {
                stream.Dispose();
                throw;
            }

            try
            {
                WriteSlice(source, specs, writer, blockBytes, progress, cancellationToken);
            }
            catch
            {
                // Disposing an unfinished writer throws "incomplete", which would hide the real error (a corrupt
                // chunk, cancellation); the temporary file is deleted and the original exception goes through.
                try
                {
                    writer.Dispose();
                }
                catch (NpyFormatException)
                {
                }

                throw;
            }

            writer.Dispose();
        });
    }

    private static void WriteSlice(ZarrArray source, SliceSpec[] specs, NpyWriter writer, long blockBytes, CliProgress progress, CancellationToken cancellationToken)
    {
        int es = source.DataType.Size;
        if (specs.Any(s => s.Count == 0))
        {
            return;
        }

        if (specs.Length == 0)
        {
            var scalar = new byte[es];
            source.ReadBytes(ArraySubset.All(source.Shape), scalar, cancellationToken);
            writer.WriteElements(scalar);
            return;
        }

        // Blocks along axis 0 of the slice: C order makes each block a contiguous run of the output.
        long innerOut = specs.Skip(1).Aggregate(1L, (a, s) => a * s.Count);
        long innerBox = specs.Skip(1).Aggregate(1L, (a, s) => a * BoxExtent(s, 0, s.Count));
        long rowsPerBlock = Math.Clamp(blockBytes / Math.Max(1, innerBox * es * Math.Abs(specs[0].Step)), 1, specs[0].Count);
        bool unitSteps = specs.All(s => s.Step == 1);
        long blocks = (specs[0].Count + rowsPerBlock - 1) / rowsPerBlock;
        long done = 0;
        long read = 0;
        long written = 0;
        var clock = Stopwatch.StartNew();

        // One buffer for every block (and one for gathering strided slices): a new large array per block would be left
        // for the garbage collector, and a process keeps those pages until it runs, far past --memory.
        long maxBox = BoxExtent(specs[0], 0, Math.Min(rowsPerBlock, specs[0].Count)) * innerBox * es;
        var boxBuffer = new byte[checked((int)maxBox)];
        var gathered = unitSteps ? [] : new byte[checked((int)(Math.Min(rowsPerBlock, specs[0].Count) * innerOut * es))];
        for (long o = 0; o < specs[0].Count; o += rowsPerBlock)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress.Report(new ComputeProgress(done++, blocks, read, written, clock.Elapsed));
            long rows = Math.Min(rowsPerBlock, specs[0].Count - o);
            var boxStart = new long[specs.Length];
            var boxShape = new long[specs.Length];
            for (int d = 0; d < specs.Length; d++)
            {
                (long lo, long n) = d == 0 ? (o, rows) : (0, specs[d].Count);
                boxStart[d] = BoxStart(specs[d], lo, n);
                boxShape[d] = BoxExtent(specs[d], lo, n);
            }

            var box = new ArraySubset(boxStart, boxShape);
            var data = boxBuffer.AsSpan(0, checked((int)(box.ElementCount * es)));
            source.ReadBytes(box, data, useCache: false, cancellationToken);
            read += data.Length;
            written += rows * innerOut * es;
            if (unitSteps)
            {
                writer.WriteElements(data);
                continue;
            }

            var output = gathered.AsSpan(0, checked((int)(rows * innerOut * es)));
            Gather(data, boxShape, specs, o, rows, boxStart, output, es);
            writer.WriteElements(output);
        }

        progress.Report(new ComputeProgress(blocks, blocks, read, written, clock.Elapsed));
    }

    // First source index touched by output indices [lo, lo+n) of a dimension, and how many source indices the box spans.
    private static long BoxStart(SliceSpec s, long lo, long n) => s.Step > 0 ? s.Start + (lo * s.Step) : s.Start + ((lo + n - 1) * s.Step);

    private static long BoxExtent(SliceSpec s, long lo, long n) => n == 0 ? 0 : ((n - 1) * Math.Abs(s.Step)) + 1;

    private static void Gather(ReadOnlySpan<byte> box, long[] boxShape, SliceSpec[] specs, long o, long rows, long[] boxStart, Span<byte> output, int es)
    {
        int rank = specs.Length;
        var strides = new long[rank];
        long stride = es;
        for (int d = rank - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= boxShape[d];
        }

        var counts = specs.Select(s => s.Count).ToArray();
        counts[0] = rows;
        var index = new long[rank];
        long total = output.Length / es;
        for (long k = 0; k < total; k++)
        {
            long offset = 0;
            for (int d = 0; d < rank; d++)
            {
                long outIndex = index[d] + (d == 0 ? o : 0);
                long src = specs[d].Start + (outIndex * specs[d].Step) - boxStart[d];
                offset += src * strides[d];
            }

            box.Slice((int)offset, es).CopyTo(output.Slice((int)(k * es), es));
            for (int d = rank - 1; d >= 0; d--)
            {
                if (++index[d] < counts[d])
                {
                    break;
                }

                index[d] = 0;
            }
        }
    }
}
