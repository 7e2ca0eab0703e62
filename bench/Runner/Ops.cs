using System.Diagnostics;
using System.Globalization;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;

namespace ChunkCompute.Bench;

/// <summary>The cases of issue 20's operations (ops): a scan, quantiles, a window and a selection of a stored array, against Dask.</summary>
internal static partial class Program
{
    /// <summary>The quantiles of the quantile case (bench/peers/dask_ops.py asks Dask for the same, as percentiles).</summary>
    private static readonly double[] OpsQuantiles = [0.1, 0.5, 0.9];

    /// <summary>
    /// One operation over a stored array, reduced to a checksum so the whole result is computed but never held
    /// (bench/peers/dask_ops.py computes the same expressions with Dask). Timed: building the expression and computing
    /// it (opening the store is not).
    /// <list type="bullet">
    /// <item>cumsum (float64): <c>x.CumSum(--axis).Sum()</c>.</item>
    /// <item>quantile (float64): <c>x.Quantile([0.1, 0.5, 0.9])</c>, exact (NumPy's linear method); checksum Σ|q| (the
    /// quantiles of the benchmark's symmetric data nearly cancel in a plain sum).</item>
    /// <item>moving_mean (float32): <c>x.MovingMean(--window, --axis)</c> (trailing window, NaN until a full window)
    /// without its first window − 1 (NaN) rows along the axis, as float64, summed.</item>
    /// <item>select (float64): <c>x.Extract(x &lt; --threshold, compute).Sum()</c> (NumPy's <c>x[x &lt; t].sum()</c>; the
    /// default threshold −1.2816 keeps ~10 % of the N(0, 1) data); Extract's counting pass is timed too.</item>
    /// </list>
    /// </summary>
    private static int OpsCase(Dictionary<string, string> options)
    {
        string store = Require(options, "store");
        string array = Require(options, "array");
        string op = Require(options, "op");
        int axis = int.Parse(options.GetValueOrDefault("axis", "0"), CultureInfo.InvariantCulture);
        int window = int.Parse(options.GetValueOrDefault("window", "9"), CultureInfo.InvariantCulture);
        double threshold = double.Parse(options.GetValueOrDefault("threshold", "-1.2816"), CultureInfo.InvariantCulture);
        long budget = long.Parse(options.GetValueOrDefault("budget", ComputeOptions.DefaultMemoryBudget.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        string caseName = options.GetValueOrDefault("case", "ops");

        using var zarr = ZarrStore.OpenExisting(store);
        var compute = new ComputeOptions { MemoryBudget = budget };
        var clock = Stopwatch.StartNew();
        long bytes;
        double checksum;
        ComputeStatistics stats;
        double[]? quantiles = null;
        long selected = -1;
        switch (op)
        {
            case "cumsum":
            {
                var x = zarr.Open<double>(array);
                bytes = x.Length * sizeof(double);
                var result = x.CumSum(axis).Sum().Compute(compute);
                checksum = result.Value;
                stats = result.Statistics;
                break;
            }

            case "quantile":
            {
                var x = zarr.Open<double>(array);
                bytes = x.Length * sizeof(double);
                var result = x.Quantile(OpsQuantiles).Compute(compute);
                quantiles = result.ToArray();
                checksum = quantiles.Sum(Math.Abs);
                stats = result.Statistics;
                break;
            }

            case "moving_mean":
            {
                var x = zarr.Open<float>(array);
                bytes = x.Length * sizeof(float);
                var valid = Enumerable.Range(0, x.Rank).Select(d => d == axis ? SliceSpec.Range(window - 1, null) : SliceSpec.All).ToArray();
                var result = x.MovingMean(window, axis).Slice(valid).AsType<double>().Sum().Compute(compute);
                checksum = result.Value;
                stats = result.Statistics;
                break;
            }

            case "select":
            {
                var x = zarr.Open<double>(array);
                bytes = x.Length * sizeof(double);
                var picked = x.Extract(x < threshold, compute);
                var result = picked.Sum().Compute(compute);
                checksum = result.Value;
                stats = result.Statistics;
                selected = picked.Length;
                break;
            }

            default:
                throw new ArgumentException($"--op must be cumsum, quantile, moving_mean or select, not '{op}'");
        }

        double seconds = clock.Elapsed.TotalSeconds;
        Emit(caseName, seconds, bytes, checksum, json =>
        {
            json.WriteString("op", op);
            if (op == "moving_mean")
            {
                json.WriteNumber("window", window);
            }

            if (selected >= 0)
            {
                json.WriteNumber("threshold", threshold);
                json.WriteNumber("selected", selected);
            }

            if (quantiles is not null)
            {
                // exact: NumPy's np.quantile(x, q) (linear), to the last bit
                json.WriteString("quantile_method", "exact (numpy linear)");
                json.WriteStartArray("q");
                foreach (double q in OpsQuantiles)
                {
                    json.WriteNumberValue(q);
                }

                json.WriteEndArray();
                json.WriteStartArray("quantiles");
                foreach (double v in quantiles)
                {
                    json.WriteNumberValue(v);
                }

                json.WriteEndArray();
            }

            json.WriteNumber("tasks", stats.Tasks);
            json.WriteNumber("budget_bytes", budget);
            json.WriteNumber("peak_accounted_bytes", stats.PeakMemoryBytes);
            json.WriteNumber("projected_peak_bytes", stats.ProjectedPeakBytes);
        });
        return 0;
    }
}
