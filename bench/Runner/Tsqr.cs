using System.Diagnostics;
using System.Globalization;
using ChunkCompute.Graph;
using ChunkCompute.ML.LinearAlgebra;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;

namespace ChunkCompute.Bench;

/// <summary>The tsqr case.</summary>
internal static partial class Program
{
    /// <summary>
    /// tsqr: <c>store.Open&lt;double&gt;(array).Tsqr(budget)</c> — the R factor of a stored tall-and-skinny float64 array
    /// (row blocks, all columns in one chunk), a QR per block (MathNet) reduced as a tree of fan-in 4. Timed: building
    /// and running the tree. Checksum: Σ|R_ij| (|R| does not depend on the sign convention of the rows of R).
    /// </summary>
    private static int Tsqr(Dictionary<string, string> options)
    {
        string store = Require(options, "store");
        string array = Require(options, "array");
        long budget = long.Parse(options.GetValueOrDefault("budget", ComputeOptions.DefaultMemoryBudget.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        string caseName = options.GetValueOrDefault("case", "tsqr");

        // diagnostic, not used by the case: run the whole factorization this many times, untimed, first
        int warm = int.Parse(options.GetValueOrDefault("warm", "0"), CultureInfo.InvariantCulture);

        using var zarr = ZarrStore.OpenExisting(store);
        var compute = new ComputeOptions { MemoryBudget = budget };
        for (int i = 0; i < warm; i++)
        {
            _ = zarr.Open<double>(array).Tsqr(compute);
        }

        var clock = Stopwatch.StartNew();
        var x = zarr.Open<double>(array);
        var result = x.Tsqr(compute);
        double seconds = clock.Elapsed.TotalSeconds;
        var r = result.R;
        Emit(caseName, seconds, x.Length * sizeof(double), Checksum(r.Enumerate().Select(Math.Abs).ToArray()), json =>
        {
            json.WriteNumber("rows", x.Shape[0]);
            json.WriteNumber("columns", x.Shape[1]);
            json.WriteNumber("row_chunk", x.Chunks.Size(0, 0));
            json.WriteNumber("budget_bytes", budget);
        });
        return 0;
    }
}
