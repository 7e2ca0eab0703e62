using System.Globalization;
using System.Text.Json.Nodes;
using ChunkCompute.Graph;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;

namespace ChunkCompute.Cli.Commands;

/// <content>
/// <c>stats --op unique</c>: the distinct values of the whole array and how many times each occurs (NumPy's
/// <c>unique(x, return_counts=True)</c>: ascending, NaN once and last), for bool, integer, float and datetime arrays.
/// </content>
internal static partial class StatsCommand
{
    private static async Task<int> RunUniqueAsync(CliContext context, System.CommandLine.ParseResult parse, ZarrArray source, string? axisText, long budget, bool json, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(axisText))
        {
            throw new UsageException($"--op unique counts the distinct values of the whole array; it takes no --axis (got --axis {axisText})");
        }

        CliMemory.RequireGraph(source, budget, "stats");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await Progress.ProgressDisplay.RunAsync(context, parse, $"unique {source.Path}", progress =>
            ElementTypeDispatch.Run<UniqueRun, Task<UniqueResult>>(
                source.DataType, new UniqueRun(source, budget, progress.Compute, progress.Observer, cancellationToken), "stats")).ConfigureAwait(false);
        double seconds = clock.Elapsed.TotalSeconds;
        int n = result.Counts.Length;
        if (json)
        {
            var doc = new JsonObject
            {
                ["op"] = "unique",
                ["shape"] = new JsonArray(JsonValue.Create((long)n)),
                ["dtype"] = result.DataType.Name,
                ["values"] = new JsonArray(Enumerable.Range(0, n).Select(i => UniqueJson(result.Values.GetValue(i))).ToArray()),
                ["counts"] = new JsonArray(result.Counts.Select(c => (JsonNode)c).ToArray()),
                ["seconds"] = seconds,
            };
            context.Out.WriteLine(doc.ToJsonString());
        }
        else
        {
            context.Out.WriteLine($"{n} distinct {result.DataType.Name} value{(n == 1 ? string.Empty : "s")} (value\tcount)");
            for (int i = 0; i < n; i++)
            {
                context.Out.WriteLine($"{Format(result.Values.GetValue(i))}\t{result.Counts[i].ToString(CultureInfo.InvariantCulture)}");
            }
        }

        return 0;
    }

    // Datetimes and timedeltas as their count of units (the unit is in dtype), NaT as "NaT".
    private static JsonNode? UniqueJson(object? v) => v switch
    {
        DateTime64 d => d.IsNaT ? JsonValue.Create("NaT") : JsonValue.Create(d.Value),
        TimeDelta64 t => t.IsNaT ? JsonValue.Create("NaT") : JsonValue.Create(t.Value),
        _ => ToJson(v),
    };

    private readonly record struct UniqueRun(ZarrArray Source, long Budget, IProgress<ComputeProgress>? Progress, IComputeObserver? Observer, CancellationToken CancellationToken)
        : IElementTypeStep<Task<UniqueResult>>
    {
        public Task<UniqueResult> Run<T>()
            where T : unmanaged
        {
            var (source, budget, progress, observer, cancellationToken) = this;
            return Task.Run(() => Unique<T>(source, budget, progress, observer, cancellationToken), cancellationToken);
        }
    }

    private static UniqueResult Unique<T>(ZarrArray source, long budget, IProgress<ComputeProgress>? progress, IComputeObserver? observer, CancellationToken cancellationToken)
        where T : unmanaged
    {
        var options = new ComputeOptions { MemoryBudget = budget, Progress = progress, Observer = observer };
        var x = ChunkedArray.FromZarr(source.As<T>());
        try
        {
            return (object)x switch
            {
                ChunkedArray<bool> a => Counted(source.DataType, a.UniqueCounts(options, cancellationToken)),
                ChunkedArray<sbyte> a => Counted(source.DataType, a.UniqueCounts(options, cancellationToken)),
                ChunkedArray<short> a => Counted(source.DataType, a.UniqueCounts(options, cancellationToken)),
                ChunkedArray<int> a => Counted(source.DataType, a.UniqueCounts(options, cancellationToken)),
                ChunkedArray<long> a => Counted(source.DataType, a.UniqueCounts(options, cancellationToken)),
                ChunkedArray<byte> a => Counted(source.DataType, a.UniqueCounts(options, cancellationToken)),
                ChunkedArray<ushort> a => Counted(source.DataType, a.UniqueCounts(options, cancellationToken)),
                ChunkedArray<uint> a => Counted(source.DataType, a.UniqueCounts(options, cancellationToken)),
                ChunkedArray<ulong> a => Counted(source.DataType, a.UniqueCounts(options, cancellationToken)),
                ChunkedArray<Half> a => Counted(source.DataType, a.UniqueCounts(options, cancellationToken)),
                ChunkedArray<float> a => Counted(source.DataType, a.UniqueCounts(options, cancellationToken)),
                ChunkedArray<double> a => Counted(source.DataType, a.UniqueCounts(options, cancellationToken)),
                ChunkedArray<DateTime64> a => Counted(source.DataType, a.UniqueCounts(options, cancellationToken)),
                ChunkedArray<TimeDelta64> a => Counted(source.DataType, a.UniqueCounts(options, cancellationToken)),
                _ => throw NotAvailable<T>("unique"),
            };
        }
        catch (MemoryPlanRefusedException ex)
        {
            throw CliMemory.Restate(ex, "stats", source);
        }
    }

    private static UniqueResult Counted<T>(DataType type, (T[] Values, long[] Counts) unique)
        where T : unmanaged => new(type, unique.Values, unique.Counts);

    private sealed record UniqueResult(DataType DataType, Array Values, long[] Counts);
}
