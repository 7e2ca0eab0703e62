using System.Text.Json;
using ChunkCompute.Storage;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Cli;

/// <summary>
/// <c>stats --op median|nanmedian|quantile|nanquantile [--q …]</c> over a stored permutation of 0…100 (so the answers are
/// known in closed form: quantile q of 0…n is q·n), per column and over the whole array, and its usage errors.
/// </summary>
public sealed class CliStatsQuantileTests
{
    [Fact]
    public void Stats_MedianAndQuantiles_OfAPermutedRange_AreExact()
    {
        using var tmp = new TempDirectory("cc-cli-quantile");
        string store = tmp.Combine("s.zarr");
        var random = new Random(3);
        var column = Enumerable.Range(0, 101).Select(i => (double)i).OrderBy(_ => random.Next()).ToArray();
        var values = new double[101 * 2];
        for (int r = 0; r < 101; r++)
        {
            values[r * 2] = column[r];
            values[(r * 2) + 1] = column[r] * 2;
        }

        values[7] = double.NaN; // row 3, second column
        using (var zarr = ZarrStore.Open(store))
        {
            zarr.CreateArray<double>("x", [101, 2], [16, 2]).Write(values);
        }

        var median = Json(["stats", store, "--array", "x", "--op", "median", "--axis", "0", "--json"]);
        Assert.Equal(50.0, median.GetProperty("value")[0].GetDouble());
        Assert.Equal("NaN", median.GetProperty("value")[1].GetString());

        var nanMedian = Json(["stats", store, "--array", "x", "--op", "nanmedian", "--axis", "0", "--json"]);
        double dropped = column[3] * 2;
        var rest = Enumerable.Range(0, 101).Select(i => i * 2.0).Where(v => v != dropped).Order().ToArray();
        Assert.Equal((rest[49] + rest[50]) / 2, nanMedian.GetProperty("value")[1].GetDouble());

        var q = Json(["stats", store, "--array", "x", "--op", "quantile", "--q", "0,0.1,0.25,1", "--axis", "0", "--json"]);
        Assert.Equal([4L, 2L], q.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal([0.0, 10.0, 25.0, 100.0], q.GetProperty("value").EnumerateArray().Select(row => row[0].GetDouble()));

        var whole = Json(["stats", store, "--array", "x", "--op", "nanquantile", "--q", "0.5", "--json"]);
        var all = values.Where(v => !double.IsNaN(v)).Order().ToArray();
        Assert.Equal(all[(all.Length - 1) / 2], whole.GetProperty("value")[0].GetDouble());

        foreach (var (args, mention) in new (string[], string)[]
        {
            (["--op", "quantile"], "needs --q"),
            (["--op", "quantile", "--q", "1.5"], "not a quantile"),
            (["--op", "mean", "--q", "0.5"], "--q applies"),
            (["--op", "median", "--axis", "0,1"], "one axis or none"),
        })
        {
            var result = CliHarness.Expect(2, ["stats", store, "--array", "x", .. args]);
            Assert.Contains(mention, result.Stderr, StringComparison.Ordinal);
        }
    }

    private static JsonElement Json(string[] args) => JsonDocument.Parse(CliHarness.Expect(0, args).Stdout).RootElement;
}
