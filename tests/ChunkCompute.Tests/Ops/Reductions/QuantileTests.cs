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

    /// <summary>
    /// Random shapes, irregular chunkings, axes, quantiles, NaN and repeated values, under the default budget (lanes
    /// gathered and sorted) and a 256 KiB one (long lanes found by histogram passes): equal to a naive reference that
    /// sorts each lane and interpolates as NumPy does.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void Quantiles_RandomGraphs_MatchANaiveReference(int seed)
    {
        var rng = new Random(seed);
        for (int round = 0; round < 6; round++)
        {
            int rank = rng.Next(1, 4);
            var shape = Enumerable.Range(0, rank).Select(_ => (long)rng.Next(1, rank == 1 ? 30000 : rank == 2 ? 300 : 40)).ToArray();
            var sizes = shape.Select(n =>
            {
                var s = new List<int>();
                for (long left = n; left > 0;)
                {
                    int c = (int)Math.Min(left, rng.Next(1, (int)Math.Max(2, n / 3)));
                    s.Add(c);
                    left -= c;
                }

                return (IReadOnlyList<int>)s;
            }).ToArray();
            long count = shape.Aggregate(1L, (p, n) => p * n);
            double nanShare = rng.Next(3) == 0 ? 0.05 : 0;
            int distinct = rng.Next(2) == 0 ? 50 : 1 << 30;
            var data = new double[count];
            for (long i = 0; i < count; i++)
            {
                data[i] = rng.NextDouble() < nanShare ? double.NaN : (rng.Next(distinct) - (distinct / 2)) * 0.37;
            }

            var x = ChunkedArray.FromArray(data, ChunkGrid.FromSizes(sizes));
            int? axis = rng.Next(rank + 1) is int a && a < rank ? a : null;
            var q = new[] { 0, rng.NextDouble(), rng.NextDouble(), 1 };
            bool skipNaN = rng.Next(2) == 0;
            var expected = Naive(data, shape, axis, q, skipNaN);
            foreach (var options in new[] { new ComputeOptions(), new ComputeOptions { MemoryBudget = 256 << 10 } })
            {
                var actual = (skipNaN ? x.NanQuantile(q, axis) : x.Quantile(q, axis)).Compute(options).ToArray();
                for (int i = 0; i < expected.Length; i++)
                {
                    bool same = double.IsNaN(expected[i]) ? double.IsNaN(actual[i]) : Math.Abs(actual[i] - expected[i]) <= (1e-12 * Math.Abs(expected[i])) + 1e-12;
                    Assert.True(same, $"seed {seed} round {round}: shape [{string.Join(", ", shape)}], axis {axis?.ToString() ?? "none"}, skipNaN {skipNaN}, budget {options.MemoryBudget}: element {i} is {actual[i]}, expected {expected[i]}");
                }
            }
        }
    }

    // Each lane gathered, sorted and interpolated as numpy._lerp does; laid out [q][lane].
    private static double[] Naive(double[] data, long[] shape, int? axis, double[] q, bool skipNaN)
    {
        int rank = shape.Length;
        long along = axis is int a ? shape[a] : data.LongLength;
        long inner = axis is int b ? shape.Skip(b + 1).Aggregate(1L, (p, n) => p * n) : 1;
        long lanes = data.LongLength / Math.Max(1, along);
        var result = new double[q.Length * lanes];
        for (long lane = 0; lane < lanes; lane++)
        {
            long o = lane / inner;
            long k = lane % inner;
            var values = new List<double>();
            for (long i = 0; i < along; i++)
            {
                values.Add(data[axis is null ? i : (((o * along) + i) * inner) + k]);
            }

            bool nan = values.Any(double.IsNaN);
            var sorted = values.Where(v => !double.IsNaN(v)).Order().ToArray();
            for (int j = 0; j < q.Length; j++)
            {
                double value;
                if ((nan && !skipNaN) || sorted.Length == 0)
                {
                    value = double.NaN;
                }
                else
                {
                    double index = q[j] * (sorted.Length - 1);
                    int below = (int)Math.Floor(index);
                    int above = Math.Min(below + 1, sorted.Length - 1);
                    double t = index - below;
                    double diff = sorted[above] - sorted[below];
                    value = t >= 0.5 ? sorted[above] - (diff * (1 - t)) : sorted[below] + (diff * t);
                }

                result[(j * lanes) + lane] = value;
            }
        }

        return result;
    }

    [Fact]
    public void Quantiles_NameTheirDimensionsAsXarray()
    {
        var x = ChunkedArray.FromArray(new double[24], [2, 3, 4], [1, 2, 3]).WithDims("time", "lat", "lon");
        Assert.Equal(["quantile", "time", "lon"], x.Quantile([0.5, 0.9], "lat").DimensionNames!);
        Assert.Equal(["quantile"], x.Quantile([0.5]).DimensionNames!);
        Assert.Equal(["lat", "lon"], x.Median("time").DimensionNames!);
        Assert.Null(ChunkedArray.FromArray(new double[4], 2).Median().DimensionNames);
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
