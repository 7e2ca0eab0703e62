using System.Globalization;
using System.Text.Json;
using ChunkCompute.Storage;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Cli;

/// <summary>
/// <c>stats --op unique</c> over stored arrays whose distinct values and counts are counted here by a plain loop (ints on
/// irregular-sized chunks, bools, datetimes with NaT, floats with NaN: NumPy's order, NaN/NaT once and last), in JSON
/// and in text, and its usage errors (no --axis, no --q).
/// </summary>
public sealed class CliStatsUniqueTests
{
    [Fact]
    public void Stats_Unique_OfIntegers_MatchesCountsByALoop_InJsonAndText()
    {
        using var tmp = new TempDirectory("cc-cli-unique");
        string store = tmp.Combine("s.zarr");
        var random = new Random(11);
        var values = Enumerable.Range(0, 37 * 23).Select(_ => random.Next(-6, 9)).ToArray();
        using (var zarr = ZarrStore.Open(store))
        {
            zarr.CreateArray<int>("x", [37, 23], [8, 5]).Write(values);
        }

        var counts = new SortedDictionary<int, long>();
        foreach (int v in values)
        {
            counts[v] = counts.GetValueOrDefault(v) + 1;
        }

        var json = Json(["stats", store, "--array", "x", "--op", "unique", "--json"]);
        Assert.Equal("unique", json.GetProperty("op").GetString());
        Assert.Equal("int32", json.GetProperty("dtype").GetString());
        Assert.Equal([(long)counts.Count], json.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(counts.Keys, json.GetProperty("values").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(counts.Values, json.GetProperty("counts").EnumerateArray().Select(e => e.GetInt64()));

        var text = CliHarness.Expect(0, ["stats", store, "--array", "x", "--op", "unique", "--memory", "64KiB"]).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal($"{counts.Count} distinct int32 values (value\tcount)", text[0]);
        Assert.Equal(counts.Select(kv => $"{kv.Key.ToString(CultureInfo.InvariantCulture)}\t{kv.Value}"), text.Skip(1));
    }

    [Fact]
    public void Stats_Unique_OfBoolsDatetimesAndFloats_FollowsNumPy()
    {
        using var tmp = new TempDirectory("cc-cli-unique-types");
        string store = tmp.Combine("s.zarr");
        var flags = Enumerable.Range(0, 50).Select(i => i % 7 == 0).ToArray();
        var days = new[] { 3L, long.MinValue, -2, 3, 3, long.MinValue, 40 };
        var floats = new[] { 1.5, double.NaN, -0.25, 1.5, double.NaN, double.NegativeInfinity, 1.5 };
        using (var zarr = ZarrStore.Open(store))
        {
            zarr.CreateArray<bool>("b", [50], [16]).Write(flags);
            zarr.CreateArray("t", DataType.DateTime64("D"), [7], [3]).As<DateTime64>().Write(days.Select(d => new DateTime64(d)).ToArray());
            zarr.CreateArray<double>("f", [7], [2]).Write(floats);
        }

        var b = Json(["stats", store, "--array", "b", "--op", "unique", "--json"]);
        Assert.Equal([false, true], b.GetProperty("values").EnumerateArray().Select(e => e.GetBoolean()));
        Assert.Equal([(long)flags.Count(f => !f), flags.Count(f => f)], b.GetProperty("counts").EnumerateArray().Select(e => e.GetInt64()));

        // NumPy: np.unique(np.array([3, 'NaT', -2, 3, 3, 'NaT', 40], 'M8[D]'), return_counts=True) → [-2, 3, 40, NaT], [1, 3, 1, 2].
        var t = Json(["stats", store, "--array", "t", "--op", "unique", "--json"]);
        Assert.Equal("datetime64[D]", t.GetProperty("dtype").GetString());
        Assert.Equal(["-2", "3", "40", "NaT"], t.GetProperty("values").EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetInt64().ToString(CultureInfo.InvariantCulture)));
        Assert.Equal([1L, 3, 1, 2], t.GetProperty("counts").EnumerateArray().Select(e => e.GetInt64()));

        var f = Json(["stats", store, "--array", "f", "--op", "unique", "--json"]);
        Assert.Equal(["-Infinity", "-0.25", "1.5", "NaN"], f.GetProperty("values").EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetDouble().ToString("R", CultureInfo.InvariantCulture)));
        Assert.Equal([1L, 1, 3, 2], f.GetProperty("counts").EnumerateArray().Select(e => e.GetInt64()));
        var fText = CliHarness.Expect(0, ["stats", store, "--array", "f", "--op", "unique"]).Stdout;
        Assert.Contains("NaN\t2", fText, StringComparison.Ordinal);
    }

    [Fact]
    public void Stats_Unique_RefusesAnAxisAndQuantiles()
    {
        using var tmp = new TempDirectory("cc-cli-unique-usage");
        string store = tmp.Combine("s.zarr");
        using (var zarr = ZarrStore.Open(store))
        {
            zarr.CreateArray<int>("x", [4, 3], [2, 3], new ArrayOptions { DimensionNames = ["time", "station"] }).Write(new int[12]);
        }

        foreach (var (args, mention) in new (string[], string)[]
        {
            (["--axis", "0"], "takes no --axis"),
            (["--axis", "time"], "takes no --axis"),
            (["--q", "0.5"], "--q applies"),
        })
        {
            var result = CliHarness.Expect(2, ["stats", store, "--array", "x", "--op", "unique", .. args]);
            Assert.Contains(mention, result.Stderr, StringComparison.Ordinal);
        }
    }

    private static JsonElement Json(string[] args) => JsonDocument.Parse(CliHarness.Expect(0, args).Stdout).RootElement;
}
