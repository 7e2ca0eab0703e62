using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using ChunkCompute.Storage;

namespace ChunkCompute.Cli.Commands;

/// <summary>
/// <c>chunkcompute gc STORE [--json]</c>: removes what no live snapshot needs — pre-images of replaced chunks older than
/// every live reader, old commit records, pins of dead readers, staging of dead transactions, and chunks beyond each
/// array's shape.
/// </summary>
internal static class GcCommand
{
    public static Command Create(CliContext context)
    {
        var store = new Argument<string>("STORE") { Description = "The Zarr store (a directory)." };
        var memory = CliOptions.MemoryUnused();
        var json = CliOptions.Json("store, version, pre_image_versions, commit_records, dead_pins, orphaned_stagings, chunks_beyond_shape, oldest_live_version, seconds");
        var command = new Command("gc", "Collect garbage: pre-images no reader needs, dead pins and stagings, chunks beyond shapes.") { store, memory, json };
        command.SetAction(parse =>
        {
            _ = CliParsing.ParseSize(parse.GetValue(memory)!, "--memory");
            var clock = Stopwatch.StartNew();
            string storeArgument = parse.GetValue(store)!;
            CliPaths.RequireStore("gc", "gc STORE", "STORE", storeArgument);
            using var zarr = ZarrStore.OpenExisting(storeArgument);
            if (!zarr.IsTransactional)
            {
                throw new NotSupportedException($"store '{zarr.Name}' has no transaction log to collect (read-only directory?)");
            }

            var r = zarr.CollectGarbage(context.CancellationToken);
            double seconds = clock.Elapsed.TotalSeconds;
            if (parse.GetValue(json))
            {
                context.Out.WriteLine(new JsonObject
                {
                    ["store"] = zarr.Name,
                    ["version"] = zarr.Version,
                    ["pre_image_versions"] = r.PreImageVersions,
                    ["commit_records"] = r.CommitRecords,
                    ["dead_pins"] = r.DeadPins,
                    ["orphaned_stagings"] = r.OrphanedStagings,
                    ["chunks_beyond_shape"] = r.ChunksBeyondShape,
                    ["oldest_live_version"] = r.OldestLiveVersion,
                    ["seconds"] = seconds,
                }.ToJsonString());
            }
            else
            {
                context.Out.WriteLine(
                    $"{zarr.Name} (version {zarr.Version}): removed pre-images of {r.PreImageVersions} version(s), {r.CommitRecords} commit record(s), " +
                    $"{r.DeadPins} dead pin(s), {r.OrphanedStagings} orphaned staging(s), {r.ChunksBeyondShape} chunk(s) beyond shape; " +
                    $"oldest live snapshot: version {r.OldestLiveVersion} ({CliParsing.Seconds(seconds)})");
            }

            return 0;
        });
        return command;
    }
}
