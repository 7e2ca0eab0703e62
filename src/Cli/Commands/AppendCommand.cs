using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using ChunkCompute.Cli.Progress;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Npy;

namespace ChunkCompute.Cli.Commands;

/// <summary>
/// <c>chunkcompute append FILE.npy STORE --array PATH [--axis N] [--consolidate] [--memory SIZE] [--json]</c>: appends a .npy file to
/// an array along an axis in one transaction (readers see all of it or none of it), streaming it in blocks of rows.
/// </summary>
internal static class AppendCommand
{
    public static Command Create(CliContext context)
    {
        var file = new Argument<string>("FILE") { Description = "A NumPy .npy file of the array's dtype whose other dimensions match the array's (or one slice: rank one less)." };
        var store = new Argument<string>("STORE") { Description = "The Zarr store (a directory)." };
        var array = new Option<string>("--array") { Description = "Path of the array to append to.", Required = true };
        var consolidate = new Option<bool>("--consolidate") { Description = "Also write consolidated metadata for the store (v2 .zmetadata, v3 inline), in the same commit." };
        var axis = new Option<int>("--axis") { Description = "The axis to grow (default 0).", DefaultValueFactory = _ => 0 };
        var memory = CliOptions.Memory("the append buffers");
        var json = CliOptions.Json("store, array, file, axis, appended, shape_before, shape, version, bytes_read, seconds");
        var command = new Command("append", "Append a .npy file to an array in one transaction (O(appended data)).") { file, store, array, axis, consolidate, memory, json, CliOptions.Dashboard(), CliOptions.Report() };
        command.SetAction(async (parse, cancellationToken) =>
        {
            long budget = CliParsing.ParseSize(parse.GetValue(memory)!, "--memory");
            string input = parse.GetValue(file)!;
            string storePath = parse.GetValue(store)!;
            string arrayPath = parse.GetValue(array)!;
            int ax = parse.GetValue(axis);
            bool consolidateStore = parse.GetValue(consolidate);
            const string Usage = "append FILE STORE --array PATH";
            CliPaths.RequireFile("append", Usage, "FILE", input, mustExist: true);
            CliPaths.RequireStore("append", Usage, "STORE", storePath);
            var clock = Stopwatch.StartNew();

            // Plan on a first handle (metadata and the file's header only), then append on one sized by the plan.
            ZarrStoreOptions options;
            using (var planning = ZarrStore.OpenExisting(storePath))
            using (var header = new NpyReader(input))
            {
                var (current, block) = Check(planning, arrayPath, input, header.Header, ax);
                options = Plan(current, input, header.Header, block, ax, budget);
            }

            using var zarr = ZarrStore.OpenExisting(storePath, options);
            var result = await ProgressDisplay.RunAsync(context, parse, "appending " + Path.GetFileName(input), progress =>
                Task.FromResult(Append(zarr, arrayPath, input, ax, budget, consolidateStore, progress, cancellationToken))).ConfigureAwait(false);
            double seconds = clock.Elapsed.TotalSeconds;
            if (parse.GetValue(json))
            {
                context.Out.WriteLine(new JsonObject
                {
                    ["store"] = zarr.Name,
                    ["array"] = result.Path,
                    ["file"] = input,
                    ["axis"] = ax,
                    ["appended"] = result.Appended,
                    ["shape_before"] = CliParsing.ToJson(result.Before),
                    ["shape"] = CliParsing.ToJson(result.After),
                    ["version"] = result.Version,
                    ["bytes_read"] = result.BytesRead,
                    ["seconds"] = seconds,
                }.ToJsonString());
            }
            else
            {
                context.Out.WriteLine(
                    $"appended {result.Appended} along axis {ax} from {input} to {zarr.Name}/{result.Path}: " +
                    $"[{string.Join(", ", result.Before)}] -> [{string.Join(", ", result.After)}], version {result.Version}, " +
                    $"{ByteSize.Format(result.BytesRead)} in {CliParsing.Seconds(seconds)}");
            }

            return 0;
        });
        return command;
    }

    private sealed record Result(string Path, long Appended, long[] Before, long[] After, long? Version, long BytesRead);

    // The array, and the file's shape as a block of the array's rank; refuses a wrong axis, dtype or shape.
    private static (ZarrArray Current, long[] Block) Check(ZarrStore zarr, string arrayPath, string input, NpyHeader header, int axis)
    {
        var fileType = DataType.FromNumpyTypestr(header.NormalizedDescr, out _);
        var current = zarr.OpenArray(arrayPath);
        if (axis < 0 || axis >= current.Rank)
        {
            throw new UsageException($"--axis {axis} is outside array '{current.Path}' of rank {current.Rank}");
        }

        if (fileType != current.DataType)
        {
            throw new DataTypeMismatchException(zarr.Name, current.Path, current.DataType, fileType.ClrType, $"'{input}' holds {fileType.Name}; convert the file first (append does not cast)");
        }

        long[] block = header.Shape.Length == current.Rank - 1
            ? [.. header.Shape[..axis], 1, .. header.Shape[axis..]]
            : header.Shape;
        if (block.Length != current.Rank)
        {
            throw new ShapeMismatchException($"'{input}' has shape [{string.Join(", ", header.Shape)}] (rank {header.Shape.Length}); array '{current.Path}' in store '{zarr.Name}' has rank {current.Rank}: give a block of rank {current.Rank} or one slice of rank {current.Rank - 1}");
        }

        for (int d = 0; d < block.Length; d++)
        {
            if (d != axis && block[d] != current.Shape[d])
            {
                throw new ShapeMismatchException($"'{input}' has shape [{string.Join(", ", header.Shape)}] but array '{current.Path}' in store '{zarr.Name}' has shape [{string.Join(", ", current.Shape)}]: every dimension except axis {axis} must match (dimension {d}: {block[d]} vs {current.Shape[d]})");
            }
        }

        return (current, block);
    }

    // Refuses before reading the file when what Copy holds does not fit: the whole file (twice for a Fortran-order
    // file, which is transposed) when it is read whole, else one row of blocks; plus one chunk being read, merged and
    // encoded. Returns a store handle with no chunk cache and no more chunks at once than the rest of the budget holds.
    private static ZarrStoreOptions Plan(ZarrArray current, string input, NpyHeader header, long[] block, int axis, long budget)
    {
        int es = current.DataType.Size;
        long total = block.Aggregate((long)es, (a, b) => CliMemory.Multiply(a, b));
        long buffers;
        string what;
        if (ReadsWhole(header, block, axis, total, budget))
        {
            bool fortran = header.FortranOrder && block.Length > 1;
            buffers = CliMemory.Multiply(total, fortran ? 2 : 1);
            what = $"'{input}' is read whole ({ByteSize.Format(total)}{(fortran ? ", twice: it is in Fortran order and is transposed" : string.Empty)}: appending along axis {axis}{(fortran ? " from a Fortran-order file" : string.Empty)})";
        }
        else
        {
            buffers = CliMemory.Multiply(total / Math.Max(1, block[0]), 1);
            what = $"one row of '{input}' is {ByteSize.Format(buffers)}";
        }

        CliMemory.RequireChunk(current, budget, "append", buffers, what);
        long perChunk = ChunkMemory.DecodeBytes(current.Metadata);
        long rows = ReadsWhole(header, block, axis, total, budget) ? 1 : BlockRows(block, total, budget);
        return CliMemory.PassOptions(budget, perChunk, ReadsWhole(header, block, axis, total, budget) ? buffers : rows * buffers);
    }

    private static bool ReadsWhole(NpyHeader header, long[] block, int axis, long total, long budget) =>
        axis != 0 || (header.FortranOrder && block.Length > 1) || total <= Math.Max(budget / 4, 1);

    private static long BlockRows(long[] block, long total, long budget)
    {
        long rowBytes = total / Math.Max(1, block[0]);
        return Math.Max(1, Math.Min(block[0], Math.Min(budget / 4, 64L << 20) / Math.Max(1, rowBytes)));
    }

    private static Result Append(ZarrStore zarr, string arrayPath, string input, int axis, long budget, bool consolidate, CliProgress progress, CancellationToken cancellationToken)
    {
        using var reader = new NpyReader(input);
        var (current, block) = Check(zarr, arrayPath, input, reader.Header, axis);
        var before = current.Shape.ToArray();
        long? version = null;
        long bytesRead = 0;
        zarr.Transact(
            tx =>
            {
                var target = tx.OpenArray(arrayPath);
                bytesRead = Copy(reader, target, block, axis, budget, progress, cancellationToken);
                if (consolidate)
                {
                    tx.Store.Consolidate();
                }
            },
            retries: 0,
            cancellationToken);
        version = zarr.Version;
        var after = zarr.OpenArray(arrayPath).Shape.ToArray();
        return new Result(current.Path, block[axis], before, after, version, bytesRead);
    }

    // Streams the file in blocks of whole slices along axis 0 when it can (C order, axis 0); otherwise reads it whole.
    private static long Copy(NpyReader reader, ZarrArray target, long[] block, int axis, long budget, CliProgress progress, CancellationToken cancellationToken)
    {
        int es = target.DataType.Size;
        long total = block.Aggregate(1L, (a, b) => a * b) * es;
        if (ReadsWhole(reader.Header, block, axis, total, budget))
        {
            var all = reader.ReadAll();
            target.AppendBytes(all, block, axis, cancellationToken);
            progress.Report(new ComputeProgress(1, 1, all.Length, all.Length, TimeSpan.Zero));
            return all.Length;
        }

        long rowBytes = total / Math.Max(1, block[0]);
        long rowsPerBlock = BlockRows(block, total, budget);
        var buffer = new byte[checked((int)(rowsPerBlock * rowBytes))];
        long blocks = (block[0] + rowsPerBlock - 1) / rowsPerBlock;
        long done = 0;
        long read = 0;
        var clock = Stopwatch.StartNew();
        for (long row = 0; row < block[0]; row += rowsPerBlock)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long rows = Math.Min(rowsPerBlock, block[0] - row);
            var span = buffer.AsSpan(0, (int)(rows * rowBytes));
            reader.ReadElementsExactly(span);

            var part = (long[])block.Clone();
            part[0] = rows;
            target.AppendBytes(span, part, 0, cancellationToken);
            read += span.Length;
            progress.Report(new ComputeProgress(++done, blocks, read, read, clock.Elapsed));
        }

        return read;
    }
}
