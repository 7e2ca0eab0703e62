using System.Globalization;
using System.Text.Json.Nodes;
using ChunkCompute.Graph;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Cli.Commands;

/// <summary>
/// The CLI's cluster jobs: what <c>stats</c> and <c>convert</c> compute, rebuilt by name and arguments on every worker
/// (<c>chunkcompute worker</c>, <c>chunkcompute run-task</c>) exactly as the command builds it, so the coordinator and the
/// workers name the same nodes. Registered when the CLI starts.
/// </summary>
internal static class CliJobs
{
    public const string Stats = "chunkcompute-stats";
    public const string Convert = "chunkcompute-convert";

    private static int _registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
        {
            ClusterJobs.Register(Stats, BuildStats);
            ClusterJobs.Register(Convert, BuildConvert);
        }
    }

    /// <summary>Where workers open a store: a URL as given, a directory as its full path.</summary>
    public static string Location(string store) => StoreLocations.IsUrl(store) ? store : Path.GetFullPath(store);

    /// <summary>The job of <c>stats STORE --array ARRAY --op OP [--axis] [--ddof] [--q]</c>.</summary>
    public static ClusterJob StatsJob(string store, string array, string op, int[]? axes, double ddof, double[]? q) => new(Stats,
    [
        Location(store), array, op,
        axes is null ? string.Empty : string.Join(',', axes.Select(a => a.ToString(CultureInfo.InvariantCulture))),
        ddof.ToString("R", CultureInfo.InvariantCulture),
        q is null ? string.Empty : string.Join(',', q.Select(v => v.ToString("R", CultureInfo.InvariantCulture))),
    ]);

    /// <summary>The job of <c>convert SRC … --array ARRAY [--chunks]</c>: the data written (the source, rechunked if asked).</summary>
    public static ClusterJob ConvertJob(string store, string array, int[] chunks, bool rechunk) => new(Convert,
    [
        Location(store), array, string.Join(',', chunks.Select(c => c.ToString(CultureInfo.InvariantCulture))), rechunk ? "rechunk" : "same",
    ]);

    /// <summary>The <c>"workers"</c> member of a cluster run's --json output.</summary>
    public static JsonArray WorkersJson(ComputeStatistics statistics) => new(statistics.Workers.Select(w => (JsonNode)new JsonObject
    {
        ["address"] = w.Address,
        ["tasks"] = w.Tasks,
        ["retried"] = w.Retried,
    }).ToArray());

    private static IReadOnlyList<ArrayNode> BuildStats(ClusterJobContext context)
    {
        var a = Arguments(context, 6);
        var source = context.OpenStore(a[0]).OpenArray(a[1]);
        int[]? axes = a[3].Length == 0 ? null : a[3].Split(',').Select(t => int.Parse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)).ToArray();
        double ddof = double.Parse(a[4], NumberStyles.Float, CultureInfo.InvariantCulture);
        double[]? q = a[5].Length == 0 ? null : a[5].Split(',').Select(t => double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
        return [StatsCommand.BuildNode(source, a[2], axes, ddof, q)];
    }

    private static IReadOnlyList<ArrayNode> BuildConvert(ClusterJobContext context)
    {
        var a = Arguments(context, 4);
        var source = context.OpenStore(a[0]).OpenArray(a[1]);
        int[] chunks = a[2].Split(',').Select(t => int.Parse(t, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray();
        return [ConvertCommand.BuildValue(source, chunks, a[3] == "rechunk")];
    }

    private static IReadOnlyList<string> Arguments(ClusterJobContext context, int count) => context.Arguments.Count == count
        ? context.Arguments
        : throw new ChunkComputeException($"cluster job '{context.Job.Name}' takes {count} arguments, not {context.Arguments.Count}: the coordinator and this worker run different versions of chunkcompute");
}
