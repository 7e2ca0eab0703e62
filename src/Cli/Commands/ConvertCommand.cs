using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using ChunkCompute.Cli.Progress;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Cli.Commands;

/// <summary>
/// <c>chunkcompute convert SRC DST --array PATH [--to-array PATH] [--chunks A,B] [--codec …] [--format v2|v3]
/// [--dims A,B] [--consolidate] [--memory SIZE] [--overwrite] [--json]</c>: rechunks, recompresses and/or changes the Zarr format of an array with
/// the engine, within the memory budget (the rechunk spills to a temporary array on disk when the write does not fit
/// in memory). The target is published only when every chunk is written; a failed or cancelled convert leaves no target.
/// </summary>
internal static class ConvertCommand
{
    public static Command Create(CliContext context)
    {
        var source = new Argument<string>("SRC") { Description = "The source Zarr store: a directory, or an s3://, az:// or http(s):// URL." };
        var destination = new Argument<string>("DST") { Description = "The target Zarr store: a directory (created if missing; may be SRC), or an s3:// or az:// URL." };
        var array = new Option<string>("--array") { Description = "Path of the source array.", Required = true };
        var toArray = new Option<string?>("--to-array") { Description = "Path of the target array (default: the same as --array; must differ when DST is SRC)." };
        var chunks = new Option<string?>("--chunks") { Description = "Target chunk shape, e.g. 4096,512 (default: the source's)." };
        var codec = new Option<string?>("--codec") { Description = "Target compressor: none, lz4, zstd, gzip, zlib, blosc-lz4, blosc-lz4hc, blosc-zstd, blosc-zlib (optionally :LEVEL; default: the source's, or blosc-lz4)." };
        var format = new Option<string?>("--format") { Description = "Target Zarr format: v2 or v3 (default: the source's)." };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing array at the target path." };
        var dims = new Option<string?>("--dims") { Description = "Dimension names of the target, one per dimension (default: the source's, kept in either format)." };
        var consolidate = new Option<bool>("--consolidate") { Description = "Also write consolidated metadata for the target store (v2 .zmetadata, v3 inline)." };
        var memory = CliOptions.Memory("chunk buffers");
        var json = CliOptions.Json("source, target, shape, dtype, chunks, codec, bytes_read, bytes_written, peak_memory_bytes, seconds");
        var command = new Command("convert", "Rechunk, recompress and/or change the Zarr format of an array within a memory budget.")
        {
            source, destination, array, toArray, chunks, codec, format, overwrite, dims, consolidate, memory, json, CliOptions.Dashboard(), CliOptions.Report(),
        };
        var cluster = CliOptions.Cluster();
        cluster.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            long budget = CliParsing.ParseSize(parse.GetValue(memory)!, "--memory");
            var requested = parse.GetValue(codec) is { } c ? CliParsing.ParseCodec(c) : null;
            var fmt = CliParsing.ToZarrFormat(CliParsing.ParseFormat(parse.GetValue(format)));
            string srcDir = parse.GetValue(source)!;
            string dstDir = parse.GetValue(destination)!;
            string fromPath = Normalize(parse.GetValue(array)!);
            string toPath = Normalize(parse.GetValue(toArray) ?? fromPath);
            const string Usage = "convert SRC DST --array PATH";
            CliPaths.RequireStore("convert", Usage, "SRC", srcDir);
            CliPaths.RequireStore("convert", Usage, "DST", dstDir);
            bool sameStore = SameDirectory(srcDir, dstDir);
            if (sameStore && Overlaps(fromPath, toPath))
            {
                throw new UsageException(fromPath == toPath
                    ? $"converting within one store needs a different --to-array (the source is '{fromPath}')"
                    : $"--to-array '{toPath}' and --array '{fromPath}' overlap (one contains the other) in the same store");
            }

            bool asJson = parse.GetValue(json);
            using var srcStore = ZarrStore.OpenExisting(srcDir);
            var src = srcStore.OpenArray(fromPath);
            CliMemory.RequireGraph(src, budget, "convert");
            int[] targetChunks = parse.GetValue(chunks) is { } text ? CliParsing.ParseChunks(text, src.Rank) : src.ChunkShape.ToArray();
            var sourceCompression = CliParsing.CompressionOf(src.Metadata);
            var compression = requested ?? sourceCompression ?? Compression.Default;
            if (requested is null && sourceCompression is null)
            {
                context.Info(parse, asJson, $"note: the source's codecs have no writable equivalent; writing {compression.Name}");
            }

            var targetFormat = fmt ?? src.Metadata.Format;
            var dimensionNames = CliPaths.ParseDims(parse.GetValue(dims), src.Rank) ?? src.Metadata.DimensionNames;
            bool overwriteTarget = parse.GetValue(overwrite);
            if (StoreLocations.IsUrl(dstDir) || Directory.Exists(dstDir))
            {
                // Refused in CLI terms before anything (not even the transaction log) is written.
                using var existing = sameStore ? null : ZarrStore.OpenExisting(dstDir);
                var check = existing ?? srcStore;
                CliPaths.RequireFormat(check, targetFormat, explicitFlag: fmt is not null, $"array '{toPath}'");
                CliPaths.RequireAbsent(check, toPath, overwriteTarget);
            }

            // The attributes travel; v2's _ARRAY_DIMENSIONS attribute is the dimension names, written per format.
            var attributes = src.Attributes;
            attributes.Remove(ArrayMetadata.ArrayDimensionsAttribute);
            bool rechunk = !targetChunks.SequenceEqual(src.ChunkShape);
            var options = new ArrayOptions
            {
                Compression = compression,
                Format = targetFormat,
                Overwrite = overwriteTarget,
                FillValue = src.Metadata.FillValueIsNull ? null : src.DataType.FormatFillValue(src.Metadata.FillValue),
                Attributes = attributes,
                DimensionNames = dimensionNames,
            };

            void OnDisk() => context.Info(parse, asJson, $"note: the rechunk does not fit {ByteSize.Format(budget)} in memory; rechunking through a temporary array on disk");
            var clock = Stopwatch.StartNew();
            var workers = await ClusterSelection.CreateAsync(parse, cluster, budget, cancellationToken).ConfigureAwait(false);
            ConvertResult result;
            try
            {
                var job = workers is null ? null : new ClusterOptions(workers, CliJobs.ConvertJob(srcDir, src.Path, targetChunks, rechunk));
                result = await ProgressDisplay.RunAsync(context, parse, $"converting {fromPath}", progress =>
                    Run(src, sameStore ? srcStore : null, dstDir, toPath, targetChunks, rechunk, options, budget, parse.GetValue(consolidate), job, progress, OnDisk, cancellationToken)).ConfigureAwait(false);
            }
            finally
            {
                await ClusterSelection.DisposeAsync(workers).ConfigureAwait(false);
            }

            double seconds = clock.Elapsed.TotalSeconds;
            string sourceCodec = sourceCompression?.Name ?? "other";
            if (asJson)
            {
                var doc = new JsonObject
                {
                    ["source"] = Describe(srcStore.Name, src.Path, src.Metadata.Format, src.ChunkShape, sourceCodec),
                    ["target"] = Describe(dstDir, toPath, targetFormat, targetChunks, compression.Name),
                    ["shape"] = CliParsing.ToJson(src.Shape),
                    ["dtype"] = src.DataType.Name,
                    ["chunks"] = CliParsing.ToJson(targetChunks),
                    ["codec"] = compression.Name,
                    ["bytes_read"] = result.BytesRead,
                    ["bytes_written"] = result.BytesWritten,
                    ["peak_memory_bytes"] = result.Statistics.PeakMemoryBytes,
                    ["seconds"] = seconds,
                };
                if (workers is not null)
                {
                    doc["workers"] = CliJobs.WorkersJson(result.Statistics);
                }

                context.Out.WriteLine(doc.ToJsonString());
            }
            else
            {
                context.Out.WriteLine(
                    $"converted {srcStore.Name}/{src.Path} -> {dstDir}/{toPath}: {src.DataType.Name} [{string.Join(", ", src.Shape)}], " +
                    $"chunks [{string.Join(", ", src.ChunkShape)}] -> [{string.Join(", ", targetChunks)}], {sourceCodec} -> {compression.Name}, " +
                    $"zarr v{(int)src.Metadata.Format} -> v{(int)targetFormat}; {ByteSize.Format(result.BytesRead)} read, " +
                    $"{ByteSize.Format(result.BytesWritten)} written, peak {ByteSize.Format(result.Statistics.PeakMemoryBytes)}, {CliParsing.Seconds(seconds)}");
            }

            return 0;
        });
        return command;
    }

    private static async Task<ConvertResult> Run(
        ZarrArray src, ZarrStore? sameStore, string dstDir, string toPath, int[] chunks, bool rechunk, ArrayOptions options, long budget, bool consolidate, ClusterOptions? cluster, CliProgress progress, Action onDisk, CancellationToken cancellationToken)
    {
        var last = new LastProgress(progress.Compute);
        bool local = !StoreLocations.IsUrl(dstDir);
        bool created = sameStore is null && local && !Directory.Exists(dstDir);
        var dst = sameStore ?? ZarrStore.Open(dstDir);
        var missingParents = Parents(toPath).Where(p => dst.GetNodeKind(p) is null).ToList();
        if (!local && sameStore is null && dst.GetNodeKind(string.Empty) is null)
        {
            missingParents.Add(string.Empty); // the root group an empty object-store prefix gets for the target
        }

        try
        {
            var write = ElementTypeDispatch.Run<WriteBuilder, StoreWrite>(src.DataType, new WriteBuilder(src, dst, toPath, chunks, rechunk, options), "convert");

            ComputeStatistics statistics;
            var computeOptions = new ComputeOptions { MemoryBudget = budget, Progress = last, Observer = progress.Observer, Cluster = cluster };
            try
            {
                // The whole budget is the rechunk's too: its route (in memory or through disk) is chosen when the
                // write is planned, counting the chunks the store write holds.
                if (rechunk && cluster is null)
                {
                    try
                    {
                        if (ExecutionPlan.Create([write.Node], computeOptions).Routes.Values.Any(r => r.Label == "rechunk-load"))
                        {
                            onDisk();
                        }
                    }
                    catch
                    {
                        write.Dispose();
                        throw;
                    }
                }

                statistics = await write.ComputeAsync(computeOptions, cancellationToken).ConfigureAwait(false);
            }
            catch (MemoryPlanRefusedException ex)
            {
                throw CliMemory.Restate(ex, "convert", src);
            }

            if (consolidate)
            {
                dst.Consolidate(); // right after the target is published (the engine's write commits on its own)
            }

            return new ConvertResult(statistics, last.Value?.BytesRead ?? 0, last.Value?.BytesWritten ?? 0);
        }
        catch
        {
            if (created)
            {
                // A store this convert created holds nothing else: remove it with the failed target.
                dst.Dispose();
                Directory.Delete(dstDir, recursive: true);
            }
            else
            {
                // The write removed its own chunks (ToStore deletes what it wrote when it fails).
                if (local)
                {
                    EmptyDirectories.RemoveIfEmpty(dstDir, toPath);
                }

                // Groups created for the target's path (deepest first) go too, if nothing else was put in them.
                foreach (string parent in missingParents)
                {
                    if (dst.ListNodes(parent).All(n => n.Path == parent))
                    {
                        dst.Delete(parent);
                        if (local)
                        {
                            EmptyDirectories.RemoveIfEmpty(dstDir, parent);
                        }
                    }
                }
            }

            throw;
        }
        finally
        {
            if (sameStore is null)
            {
                dst.Dispose();
            }
        }
    }

    /// <summary>The data <c>convert</c> writes, as a node (what the CLI's cluster job builds on a worker).</summary>
    internal static ArrayNode BuildValue(ZarrArray src, int[] chunks, bool rechunk) =>
        ElementTypeDispatch.Run<ValueBuilder, ArrayNode>(src.DataType, new ValueBuilder(src, chunks, rechunk), "convert");

    // The data of the source's element type: read, rechunk if asked.
    private static ChunkedArray<T> Value<T>(ZarrArray src, int[] chunks, bool rechunk)
        where T : unmanaged
    {
        var x = ChunkedArray.FromZarr(src.As<T>());
        return rechunk ? x.Rechunk(chunks) : x;
    }

    private readonly record struct ValueBuilder(ZarrArray Src, int[] Chunks, bool Rechunk) : IElementTypeStep<ArrayNode>
    {
        public ArrayNode Run<T>()
            where T : unmanaged => Value<T>(Src, Chunks, Rechunk).Node;
    }

    // The write of the source's element type: read, rechunk if asked, store.
    private readonly record struct WriteBuilder(ZarrArray Src, ZarrStore Dst, string ToPath, int[] Chunks, bool Rechunk, ArrayOptions Options)
        : IElementTypeStep<StoreWrite>
    {
        public StoreWrite Run<T>()
            where T : unmanaged => Value<T>(Src, Chunks, Rechunk).ToStore(Dst, ToPath, Options, Chunks);
    }

    private static JsonObject Describe(string store, string path, ZarrFormat format, IEnumerable<int> chunks, string codec) => new()
    {
        ["store"] = store,
        ["array"] = path,
        ["format"] = (int)format,
        ["chunks"] = CliParsing.ToJson(chunks),
        ["codec"] = codec,
    };

    // "a/b/c" -> "a/b", "a" (deepest first).
    private static IEnumerable<string> Parents(string path)
    {
        for (int slash = path.LastIndexOf('/'); slash > 0; slash = path.LastIndexOf('/', slash - 1))
        {
            yield return path[..slash];
        }
    }

    private static string Normalize(string path) => path.Trim('/');

    private static bool Overlaps(string a, string b) =>
        a == b || a.Length == 0 || b.Length == 0 || a.StartsWith(b + "/", StringComparison.Ordinal) || b.StartsWith(a + "/", StringComparison.Ordinal);

    private static bool SameDirectory(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)), StringComparison.Ordinal);
}
