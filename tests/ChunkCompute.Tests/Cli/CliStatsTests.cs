using System.Text.Json;
using Xunit;
using ChunkCompute.Storage.Npy;
using ChunkCompute.Tests.TestSupport;

namespace ChunkCompute.Tests.Cli;

/// <summary>
/// <c>chunkcompute stats</c> against NumPy's statistics of zarr-python-written fixtures (Fixtures/zarr-v2/MANIFEST.md,
/// "Summary statistics of the expected arrays") and against the fixtures' .npy values.
/// </summary>
public sealed class CliStatsTests
{
    private static string Store(string name) => Path.Combine(FixturePaths.ZarrV2, name + ".zarr");

    private static JsonElement StatsJson(params string[] args)
    {
        var result = CliHarness.Expect(0, ["stats", .. args, "--json"]);
        Assert.Single(result.Stdout.Trim().Split('\n'));
        return JsonDocument.Parse(result.Stdout).RootElement;
    }

    [Theory]
    [InlineData("sum", -232.66015625)]
    [InlineData("mean", -0.0023266015624999999)]
    [InlineData("std", 1.0015800075671417)]
    public void Stats_Float64Fixture_MatchesNumPy(string op, double expected)
    {
        var json = StatsJson(Store("mini_a1d_f8"), "--array", "", "--op", op, "--memory", "64MiB");
        Assert.Equal(op, json.GetProperty("op").GetString());
        Assert.Equal(0, json.GetProperty("shape").GetArrayLength());
        Assert.Equal("float64", json.GetProperty("dtype").GetString());
        Assert.Equal(expected, json.GetProperty("value").GetDouble(), Math.Abs(expected) * 1e-12);
        long peak = json.GetProperty("peak_memory_bytes").GetInt64();
        Assert.InRange(peak, 1, 64L << 20);
        Assert.True(json.GetProperty("seconds").GetDouble() >= 0);
    }

    [Fact]
    public void Stats_Int32Fixture_SumIsInt64AndMinMaxExact()
    {
        Assert.Equal(2434, StatsJson(Store("dtype_i4"), "--array", "", "--op", "sum").GetProperty("value").GetInt64());
        Assert.Equal("int64", StatsJson(Store("dtype_i4"), "--array", "", "--op", "sum").GetProperty("dtype").GetString());
        Assert.Equal(int.MinValue, StatsJson(Store("dtype_i4"), "--array", "", "--op", "min").GetProperty("value").GetInt64());
        Assert.Equal(int.MaxValue, StatsJson(Store("dtype_i4"), "--array", "", "--op", "max").GetProperty("value").GetInt64());
    }

    [Fact]
    public void Stats_NaNFill_NanOpsSkipNaNAndMeanIsNaN()
    {
        var nanmean = StatsJson(Store("fill_nan_f4"), "--array", "", "--op", "nanmean").GetProperty("value").GetDouble();
        Assert.Equal(-0.7915281836803143, nanmean, 1e-6);
        Assert.Equal(26, StatsJson(Store("fill_nan_f4"), "--array", "", "--op", "count").GetProperty("value").GetInt64());
        Assert.Equal("NaN", StatsJson(Store("fill_nan_f4"), "--array", "", "--op", "mean").GetProperty("value").GetString());
    }

    [Fact]
    public void Stats_AxisAndArgmax_MatchNaiveOverFixtureValues()
    {
        var values = Npy.Load<double>(Path.Combine(FixturePaths.ZarrV2, "comp_none_f8.npy"));
        var json = StatsJson(Store("comp_blosc_lz4_shuffle_f8"), "--array", "", "--op", "mean", "--axis", "0");
        Assert.Equal([30], json.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        var means = json.GetProperty("value").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        for (int j = 0; j < 30; j++)
        {
            double expected = Enumerable.Range(0, 40).Average(i => values[(i * 30) + j]);
            Assert.Equal(expected, means[j], 1e-12);
        }

        long argmax = StatsJson(Store("comp_blosc_lz4_shuffle_f8"), "--array", "", "--op", "argmax").GetProperty("value").GetInt64();
        Assert.Equal(Array.IndexOf(values, values.Max()), argmax);

        var text = CliHarness.Expect(0, "stats", Store("comp_blosc_lz4_shuffle_f8"), "--array", "", "--op", "max", "--axis", "1");
        Assert.StartsWith("shape [40] float64", text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Stats_BadUsageAndTooSmallBudget_ExitCodes()
    {
        CliHarness.Expect(2, "stats", Store("dtype_i4"), "--array", "", "--op", "mode");
        CliHarness.Expect(2, "stats", Store("dtype_i4"), "--array", "", "--op", "sum", "--axis", "5");
        CliHarness.Expect(2, "stats", Store("dtype_i4"), "--array", "", "--op", "sum", "--memory", "lots");
        CliHarness.ExpectError("budget", "stats", Store("mini_a1d_f8"), "--array", "", "--op", "sum", "--memory", "1KiB");
        CliHarness.ExpectError("does not exist", "stats", "/nonexistent-store", "--array", "x", "--op", "sum");
    }
}
