using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Json;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Ops.Reductions;

/// <summary>
/// Quantiles, percentiles and medians against NumPy (fixtures from tests/fixture-scripts/gen_quantile_fixtures.py,
/// default "linear" method) on irregular grids, over every axis and the whole array: |a − e| ≤ 1e-12·|e| + 1e-12 (the
/// interpolation formula is NumPy's); NaN matches NaN. Quantiles outside [0, 1] are refused.
/// </summary>
public sealed class QuantileTests
{
    private static readonly OpsFixtures Fixtures = new("quantiles");

    public static TheoryData<string> Inputs() => Fixtures.Inputs();

    public static TheoryData<string> BigInputs() => new(Fixtures.Cases.Select(c => c.GetProperty("input").GetString()!).Distinct().Where(n => n.StartsWith("big_", StringComparison.Ordinal)));

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Quantiles_NumPyFixtures_Match(string input) => AssertMatchesNumPy(input, options: null);

    /// <summary>
    /// The big_* inputs under a 64 KiB budget: every lane longer than the budget allows to gather is found by histogram
    /// passes (the plan says so), and equals NumPy exactly as the gathered lanes do.
    /// </summary>
    [Theory]
    [MemberData(nameof(BigInputs))]
    public void Quantiles_LanesLargerThanTheBudget_HistogramPassesMatchNumPy(string input)
    {
        var options = new ComputeOptions { MemoryBudget = 64 << 10 };
        var array = (ChunkedArray<double>)Run((dynamic)Fixtures.Load(input, out _), "quantile", new[] { 0.5 }, (int?)null);
        Assert.Contains("histogram passes", array.Explain(options), StringComparison.Ordinal);
        AssertMatchesNumPy(input, options);
    }

    private static void AssertMatchesNumPy(string input, ComputeOptions? options)
    {
        var array = Fixtures.Load(input, out _);
        var failures = new List<string>();
        foreach (var c in Fixtures.CasesOf(input))
        {
            string op = c.GetProperty("op").GetString()!;
            int? axis = c.GetProperty("axis").ValueKind == JsonValueKind.Null ? null : c.GetProperty("axis").GetInt32();
            var q = c.GetProperty("q").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var (header, expectedBytes) = Fixtures.Expected(c);
            var result = array switch
            {
                ChunkedArray<double> a => Run(a, op, q, axis),
                ChunkedArray<float> a => Run(a, op, q, axis),
                ChunkedArray<int> a => Run(a, op, q, axis),
                ChunkedArray<long> a => Run(a, op, q, axis),
                ChunkedArray<ushort> a => Run(a, op, q, axis),
                ChunkedArray<Half> a => Run(a, op, q, axis),
                _ => throw new InvalidOperationException(array.GetType().Name),
            };
            var expected = MemoryMarshal.Cast<byte, double>(expectedBytes).ToArray();
            var actual = result.Compute(options).ToArray();
            string what = c.GetProperty("expected").GetString()!;
            if (!result.Shape.SequenceEqual(header.Shape))
            {
                failures.Add($"{what}: shape [{string.Join(", ", result.Shape)}], NumPy [{string.Join(", ", header.Shape)}]");
                continue;
            }

            for (int i = 0; i < expected.Length; i++)
            {
                if (double.IsNaN(expected[i]) ? !double.IsNaN(actual[i]) : Math.Abs(actual[i] - expected[i]) > (1e-12 * Math.Abs(expected[i])) + 1e-12)
                {
                    failures.Add($"{what}: element {i} is {actual[i]}, NumPy {expected[i]}");
                    break;
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Quantile_OutsideZeroToOne_IsRefused()
    {
        var x = ChunkedArray.FromArray(new double[10], 3);
        Assert.Contains("1.5", Assert.Throws<ArgumentOutOfRangeException>(() => x.Quantile([0.5, 1.5])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Percentile([-1.0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Quantile([double.NaN]));
    }

    private static ChunkedArray<double> Run<T>(ChunkedArray<T> a, string op, double[] q, int? axis)
        where T : unmanaged, INumberBase<T> => op switch
    {
        "quantile" => a.Quantile(q, axis),
        "nanquantile" => a.NanQuantile(q, axis),
        "percentile" => a.Percentile(q.Select(v => v * 100).ToArray(), axis),
        "median" => a.Median(axis),
        _ => a.NanMedian(axis),
    };
}
