using System.Text.Json;
using ChunkCompute.Storage;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Cli;

public sealed class CliConvertTests
{
    private static double[] MakeSource(string root, ZarrFormat format, string path = "a", long rows = 120, long cols = 50)
    {
        using var store = ZarrStore.Open(root, new ZarrStoreOptions { DefaultFormat = format });
        var rng = new Random(17);
        var data = Enumerable.Range(0, (int)(rows * cols)).Select(i => i % 13 == 0 ? double.NaN : Math.Round(rng.NextDouble() * 1000, 3)).ToArray();
        var attributes = new System.Text.Json.Nodes.JsonObject { ["units"] = "K" };
        var a = store.CreateArray<double>(path, [rows, cols], [7, 50], new ArrayOptions
        {
            Format = format,
            Compression = Compression.Gzip(3),
            FillValue = "NaN",
            Attributes = attributes,
        });
        a.Write(data, TestContext.Current.CancellationToken);
        return data;
    }

    private static ZarrArray<double> Open(ZarrStore store, string path) => store.OpenArray<double>(path);

    [Theory]
    [InlineData(ZarrFormat.V2, "v3", "zstd:5", "zstd")]
    [InlineData(ZarrFormat.V3, "v2", "blosc-lz4", "blosc-lz4")]
    [InlineData(ZarrFormat.V2, "v2", "none", "none")]
    [InlineData(ZarrFormat.V3, "v3", "lz4", "lz4")]
    public void Convert_RechunkRecompressAndFormat_ValuesIdentical(ZarrFormat from, string to, string codec, string codecName)
    {
        using var tmp = new TempDirectory("cc-cli-convert");
        string src = tmp.Combine("src.zarr");
        var data = MakeSource(src, from);
        string dst = tmp.Combine("dst.zarr");

        var result = CliHarness.Expect(0, "convert", src, dst, "--array", "a", "--chunks", "32,16", "--codec", codec, "--format", to, "--memory", "64MiB");
        Assert.Empty(result.Stderr);
        Assert.Contains("converted", result.Stdout, StringComparison.Ordinal);

        using var store = ZarrStore.OpenExisting(dst);
        var converted = Open(store, "a");
        Assert.Equal(to == "v2" ? ZarrFormat.V2 : ZarrFormat.V3, converted.Metadata.Format);
        Assert.Equal([32, 16], converted.ChunkShape);
        Assert.Equal([120L, 50L], converted.Shape);
        Assert.Equal(data, converted.Read(TestContext.Current.CancellationToken));
        Assert.Equal("K", converted.Untyped.Attributes["units"]!.GetValue<string>());
        Assert.Equal("\"NaN\"", converted.Untyped.DataType.FormatFillValue(converted.Metadata.FillValue).ToJsonString());
        string info = CliHarness.Expect(0, "info", dst, "--array", "a", "--json").Stdout;
        using var doc = JsonDocument.Parse(info);
        var codecs = doc.RootElement.GetProperty("nodes")[0].GetProperty("codecs").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        string expectedCodec = codecName switch { "none" => "bytes", "lz4" => "numcodecs.lz4", "blosc-lz4" => "blosc", _ => codecName };
        Assert.Contains(expectedCodec, codecs);
    }

    [Fact]
    public void Convert_DefaultOptions_KeepsChunksCodecAndFormat()
    {
        using var tmp = new TempDirectory("cc-cli-convert");
        string src = tmp.Combine("src.zarr");
        var data = MakeSource(src, ZarrFormat.V2);
        string dst = tmp.Combine("dst.zarr");
        var json = JsonDocument.Parse(CliHarness.Expect(0, "convert", src, dst, "--array", "a", "--json").Stdout).RootElement;
        Assert.Equal("gzip", json.GetProperty("codec").GetString());
        using var store = ZarrStore.OpenExisting(dst);
        var converted = Open(store, "a");
        Assert.Equal(ZarrFormat.V2, converted.Metadata.Format);
        Assert.Equal([7, 50], converted.ChunkShape);
        Assert.Equal(data, converted.Read(TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Convert_Json_ParsesWithFields()
    {
        using var tmp = new TempDirectory("cc-cli-convert");
        string src = tmp.Combine("src.zarr");
        MakeSource(src, ZarrFormat.V3);
        var result = CliHarness.Expect(0, "convert", src, tmp.Combine("dst.zarr"), "--array", "a", "--to-array", "g/b", "--chunks", "60,25", "--codec", "zstd", "--json");
        Assert.Single(result.Stdout.Trim().Split('\n'));
        Assert.Empty(result.Stderr);
        var json = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal("a", json.GetProperty("source").GetProperty("array").GetString());
        Assert.Equal([7, 50], json.GetProperty("source").GetProperty("chunks").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("gzip", json.GetProperty("source").GetProperty("codec").GetString());
        Assert.Equal("g/b", json.GetProperty("target").GetProperty("array").GetString());
        Assert.Equal(3, json.GetProperty("target").GetProperty("format").GetInt32());
        Assert.Equal([120L, 50L], json.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal("float64", json.GetProperty("dtype").GetString());
        Assert.Equal([60, 25], json.GetProperty("chunks").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("zstd", json.GetProperty("codec").GetString());
        Assert.Equal(120 * 50 * 8, json.GetProperty("bytes_read").GetInt64());
        Assert.Equal(120 * 50 * 8, json.GetProperty("bytes_written").GetInt64());
        Assert.InRange(json.GetProperty("peak_memory_bytes").GetInt64(), 1, 1L << 30);
        Assert.True(json.GetProperty("seconds").GetDouble() >= 0);
    }

    [Fact]
    public void Convert_SameStore_WritesSecondArrayAndKeepsSource()
    {
        using var tmp = new TempDirectory("cc-cli-convert");
        string src = tmp.Combine("src.zarr");
        var data = MakeSource(src, ZarrFormat.V3);
        // A second format in the same hierarchy is refused (zarr-python could open neither), naming both formats.
        var mixed = CliHarness.Expect(1, "convert", src, src, "--array", "a", "--to-array", "a_v2", "--format", "v2");
        Assert.Contains("v2", mixed.Stderr, StringComparison.Ordinal);
        Assert.Contains("v3 hierarchy", mixed.Stderr, StringComparison.Ordinal);
        CliHarness.Expect(0, "convert", src, src, "--array", "a", "--to-array", "a_rechunked", "--chunks", "120,5");
        using var store = ZarrStore.OpenExisting(src);
        Assert.Null(store.GetNodeKind("a_v2"));
        Assert.Equal(data, Open(store, "a").Read(TestContext.Current.CancellationToken));
        var b = Open(store, "a_rechunked");
        Assert.Equal([120, 5], b.ChunkShape);
        Assert.Equal(data, b.Read(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("a")]
    [InlineData("")]
    [InlineData("a/inner")]
    public void Convert_SameStoreOverlappingTarget_ExitsTwo(string toArray)
    {
        using var tmp = new TempDirectory("cc-cli-convert");
        string src = tmp.Combine("src.zarr");
        var data = MakeSource(src, ZarrFormat.V3);
        string[] args = toArray == "a" ? ["convert", src, src + "/", "--array", "a", "--overwrite"] : ["convert", src, src, "--array", "a", "--to-array", toArray, "--overwrite"];
        var result = CliHarness.Expect(2, args);
        Assert.Contains("--to-array", result.Stderr, StringComparison.Ordinal);
        using var store = ZarrStore.OpenExisting(src);
        Assert.Equal(data, Open(store, "a").Read(TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Convert_BudgetTooSmall_ExitsOneWithOneLineAndNoTarget()
    {
        using var tmp = new TempDirectory("cc-cli-convert");
        string src = tmp.Combine("src.zarr");
        MakeSource(src, ZarrFormat.V3);
        string dst = tmp.Combine("dst.zarr");
        CliHarness.ExpectError("budget", "convert", src, dst, "--array", "a", "--chunks", "120,50", "--memory", "4KiB");
        Assert.False(Directory.Exists(dst), "a failed convert must not leave a store it created");
    }

    [Fact]
    public void Convert_SmallBudget_RechunksThroughDiskAndMatches()
    {
        using var tmp = new TempDirectory("cc-cli-convert");
        string src = tmp.Combine("src.zarr");
        var data = MakeSource(src, ZarrFormat.V3, rows: 400, cols: 50);
        string dst = tmp.Combine("dst.zarr");

        // Source chunks 7 x 50, target 400 x 2: every target chunk needs every source chunk.
        var result = CliHarness.Expect(0, "convert", src, dst, "--array", "a", "--chunks", "400,2", "--memory", "140KiB");
        Assert.Contains("temporary array on disk", result.Stdout, StringComparison.Ordinal);
        using var store = ZarrStore.OpenExisting(dst);
        Assert.Equal(data, Open(store, "a").Read(TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Convert_BudgetTheOldHalvingSentToDisk_RechunksInMemoryWithinTheWholeBudget()
    {
        using var tmp = new TempDirectory("cc-cli-convert");
        string src = tmp.Combine("src.zarr");
        var data = MakeSource(src, ZarrFormat.V3, rows: 400, cols: 50);
        const long Budget = 300L << 10;

        // 7 x 50 float64 chunks to 400 x 2 (all to all): every in-memory plan holds the whole 156 KiB array plus a
        // column. Within half of --memory (the old RechunkBudget workaround) that did not fit, so convert went to disk.
        var source = ChunkCompute.Graph.ChunkGrid.Regular([400, 50], [7, 50]);
        var target = ChunkCompute.Graph.ChunkGrid.Regular([400, 50], [400, 2]);
        Assert.Throws<ChunkCompute.Ops.RechunkBudgetException>(() => ChunkCompute.Ops.RechunkPlanner.Plan(source, target, sizeof(double), Budget / 2));

        // Now the write is planned once, within the whole budget: in memory, and the accounted peak stays in it.
        var result = CliHarness.Expect(0, "convert", src, tmp.Combine("d1.zarr"), "--array", "a", "--chunks", "400,2", "--memory", "300KiB");
        Assert.DoesNotContain("temporary array on disk", result.Stdout, StringComparison.Ordinal);
        var json = CliHarness.Expect(0, "convert", src, tmp.Combine("d2.zarr"), "--array", "a", "--chunks", "400,2", "--memory", "300KiB", "--json");
        long peak = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("peak_memory_bytes").GetInt64();
        Assert.InRange(peak, 1, Budget);
        foreach (string dst in new[] { "d1.zarr", "d2.zarr" })
        {
            using var store = ZarrStore.OpenExisting(tmp.Combine(dst));
            Assert.Equal([400, 2], Open(store, "a").ChunkShape.ToArray());
            Assert.Equal(data, Open(store, "a").Read(TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public void Convert_ExistingTargetWithoutOverwrite_ExitsOneAndTargetUnchanged()
    {
        using var tmp = new TempDirectory("cc-cli-convert");
        string src = tmp.Combine("src.zarr");
        var data = MakeSource(src, ZarrFormat.V3);
        string dst = tmp.Combine("dst.zarr");
        using (var store = ZarrStore.Open(dst))
        {
            store.CreateArray<int>("a", [3], [3]).Write([1, 2, 3], TestContext.Current.CancellationToken);
        }

        CliHarness.ExpectError("already exists", "convert", src, dst, "--array", "a", "--chunks", "10,10");
        using (var store = ZarrStore.OpenExisting(dst))
        {
            Assert.Equal([1, 2, 3], store.OpenArray<int>("a").Read(TestContext.Current.CancellationToken));
        }

        CliHarness.Expect(0, "convert", src, dst, "--array", "a", "--chunks", "10,10", "--overwrite");
        using var again = ZarrStore.OpenExisting(dst);
        Assert.Equal(data, Open(again, "a").Read(TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Convert_OverwriteThatFailsMidway_LeavesTheOldTargetIntact()
    {
        using var tmp = new TempDirectory("cc-cli-convert");
        string src = tmp.Combine("src.zarr");
        MakeSource(src, ZarrFormat.V3);
        string dst = tmp.Combine("dst.zarr");
        using (var store = ZarrStore.Open(dst))
        {
            store.CreateArray<int>("a", [3], [3]).Write([1, 2, 3], TestContext.Current.CancellationToken);
        }

        // A corrupt source chunk deep in the array: the convert fails after writing (staging) other chunks.
        string chunk = Path.Combine(src, "a", "c", "15", "0");
        var bytes = File.ReadAllBytes(chunk);
        File.WriteAllBytes(chunk, bytes[..(bytes.Length / 3)]);
        CliHarness.ExpectError("a/c/15/0", "convert", src, dst, "--array", "a", "--chunks", "10,10", "--overwrite", "--memory", "1MiB");
        using var after = ZarrStore.OpenExisting(dst);
        Assert.Equal([1, 2, 3], after.OpenArray<int>("a").Read(TestContext.Current.CancellationToken));
        Assert.True(after.Verify().IsSound);
    }

    [Theory]
    [InlineData("0,5")]
    [InlineData("a,5")]
    [InlineData("5")]
    [InlineData("5,5,5")]
    public void Convert_BadChunks_ExitsTwo(string chunks)
    {
        using var tmp = new TempDirectory("cc-cli-convert");
        string src = tmp.Combine("src.zarr");
        MakeSource(src, ZarrFormat.V3);
        string dst = tmp.Combine("dst.zarr");
        var result = CliHarness.Expect(2, "convert", src, dst, "--array", "a", "--chunks", chunks);
        Assert.Contains("--chunks", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dst));
    }

    [Theory]
    [InlineData("--codec", "snappy")]
    [InlineData("--format", "v4")]
    [InlineData("--memory", "lots")]
    public void Convert_BadOption_ExitsTwo(string option, string value)
    {
        using var tmp = new TempDirectory("cc-cli-convert");
        string src = tmp.Combine("src.zarr");
        MakeSource(src, ZarrFormat.V3);
        CliHarness.Expect(2, "convert", src, tmp.Combine("dst.zarr"), "--array", "a", option, value);
    }

    [Fact]
    public void Convert_Quiet_PrintsOnlyTheResult()
    {
        using var tmp = new TempDirectory("cc-cli-convert");
        string src = tmp.Combine("src.zarr");
        MakeSource(src, ZarrFormat.V3, rows: 400, cols: 50);
        var loud = CliHarness.Expect(0, "convert", src, tmp.Combine("d1.zarr"), "--array", "a", "--chunks", "400,2", "--memory", "140KiB");
        Assert.Equal(2, loud.Stdout.Trim().Split('\n').Length);

        var quiet = CliHarness.Expect(0, "convert", src, tmp.Combine("d2.zarr"), "--array", "a", "--chunks", "400,2", "--memory", "140KiB", "--quiet");
        Assert.Empty(quiet.Stderr);
        var line = Assert.Single(quiet.Stdout.Trim().Split('\n'));
        Assert.StartsWith("converted ", line, StringComparison.Ordinal);

        var quietJson = CliHarness.Expect(0, "convert", src, tmp.Combine("d3.zarr"), "--array", "a", "--chunks", "400,2", "--memory", "140KiB", "--quiet", "--json");
        Assert.Empty(quietJson.Stderr);
        Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(quietJson.Stdout).RootElement.ValueKind);
    }

    [Fact]
    public void Convert_Cancelled_ExitsOneThirtyAndPublishesNothing()
    {
        using var tmp = new TempDirectory("cc-cli-convert");
        string src = tmp.Combine("src.zarr");
        MakeSource(src, ZarrFormat.V3);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        string dst = tmp.Combine("dst.zarr");
        var result = CliHarness.RunCancellable(cancelled.Token, "convert", src, dst, "--array", "a", "--chunks", "30,25");
        Assert.True(result.ExitCode == 130, result.ToString());
        Assert.Contains("cancelled", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dst), "a cancelled convert must not leave a store it created");

        var same = CliHarness.RunCancellable(cancelled.Token, "convert", src, src, "--array", "a", "--to-array", "b/c", "--chunks", "30,25");
        Assert.Equal(130, same.ExitCode);
        using var store = ZarrStore.OpenExisting(src);
        Assert.Null(store.GetNodeKind("b/c"));
        Assert.Null(store.GetNodeKind("b"));
        Assert.DoesNotContain(Directory.GetFileSystemEntries(src), e => Path.GetFileName(e) == "b");
    }

    [Fact]
    public void Convert_CancelledMidway_ExitsOneThirtyAndPublishesNothing()
    {
        using var tmp = new TempDirectory("cc-cli-convert");
        string src = tmp.Combine("src.zarr");
        MakeSource(src, ZarrFormat.V3, rows: 2000, cols: 50);
        using var cts = new CancellationTokenSource();
        string dst = tmp.Combine("dst.zarr");
        using (var seed = ZarrStore.Open(dst))
        {
            seed.CreateGroup("keep");
        }

        // Cancel from another thread shortly after the run starts; either it finishes first (exit 0, complete
        // array) or it is cancelled (exit 130, no array): never a partial one.
        cts.CancelAfter(TimeSpan.FromMilliseconds(30));
        var result = CliHarness.RunCancellable(cts.Token, "convert", src, dst, "--array", "a", "--chunks", "3,3", "--codec", "gzip:9");
        using var store = ZarrStore.OpenExisting(dst);
        Assert.Equal(NodeKind.Group, store.GetNodeKind("keep"));
        if (result.ExitCode == 130)
        {
            Assert.Null(store.GetNodeKind("a"));
            Assert.False(Directory.Exists(Path.Combine(dst, "a")), "a cancelled convert must remove the target's directory");
        }
        else
        {
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal(2000L * 50, Open(store, "a").Read(TestContext.Current.CancellationToken).Length);
        }
    }
}
