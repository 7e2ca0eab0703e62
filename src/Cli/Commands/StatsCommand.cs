using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ChunkCompute.Cli.Progress;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;

namespace ChunkCompute.Cli.Commands;

/// <summary>
/// <c>chunkcompute stats STORE --array PATH --op OP [--axis N[,N]] [--ddof N] [--q Q[,Q]] [--memory SIZE] [--json]</c>:
/// one reduction of a stored array, computed chunk by chunk under the memory budget (median and quantiles gather lanes
/// that fit and find larger ones by histogram passes; unique counts the distinct values of the whole array).
/// </summary>
internal static partial class StatsCommand
{
    private static readonly string[] Ops =
    [
        "sum", "mean", "std", "var", "min", "max", "count", "count-nonzero", "argmin", "argmax",
        "nansum", "nanmean", "nanstd", "nanvar", "nanmin", "nanmax",
        "median", "nanmedian", "quantile", "nanquantile", "unique",
    ];

    public static Command Create(CliContext context)
    {
        var store = new Argument<string>("STORE") { Description = "The Zarr store: a directory, or an s3://, az:// or http(s):// URL." };
        var array = new Option<string>("--array") { Description = "Path of the array in the store.", Required = true };
        var op = new Option<string>("--op") { Description = "One of: " + string.Join(", ", Ops) + ". count = non-NaN elements; unique = the distinct values and their counts (whole array, no --axis).", Required = true };
        op.AcceptOnlyFromAmong(Ops);
        var axis = new Option<string?>("--axis") { Description = "Axis or axes to reduce, by number or dimension name, e.g. 0, 0,2 or time (default: all; argmin/argmax: one axis or all, giving the flat C-order index)." };
        var ddof = new Option<double>("--ddof") { Description = "Delta degrees of freedom for std/var (default 0, as NumPy).", DefaultValueFactory = _ => 0 };
        var quantiles = new Option<string?>("--q") { Description = "Quantiles for quantile/nanquantile, each in [0, 1], e.g. 0.1,0.5,0.9 (the result's first axis)." };
        var memory = CliOptions.Memory("chunk buffers");
        var json = CliOptions.Json("op, shape, dtype, value, peak_memory_bytes, seconds; unique: op, shape, dtype, values, counts, seconds");
        var cluster = CliOptions.Cluster();
        var command = new Command("stats", "Compute a reduction (sum, mean, std, …) of a stored array within a memory budget.") { store, array, op, axis, ddof, quantiles, memory, json, CliOptions.Dashboard(), CliOptions.Report() };
        cluster.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            long budget = CliParsing.ParseSize(parse.GetValue(memory)!, "--memory");
            string storeArgument = parse.GetValue(store)!;
            CliPaths.RequireStore("stats", "stats STORE --array PATH --op OP", "STORE", storeArgument);
            using var zarr = ZarrStore.OpenExisting(storeArgument);
            var source = zarr.OpenArray(parse.GetValue(array)!);
            var workers = await ClusterSelection.CreateAsync(parse, cluster, budget, cancellationToken).ConfigureAwait(false);
            try
            {
                return await RunCommandAsync(context, parse, source, storeArgument, workers, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await ClusterSelection.DisposeAsync(workers).ConfigureAwait(false);
            }
        });
        return command;

        async Task<int> RunCommandAsync(CliContext context, ParseResult parse, ZarrArray source, string storeArgument, IChunkWorkers? workers, CancellationToken cancellationToken)
        {
            long budget = CliParsing.ParseSize(parse.GetValue(memory)!, "--memory");
            if (parse.GetValue(op) == "unique")
            {
                if (workers is not null)
                {
                    throw new UsageException("--op unique runs in this process only (its distinct values are gathered in one place): drop --cluster/--slurm/--local-workers");
                }

                ParseQuantiles(parse.GetValue(quantiles), "unique");
                return await RunUniqueAsync(context, parse, source, parse.GetValue(axis), budget, parse.GetValue(json), cancellationToken).ConfigureAwait(false);
            }

            int[]? axes = ParseAxes(parse.GetValue(axis), source.Rank, source.Metadata.DimensionNames);
            string opName = parse.GetValue(op)!;
            double[]? q = ParseQuantiles(parse.GetValue(quantiles), opName);
            CliMemory.RequireGraph(source, budget, "stats");
            var clock = Stopwatch.StartNew();
            var result = await ProgressDisplay.RunAsync(context, parse, $"{opName} {source.Path}", progress =>
                ElementTypeDispatch.Run<StatsRun, Task<StatsResult>>(
                    source.DataType, new StatsRun(source, opName, axes, parse.GetValue(ddof), q, budget, progress.Compute, progress.Observer, Cluster(workers, storeArgument, source, opName, axes, parse.GetValue(ddof), q), cancellationToken), "stats")).ConfigureAwait(false);
            double seconds = clock.Elapsed.TotalSeconds;
            if (parse.GetValue(json))
            {
                var doc = new JsonObject
                {
                    ["op"] = opName,
                    ["shape"] = new JsonArray(result.Shape.Select(s => (JsonNode)s).ToArray()),
                    ["dtype"] = result.DataType.Name,
                    ["value"] = result.Shape.Length == 0 ? ToJson(result.Values.GetValue(0)) : Nest(result.Values, result.Shape, 0, 0),
                    ["peak_memory_bytes"] = result.PeakMemoryBytes,
                    ["seconds"] = seconds,
                };
                if (workers is not null)
                {
                    doc["workers"] = CliJobs.WorkersJson(result.Statistics);
                }

                context.Out.WriteLine(doc.ToJsonString());
            }
            else if (result.Shape.Length == 0)
            {
                context.Out.WriteLine(Format(result.Values.GetValue(0)));
            }
            else
            {
                context.Out.WriteLine($"shape [{string.Join(", ", result.Shape)}] {result.DataType.Name}");
                context.Out.WriteLine(Nest(result.Values, result.Shape, 0, 0).ToJsonString());
            }

            return 0;
        }
    }

    private static ClusterOptions? Cluster(IChunkWorkers? workers, string store, ZarrArray source, string op, int[]? axes, double ddof, double[]? q) =>
        workers is null ? null : new ClusterOptions(workers, CliJobs.StatsJob(store, source.Path, op, axes, ddof, q));

    /// <summary>The reduction <c>stats</c> computes, as a node (what the CLI's cluster job builds on a worker).</summary>
    internal static ArrayNode BuildNode(ZarrArray source, string op, int[]? axes, double ddof, double[]? q) =>
        ElementTypeDispatch.Run<NodeBuild, ArrayNode>(source.DataType, new NodeBuild(source, op, axes, ddof, q), "stats");

    private readonly record struct NodeBuild(ZarrArray Source, string Op, int[]? Axes, double Ddof, double[]? Q) : IElementTypeStep<ArrayNode>
    {
        public ArrayNode Run<T>()
            where T : unmanaged => BuildReduction(ChunkedArray.FromZarr(Source.As<T>()), Op, Axes, Ddof, Q).Node;
    }

    private static Reduction BuildReduction<T>(ChunkedArray<T> x, string op, int[]? axes, double ddof, double[]? q)
        where T : unmanaged => op is "median" or "nanmedian" or "quantile" or "nanquantile" ? BuildQuantile(x, op, axes, q) : Build(x, op, axes, ddof);

    // Axes by number or by dimension name (the array's stored names, e.g. --axis time).
    private static int[]? ParseAxes(string? text, int rank, IReadOnlyList<string?>? names)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return text.Split(',', StringSplitOptions.TrimEntries).Select(p =>
            int.TryParse(p, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int a) && a >= -rank && a < rank
                ? a
                : names?.ToList().IndexOf(p) is >= 0 and var named
                    ? named
                    : throw new UsageException($"--axis '{text}': '{p}' is not an axis of a {rank}-dimensional array" +
                        (names is null ? string.Empty : $" (its dimensions are [{string.Join(", ", names.Select(n => n ?? "unnamed"))}])"))).ToArray();
    }

    // RunAsync for the element type of the source array.
    private readonly record struct StatsRun(ZarrArray Source, string Op, int[]? Axes, double Ddof, double[]? Q, long Budget, IProgress<ComputeProgress>? Progress, IComputeObserver? Observer, ClusterOptions? Cluster, CancellationToken CancellationToken)
        : IElementTypeStep<Task<StatsResult>>
    {
        public Task<StatsResult> Run<T>()
            where T : unmanaged => RunAsync<T>(Source, Op, Axes, Ddof, Q, Budget, Progress, Observer, Cluster, CancellationToken);
    }

    private static double[]? ParseQuantiles(string? text, string op)
    {
        bool needs = op is "quantile" or "nanquantile";
        if (string.IsNullOrWhiteSpace(text))
        {
            return needs ? throw new UsageException($"--op {op} needs --q, e.g. --q 0.1,0.5,0.9") : null;
        }

        if (!needs)
        {
            throw new UsageException($"--q applies to --op quantile and nanquantile, not {op}");
        }

        return text.Split(',', StringSplitOptions.TrimEntries).Select(p =>
            double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v >= 0 && v <= 1
                ? v
                : throw new UsageException($"--q '{text}': '{p}' is not a quantile in [0, 1]")).ToArray();
    }

    private static async Task<StatsResult> RunAsync<T>(ZarrArray source, string op, int[]? axes, double ddof, double[]? q, long budget, IProgress<ComputeProgress>? progress, IComputeObserver? observer, ClusterOptions? cluster, CancellationToken cancellationToken)
        where T : unmanaged
    {
        Reduction reduction;
        (Array Values, ComputeStatistics Statistics) computed;
        try
        {
            var x = ChunkedArray.FromZarr(source.As<T>());
            reduction = BuildReduction(x, op, axes, ddof, q);
            computed = await reduction.ComputeAsync(new ComputeOptions { MemoryBudget = budget, Progress = progress, Observer = observer, Cluster = cluster }, cancellationToken).ConfigureAwait(false);
        }
        catch (MemoryPlanRefusedException ex)
        {
            throw CliMemory.Restate(ex, "stats", source);
        }
        catch (OverflowException ex)
        {
            throw new ChunkComputeException($"stats of array '{source.Path}' of shape [{string.Join(", ", source.Shape)}] (chunks [{string.Join(", ", source.ChunkShape)}] {source.DataType.Name}): a size overflowed while planning or computing ({ex.Message})", ex);
        }

        var node = reduction.Node;
        return new StatsResult(node.DataType, node.Grid.Shape.ToArray(), computed.Values, computed.Statistics.PeakMemoryBytes, computed.Statistics);
    }

    // The reduction --op names, with NumPy's arguments: all axes unless --axis, keepDims false, the default split;
    // count skips NaN. The element-type-independent reductions are generic; the others (sum, mean, std, var and their
    // nan forms) have one overload per element type, chosen in BuildTyped.
    private static Reduction Build<T>(ChunkedArray<T> x, string op, int[]? axes, double ddof)
        where T : unmanaged
    {
        const int Split = ChunkedArrayReductions.DefaultSplitEvery;
        if (op is "argmin" or "argmax" && axes is { Length: > 1 })
        {
            throw new UsageException($"--op {op} takes one axis or none");
        }

        var over = axes ?? Enumerable.Range(0, x.Rank).ToArray();
        return op switch
        {
            "min" => Of(x.Min(over, false, Split)),
            "max" => Of(x.Max(over, false, Split)),
            "nanmin" => Of(x.NanMin(over, false, Split)),
            "nanmax" => Of(x.NanMax(over, false, Split)),
            "count" => Of(x.Count(over, false, true, Split)),
            "count-nonzero" => Of(x.CountNonZero(over, false, Split)),
            "argmin" => Of(x.ArgMin(axes?[0], false, Split)),
            "argmax" => Of(x.ArgMax(axes?[0], false, Split)),
            _ => (object)x switch
            {
                ChunkedArray<bool> b => BuildTyped(b, op, over, ddof),
                ChunkedArray<sbyte> i8 => BuildTyped(i8, op, over, ddof),
                ChunkedArray<short> i16 => BuildTyped(i16, op, over, ddof),
                ChunkedArray<int> i32 => BuildTyped(i32, op, over, ddof),
                ChunkedArray<long> i64 => BuildTyped(i64, op, over, ddof),
                ChunkedArray<byte> u8 => BuildTyped(u8, op, over, ddof),
                ChunkedArray<ushort> u16 => BuildTyped(u16, op, over, ddof),
                ChunkedArray<uint> u32 => BuildTyped(u32, op, over, ddof),
                ChunkedArray<ulong> u64 => BuildTyped(u64, op, over, ddof),
                ChunkedArray<Half> f16 => BuildTyped(f16, op, over, ddof),
                ChunkedArray<float> f32 => BuildTyped(f32, op, over, ddof),
                ChunkedArray<double> f64 => BuildTyped(f64, op, over, ddof),
                _ => throw NotAvailable<T>(op),
            },
        };
    }

    // Median and quantiles (one axis or all), for the numeric element types.
    private static Reduction BuildQuantile<T>(ChunkedArray<T> x, string op, int[]? axes, double[]? q)
        where T : unmanaged
    {
        if (axes is { Length: > 1 })
        {
            throw new UsageException($"--op {op} takes one axis or none");
        }

        int? axis = axes?[0];
        return (object)x switch
        {
            ChunkedArray<sbyte> a => Quantiles(a, op, axis, q),
            ChunkedArray<short> a => Quantiles(a, op, axis, q),
            ChunkedArray<int> a => Quantiles(a, op, axis, q),
            ChunkedArray<long> a => Quantiles(a, op, axis, q),
            ChunkedArray<byte> a => Quantiles(a, op, axis, q),
            ChunkedArray<ushort> a => Quantiles(a, op, axis, q),
            ChunkedArray<uint> a => Quantiles(a, op, axis, q),
            ChunkedArray<ulong> a => Quantiles(a, op, axis, q),
            ChunkedArray<Half> a => Quantiles(a, op, axis, q),
            ChunkedArray<float> a => Quantiles(a, op, axis, q),
            ChunkedArray<double> a => Quantiles(a, op, axis, q),
            _ => throw NotAvailable<T>(op),
        };
    }

    private static Reduction Quantiles<T>(ChunkedArray<T> x, string op, int? axis, double[]? q)
        where T : unmanaged, System.Numerics.INumberBase<T> => Of(op switch
    {
        "median" => x.Median(axis),
        "nanmedian" => x.NanMedian(axis),
        "quantile" => x.Quantile(q!, axis),
        _ => x.NanQuantile(q!, axis),
    });

    private static UsageException NotAvailable<T>(string op)
        where T : unmanaged => new($"--op {op} is not available for {DataType.Of<T>().Name} arrays");

    private static Reduction Of<TOut>(ChunkedArray<TOut> result)
        where TOut : unmanaged => new Reduction<TOut>(result);

    // A built reduction whose result element type is known only inside.
    private abstract class Reduction
    {
        public abstract ArrayNode Node { get; }

        public abstract Task<(Array Values, ComputeStatistics Statistics)> ComputeAsync(ComputeOptions options, CancellationToken cancellationToken);
    }

    private sealed class Reduction<TOut>(ChunkedArray<TOut> result) : Reduction
        where TOut : unmanaged
    {
        public override ArrayNode Node => result.Node;

        public override async Task<(Array Values, ComputeStatistics Statistics)> ComputeAsync(ComputeOptions options, CancellationToken cancellationToken)
        {
            var computed = await result.ComputeAsync(options, cancellationToken).ConfigureAwait(false);
            return (computed.ToArray(), computed.Statistics);
        }
    }

    private static JsonNode Nest(Array values, long[] shape, int dim, long offset)
    {
        var list = new JsonArray();
        long stride = shape.Skip(dim + 1).Aggregate(1L, (a, b) => a * b);
        for (long i = 0; i < shape[dim]; i++)
        {
            list.Add(dim == shape.Length - 1 ? ToJson(values.GetValue(offset + i)) : Nest(values, shape, dim + 1, offset + (i * stride)));
        }

        return list;
    }

    // JSON has no NaN or infinities: they are written as the strings Zarr uses, "NaN", "Infinity", "-Infinity".
    private static JsonNode? ToJson(object? v) => v switch
    {
        double d when !double.IsFinite(d) => JsonValue.Create(Format(d)),
        float f when !float.IsFinite(f) => JsonValue.Create(Format(f)),
        Half h when !Half.IsFinite(h) => JsonValue.Create(Format(h)),
        Half h => JsonValue.Create((double)h),
        bool b => JsonValue.Create(b),
        null => null,
        _ => JsonSerializer.SerializeToNode(v, v.GetType(), StatsJson.Default),
    };

    private static string Format(object? v) => v switch
    {
        double d when double.IsNaN(d) => "NaN",
        double d when double.IsInfinity(d) => d > 0 ? "Infinity" : "-Infinity",
        float f => Format((double)f),
        Half h => Format((double)h),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v?.ToString() ?? "null",
    };

    private sealed record StatsResult(DataType DataType, long[] Shape, Array Values, long PeakMemoryBytes, ComputeStatistics Statistics);
}

/// <summary>
/// Source-generated JSON for the values stats prints that are not written by hand (every element type a reduction can
/// return): the same output as the reflection serializer with default options, without reflection.
/// </summary>
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(sbyte))]
[JsonSerializable(typeof(short))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(byte))]
[JsonSerializable(typeof(ushort))]
[JsonSerializable(typeof(uint))]
[JsonSerializable(typeof(ulong))]
[JsonSerializable(typeof(float))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(System.Numerics.Complex))]
[JsonSerializable(typeof(Complex32))]
[JsonSerializable(typeof(DateTime64))]
[JsonSerializable(typeof(TimeDelta64))]
internal sealed partial class StatsJson : JsonSerializerContext;
