using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChunkCompute.Cli.Progress;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;

namespace ChunkCompute.Cli.Commands;

/// <summary>
/// <c>chunkcompute stats STORE --array PATH --op OP [--axis N[,N]] [--ddof N] [--memory SIZE] [--json]</c>: one
/// reduction of a stored array, computed chunk by chunk under the memory budget.
/// </summary>
internal static class StatsCommand
{
    private static readonly string[] Ops =
    [
        "sum", "mean", "std", "var", "min", "max", "count", "count-nonzero", "argmin", "argmax",
        "nansum", "nanmean", "nanstd", "nanvar", "nanmin", "nanmax",
    ];

    public static Command Create(CliContext context)
    {
        var store = new Argument<string>("STORE") { Description = "The Zarr store (a directory)." };
        var array = new Option<string>("--array") { Description = "Path of the array in the store.", Required = true };
        var op = new Option<string>("--op") { Description = "One of: " + string.Join(", ", Ops) + ". count = non-NaN elements.", Required = true };
        op.AcceptOnlyFromAmong(Ops);
        var axis = new Option<string?>("--axis") { Description = "Axis or axes to reduce, e.g. 0 or 0,2 (default: all; argmin/argmax: one axis or all, giving the flat C-order index)." };
        var ddof = new Option<double>("--ddof") { Description = "Delta degrees of freedom for std/var (default 0, as NumPy).", DefaultValueFactory = _ => 0 };
        var memory = CliOptions.Memory("chunk buffers");
        var json = CliOptions.Json("op, shape, dtype, value, peak_memory_bytes, seconds");
        var command = new Command("stats", "Compute a reduction (sum, mean, std, …) of a stored array within a memory budget.") { store, array, op, axis, ddof, memory, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            long budget = CliParsing.ParseSize(parse.GetValue(memory)!, "--memory");
            string storeArgument = parse.GetValue(store)!;
            CliPaths.RequireStore("stats", "stats STORE --array PATH --op OP", "STORE", storeArgument);
            using var zarr = ZarrStore.OpenExisting(storeArgument);
            var source = zarr.OpenArray(parse.GetValue(array)!);
            int[]? axes = ParseAxes(parse.GetValue(axis), source.Rank);
            string opName = parse.GetValue(op)!;
            CliMemory.RequireGraph(source, budget, "stats");
            var clock = Stopwatch.StartNew();
            var run = typeof(StatsCommand).GetMethod(nameof(RunAsync), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(source.DataType.ClrType);
            var result = await ProgressDisplay.RunAsync(context, parse, $"{opName} {source.Path}", progress =>
                (Task<StatsResult>)run.Invoke(null, [source, opName, axes, parse.GetValue(ddof), budget, progress.Compute, cancellationToken])!).ConfigureAwait(false);
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
        });
        return command;
    }

    private static int[]? ParseAxes(string? text, int rank)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return text.Split(',', StringSplitOptions.TrimEntries).Select(p =>
            int.TryParse(p, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int a) && a >= -rank && a < rank
                ? a
                : throw new UsageException($"--axis '{text}': '{p}' is not an axis of a {rank}-dimensional array")).ToArray();
    }

    private static async Task<StatsResult> RunAsync<T>(ZarrArray source, string op, int[]? axes, double ddof, long budget, IProgress<ComputeProgress>? progress, CancellationToken cancellationToken)
        where T : unmanaged
    {
        ArrayNode node;
        IReadOnlyList<object> results;
        try
        {
            var x = ChunkedArray.FromZarr(source.As<T>());
            node = Build(x, op, axes, ddof);
            results = await Computation.ComputeAsync([node], new ComputeOptions { MemoryBudget = budget, Progress = progress }, cancellationToken).ConfigureAwait(false);
        }
        catch (MemoryPlanRefusedException ex)
        {
            throw CliMemory.Restate(ex, "stats", source);
        }
        catch (OverflowException ex)
        {
            throw new ChunkComputeException($"stats of array '{source.Path}' of shape [{string.Join(", ", source.Shape)}] (chunks [{string.Join(", ", source.ChunkShape)}] {source.DataType.Name}): a size overflowed while planning or computing ({ex.Message})", ex);
        }

        dynamic computed = results[0];
        Array values = computed.ToArray();
        ComputeStatistics statistics = computed.Statistics;
        return new StatsResult(node.DataType, node.Grid.Shape.ToArray(), values, statistics.PeakMemoryBytes);
    }

    // Picks the reduction overload for ChunkedArray<T> by name (typed overloads for sum/mean/var/std, generic ones
    // for the rest) and returns its node.
    private static ArrayNode Build<T>(ChunkedArray<T> x, string op, int[]? axes, double ddof)
        where T : unmanaged
    {
        string name = op switch
        {
            "count-nonzero" => "CountNonZero",
            "argmin" => "ArgMin",
            "argmax" => "ArgMax",
            _ => op.StartsWith("nan", StringComparison.Ordinal)
                ? "Nan" + char.ToUpperInvariant(op[3]) + op[4..]
                : char.ToUpperInvariant(op[0]) + op[1..],
        };
        bool arg = op is "argmin" or "argmax";
        if (arg && axes is { Length: > 1 })
        {
            throw new UsageException($"--op {op} takes one axis or none");
        }

        var all = Enumerable.Range(0, x.Rank).ToArray();
        var candidates = typeof(ChunkedArrayReductions).GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.Name == name);
        foreach (var m in candidates)
        {
            var method = m.IsGenericMethodDefinition ? m.MakeGenericMethod(typeof(T)) : m;
            var p = method.GetParameters();
            if (p.Length < 2 || p[0].ParameterType != typeof(ChunkedArray<T>))
            {
                continue;
            }

            object?[] args;
            if (arg)
            {
                if (p[1].ParameterType != typeof(int?))
                {
                    continue;
                }

                args = [x, axes?[0], false, ChunkedArrayReductions.DefaultSplitEvery];
            }
            else
            {
                if (p[1].ParameterType != typeof(int[]))
                {
                    continue;
                }

                args = op switch
                {
                    "std" or "var" or "nanstd" or "nanvar" => [x, axes ?? all, false, ddof, ChunkedArrayReductions.DefaultSplitEvery],
                    "count" => [x, axes ?? all, false, true, ChunkedArrayReductions.DefaultSplitEvery],
                    _ => [x, axes ?? all, false, ChunkedArrayReductions.DefaultSplitEvery],
                };
            }

            try
            {
                var result = method.Invoke(null, args)!;
                return (ArrayNode)result.GetType().GetProperty(nameof(ChunkedArray<T>.Node))!.GetValue(result)!;
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            }
        }

        throw new UsageException($"--op {op} is not available for {DataType.Of<T>().Name} arrays");
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
        _ => JsonSerializer.SerializeToNode(v),
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

    private sealed record StatsResult(DataType DataType, long[] Shape, Array Values, long PeakMemoryBytes);
}
