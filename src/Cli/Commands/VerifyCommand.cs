using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using ChunkCompute.Cli.Progress;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;

namespace ChunkCompute.Cli.Commands;

/// <summary>
/// <c>chunkcompute verify STORE [--json]</c>: every node's metadata parses, every chunk decodes (checksums included),
/// and the transaction log has nothing half done or orphaned. Exit 0 when sound, 1 with the list of problems.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create(CliContext context)
    {
        var store = new Argument<string>("STORE") { Description = "The Zarr store (a directory)." };
        var memory = CliOptions.Memory("chunks decoded at once");
        var json = CliOptions.Json("store, version, sound, arrays, groups, chunks, problems, notes, seconds");
        var command = new Command("verify", "Check a store: metadata, every chunk decodes, checksums, no orphaned staging. Exit 1 lists the problems.") { store, memory, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            long budget = CliParsing.ParseSize(parse.GetValue(memory)!, "--memory");
            var clock = Stopwatch.StartNew();
            string storeArgument = parse.GetValue(store)!;
            CliPaths.RequireStore("verify", "verify STORE", "STORE", storeArgument);
            using var zarr = ZarrStore.OpenExisting(storeArgument);
            var report = await ProgressDisplay.RunAsync(context, parse, "verifying chunks", progress =>
            {
                var forward = new Progress(progress, clock);
                return Task.FromResult(zarr.Verify(forward, budget, cancellationToken));
            }).ConfigureAwait(false);
            double seconds = clock.Elapsed.TotalSeconds;
            if (parse.GetValue(json))
            {
                context.Out.WriteLine(new JsonObject
                {
                    ["store"] = zarr.Name,
                    ["version"] = report.Version,
                    ["sound"] = report.IsSound,
                    ["arrays"] = report.Arrays,
                    ["groups"] = report.Groups,
                    ["chunks"] = report.Chunks,
                    ["problems"] = new JsonArray(report.Problems.Select(p => (JsonNode?)p).ToArray()),
                    ["notes"] = new JsonArray(report.Notes.Select(p => (JsonNode?)p).ToArray()),
                    ["seconds"] = seconds,
                }.ToJsonString());
            }
            else
            {
                foreach (var problem in report.Problems)
                {
                    context.Out.WriteLine("problem: " + problem);
                }

                if (!CliContext.IsQuiet(parse))
                {
                    foreach (var note in report.Notes)
                    {
                        context.Out.WriteLine("note: " + note);
                    }
                }

                context.Out.WriteLine(
                    $"{zarr.Name}{(report.Version is { } v ? $" (version {v})" : string.Empty)}: {report.Arrays} arrays, {report.Groups} groups, " +
                    $"{report.Chunks} chunks decoded in {CliParsing.Seconds(seconds)}: " +
                    (report.IsSound ? "sound" : $"{report.Problems.Count} problem(s)"));
            }

            return report.IsSound ? 0 : 1;
        });
        return command;
    }

    private sealed class Progress(CliProgress display, Stopwatch clock) : IProgress<VerifyProgress>
    {
        public void Report(VerifyProgress value) =>
            display.Report(new ComputeProgress(value.ChunksChecked, value.ChunksTotal, 0, 0, clock.Elapsed));
    }
}
