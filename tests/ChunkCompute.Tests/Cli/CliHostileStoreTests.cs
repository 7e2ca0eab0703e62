using System.Text.Json;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Npy;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Cli;

/// <summary>Issue 13: failed exports keep the user's file, --memory is planned up front, verify survives bad nodes.</summary>
public sealed class CliHostileStoreTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Export_FailingMidway_KeepsExistingFileAndLeavesNoTemporary()
    {
        using var tmp = new TempDirectory("cc-cli-hostile");
        string input = tmp.Combine("in.npy");
        CliHarness.SaveMatrix(input, rows: 40, cols: 6);
        string store = tmp.Combine("s.zarr");
        CliHarness.Expect(0, "import", input, store, "--array", "m", "--chunks", "5,6", "--codec", "zstd", "--format", "v2");

        // The user's file: must survive a failed export byte for byte.
        string outDir = tmp.Combine("out");
        Directory.CreateDirectory(outDir);
        string output = Path.Combine(outDir, "result.npy");
        byte[] original = [1, 2, 3, 4, 5, 6, 7, 8, 9];
        File.WriteAllBytes(output, original);

        // A chunk late in the array is corrupt: the export writes the blocks before it, then fails.
        string chunk = Path.Combine(store, "m", "7.0");
        var bytes = File.ReadAllBytes(chunk);
        File.WriteAllBytes(chunk, bytes[..(bytes.Length / 2)]);
        var failed = CliHarness.ExpectError("m/7.0", "export", store, output, "--array", "m", "--memory", "4KiB");
        Assert.Contains("corrupt", failed.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(original, File.ReadAllBytes(output));
        Assert.Equal([output], Directory.GetFiles(outDir));

        // A successful export replaces it with the array.
        File.WriteAllBytes(chunk, bytes);
        CliHarness.Expect(0, "export", store, output, "--array", "m", "--slice", "38:", "--memory", "4KiB");
        Assert.Equal([380, 381, 382, 383, 384, 385, 390, 391, 392, 393, 394, 395], Npy.Load<int>(output));
        Assert.Equal([output], Directory.GetFiles(outDir));
    }

    [Fact]
    public void Export_Cancelled_KeepsExistingFile()
    {
        using var tmp = new TempDirectory("cc-cli-hostile");
        string input = tmp.Combine("in.npy");
        CliHarness.SaveMatrix(input);
        string store = tmp.Combine("s.zarr");
        CliHarness.Expect(0, "import", input, store, "--array", "m");
        string output = tmp.Combine("keep.npy");
        File.WriteAllText(output, "precious");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var result = CliHarness.RunCancellable(cancelled.Token, "export", store, output, "--array", "m");
        Assert.Equal(130, result.ExitCode);
        Assert.Equal("precious", File.ReadAllText(output));
        Assert.Single(Directory.GetFiles(tmp.Path, "*.tmp", SearchOption.AllDirectories).Concat(Directory.GetFiles(tmp.Path, "keep.npy")));
    }

    [Fact]
    public void Export_BudgetBelowOneChunk_RefusedUpFrontNamingChunk_BudgetThatFits_ExactValues()
    {
        using var tmp = new TempDirectory("cc-cli-hostile");
        string input = tmp.Combine("in.npy");
        var data = CliHarness.SaveMatrix(input, rows: 64, cols: 128); // int32: 32 KiB
        string store = tmp.Combine("s.zarr");
        CliHarness.Expect(0, "import", input, store, "--array", "m", "--chunks", "64,128");
        string output = tmp.Combine("out.npy");

        // One chunk decodes to 32 KiB and its stored bytes are taken as large again: 16 KiB cannot hold one.
        var refused = CliHarness.ExpectError("32 KiB", "export", store, output, "--array", "m", "--memory", "16KiB");
        Assert.Contains("--memory 16 KiB", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("array 'm'", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("raise --memory to at least", refused.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));

        CliHarness.Expect(0, "export", store, output, "--array", "m", "--memory", "128KiB");
        Assert.Equal(data, Npy.Load<int>(output));
    }

    [Fact]
    public void Export_ShardIndexCountsAgainstBudget()
    {
        using var tmp = new TempDirectory("cc-cli-hostile");
        string store = tmp.Combine("s.zarr");
        WriteShardedUInt8(store, "s", 4096);

        // A 4 KiB shard of 4096 one-byte inner chunks: its index is 64 KiB, far more than the data.
        string output = tmp.Combine("out.npy");
        var refused = CliHarness.ExpectError("64 KiB shard index", "export", store, output, "--array", "s", "--memory", "32KiB");
        Assert.Contains("--memory 32 KiB", refused.Stderr, StringComparison.Ordinal);

        CliHarness.Expect(0, "export", store, output, "--array", "s", "--memory", "1MiB");
        Assert.Equal(Enumerable.Range(0, 4096).Select(i => (byte)(i * 7)), Npy.Load<byte>(output));

        var verify = CliHarness.Expect(1, "verify", store, "--memory", "32KiB");
        Assert.Contains("array 's'", verify.Stdout, StringComparison.Ordinal);
        Assert.Contains("shard index", verify.Stdout, StringComparison.Ordinal);
        CliHarness.Expect(0, "verify", store, "--memory", "1MiB");
    }

    [Fact]
    public void Verify_BudgetBelowOneChunkOfOneArray_ReportsItAndChecksTheOthers()
    {
        using var tmp = new TempDirectory("cc-cli-hostile");
        string big = tmp.Combine("big.npy");
        CliHarness.SaveMatrix(big, rows: 64, cols: 128);
        string small = tmp.Combine("small.npy");
        CliHarness.SaveMatrix(small, rows: 4, cols: 4);
        string store = tmp.Combine("s.zarr");
        CliHarness.Expect(0, "import", big, store, "--array", "big", "--chunks", "64,128");
        CliHarness.Expect(0, "import", small, store, "--array", "small", "--chunks", "2,4");

        var result = CliHarness.Expect(1, "verify", store, "--memory", "16KiB", "--json");
        using var doc = JsonDocument.Parse(result.Stdout);
        var problem = Assert.Single(doc.RootElement.GetProperty("problems").EnumerateArray()).GetString()!;
        Assert.Contains("array 'big'", problem, StringComparison.Ordinal);
        Assert.Contains("32 KiB", problem, StringComparison.Ordinal);
        Assert.Contains("raise --memory to at least", problem, StringComparison.Ordinal);
        Assert.Equal(2, doc.RootElement.GetProperty("chunks").GetInt64()); // the small array's two chunks were decoded
    }

    [Fact]
    public void Verify_BadNodeTypeAndHugeBloscHeader_ListsBothAndChecksTheRest()
    {
        using var tmp = new TempDirectory("cc-cli-hostile");
        string input = tmp.Combine("in.npy");
        CliHarness.SaveMatrix(input);
        string store = tmp.Combine("s.zarr");
        CliHarness.Expect(0, "import", input, store, "--array", "a", "--chunks", "5,6", "--codec", "blosc-lz4", "--format", "v2");
        CliHarness.Expect(0, "import", input, store, "--array", "b", "--chunks", "5,6", "--format", "v2");
        CliHarness.Expect(0, "import", input, store, "--array", "z", "--chunks", "5,6", "--format", "v2");

        // A node whose metadata says "node_type": 5, and a Blosc chunk whose header claims 2 GiB decoded.
        Directory.CreateDirectory(Path.Combine(store, "weird"));
        File.WriteAllText(Path.Combine(store, "weird", "zarr.json"), """{"zarr_format": 3, "node_type": 5}""");
        string chunk = Path.Combine(store, "a", "1.0");
        var bytes = File.ReadAllBytes(chunk);
        BitConverter.TryWriteBytes(bytes.AsSpan(4, 4), int.MaxValue);
        File.WriteAllBytes(chunk, bytes);

        var result = CliHarness.Expect(1, "verify", store, "--json");
        using var doc = JsonDocument.Parse(result.Stdout);
        var problems = doc.RootElement.GetProperty("problems").EnumerateArray().Select(p => p.GetString()!).ToList();
        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.Contains("weird/zarr.json", StringComparison.Ordinal) && p.Contains("node_type 5", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("a/1.0", StringComparison.Ordinal));
        Assert.Equal(3, doc.RootElement.GetProperty("arrays").GetInt32());
        Assert.Equal(6, doc.RootElement.GetProperty("chunks").GetInt64()); // every listed chunk was attempted
    }

    // A v3 array of `length` uint8 values (i * 7) in one shard of one-byte inner chunks (bytes codec; index bytes + crc32c).
    internal static void WriteShardedUInt8(string store, string name, int length)
    {
        Directory.CreateDirectory(Path.Combine(store, name));
        File.WriteAllText(Path.Combine(store, "zarr.json"), """{"zarr_format": 3, "node_type": "group", "attributes": {}}""");
        File.WriteAllText(Path.Combine(store, name, "zarr.json"), $$$"""
            {"zarr_format": 3, "node_type": "array", "shape": [{{{length}}}], "data_type": "uint8",
             "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [{{{length}}}]}},
             "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}}, "fill_value": 0,
             "codecs": [{"name": "sharding_indexed", "configuration": {"chunk_shape": [1],
               "codecs": [{"name": "bytes"}],
               "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}],
               "index_location": "end"}}],
             "attributes": {}}
            """);
        using var zarr = ZarrStore.OpenExisting(store, new ZarrStoreOptions { Transactional = false });
        zarr.OpenArray<byte>(name).Write(Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray(), Ct);
    }
}
