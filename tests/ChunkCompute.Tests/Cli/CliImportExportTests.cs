using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Npy;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Cli;

public sealed class CliImportExportTests
{
    public static TheoryData<string, string> CodecsAndFormats()
    {
        var data = new TheoryData<string, string>();
        foreach (var codec in new[] { "none", "lz4", "zstd", "gzip", "zlib", "blosc-lz4", "blosc-lz4hc", "blosc-zstd", "blosc-zlib", "zstd:7" })
        {
            foreach (var format in new[] { "v2", "v3" })
            {
                data.Add(codec, format);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CodecsAndFormats))]
    public void ImportExport_EachCodecAndFormat_RoundTripsBytes(string codec, string format)
    {
        using var tmp = new TempDirectory("cc-cli-io");
        string input = tmp.Combine("in.npy");
        var rng = new Random(codec.GetHashCode(StringComparison.Ordinal) ^ format.Length);
        var data = Enumerable.Range(0, 37 * 23).Select(_ => rng.NextDouble() < 0.1 ? double.NaN : Math.Round(rng.NextDouble() * 100, 2)).ToArray();
        Npy.Save<double>(input, data, [37, 23]);
        string store = tmp.Combine("s.zarr");
        CliHarness.Expect(0, "import", input, store, "--array", "x/y", "--chunks", "10,7", "--codec", codec, "--format", format);

        using (var zarr = ZarrStore.OpenExisting(store))
        {
            var array = zarr.OpenArray("x/y");
            Assert.Equal(format == "v2" ? ZarrFormat.V2 : ZarrFormat.V3, array.Metadata.Format);
            Assert.Equal([10, 7], array.ChunkShape);
        }

        string output = tmp.Combine("out.npy");
        CliHarness.Expect(0, "export", store, output, "--array", "x/y");
        var (header, bytes) = Npy.Load(output);
        Assert.Equal([37L, 23L], header.Shape);
        Assert.Equal("<f8", header.Descr);
        Assert.Equal(MemoryMarshal.AsBytes(data.AsSpan()).ToArray(), bytes);
    }

    [Theory]
    [InlineData("v2")]
    [InlineData("v3")]
    public void ImportExport_DefaultChunksUint8_RoundTripsBytes(string format)
    {
        using var tmp = new TempDirectory("cc-cli-io");
        string input = tmp.Combine("in.npy");
        var data = new byte[3 * 4 * 5];
        new Random(5).NextBytes(data);
        Npy.Save(input, "|u1", [3, 4, 5], data);
        string store = tmp.Combine("s.zarr");
        CliHarness.Expect(0, "import", input, store, "--array", "b", "--format", format);
        string output = tmp.Combine("out.npy");
        CliHarness.Expect(0, "export", store, output, "--array", "b");
        Assert.Equal(data, Npy.Load(output).Data);
    }

    [Fact]
    public void Import_ExistingArrayWithoutOverwrite_ExitsOneAndKeepsArray()
    {
        using var tmp = new TempDirectory("cc-cli-io");
        string first = tmp.Combine("first.npy");
        var original = CliHarness.SaveMatrix(first);
        string store = tmp.Combine("s.zarr");
        CliHarness.Expect(0, "import", first, store, "--array", "m", "--chunks", "4,4");
        string second = tmp.Combine("second.npy");
        Npy.Save<int>(second, Enumerable.Repeat(-9, 12).ToArray(), [3, 4]);

        CliHarness.ExpectError("m", "import", second, store, "--array", "m");

        using (var zarr = ZarrStore.OpenExisting(store))
        {
            var array = zarr.OpenArray<int>("m");
            Assert.Equal([10L, 6L], array.Shape);
            Assert.Equal(original, array.Read(TestContext.Current.CancellationToken));
        }

        CliHarness.Expect(0, "import", second, store, "--array", "m", "--overwrite");
        using var again = ZarrStore.OpenExisting(store);
        Assert.Equal(Enumerable.Repeat(-9, 12), again.OpenArray<int>("m").Read(TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Export_TruncatedChunk_ExitsOneNamingChunk()
    {
        using var tmp = new TempDirectory("cc-cli-io");
        string input = tmp.Combine("in.npy");
        CliHarness.SaveMatrix(input);
        string store = tmp.Combine("s.zarr");
        CliHarness.Expect(0, "import", input, store, "--array", "m", "--chunks", "5,6", "--codec", "zstd", "--format", "v2");
        string chunk = Path.Combine(store, "m", "1.0");
        Assert.True(File.Exists(chunk));
        var bytes = File.ReadAllBytes(chunk);
        File.WriteAllBytes(chunk, bytes[..(bytes.Length / 2)]);

        var result = CliHarness.ExpectError("corrupt", "export", store, tmp.Combine("out.npy"), "--array", "m");
        Assert.Contains("m/1.0", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(tmp.Combine("out.npy")), "a failed export must not leave a partial .npy");

        var verbose = CliHarness.Expect(1, "export", store, tmp.Combine("out2.npy"), "--array", "m", "--verbose");
        Assert.Contains(verbose.StderrLines, CliHarness.IsStackFrame);
        Assert.StartsWith("chunkcompute:", verbose.StderrLines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Export_UnsupportedCodec_ExitsOneNamingCodec()
    {
        using var tmp = new TempDirectory("cc-cli-io");
        string input = tmp.Combine("in.npy");
        CliHarness.SaveMatrix(input);
        string store = tmp.Combine("s.zarr");
        CliHarness.Expect(0, "import", input, store, "--array", "m", "--format", "v2", "--codec", "zlib");
        string zarray = Path.Combine(store, "m", ".zarray");
        var meta = JsonNode.Parse(File.ReadAllText(zarray))!.AsObject();
        meta["compressor"] = new JsonObject { ["id"] = "snappy-ng", ["level"] = 1 };
        File.WriteAllText(zarray, meta.ToJsonString());

        CliHarness.ExpectError("snappy-ng", "export", store, tmp.Combine("out.npy"), "--array", "m");
        CliHarness.ExpectError("snappy-ng", "info", store, "--array", "m");
    }

    [Fact]
    public void Export_MissingArray_ExitsOneNamingArray()
    {
        using var tmp = new TempDirectory("cc-cli-io");
        string input = tmp.Combine("in.npy");
        CliHarness.SaveMatrix(input);
        string store = tmp.Combine("s.zarr");
        CliHarness.Expect(0, "import", input, store, "--array", "m");
        CliHarness.ExpectError("nothere", "export", store, tmp.Combine("out.npy"), "--array", "nothere");
    }

    [Fact]
    public void Export_MissingStore_ExitsOneAndCreatesNothing()
    {
        using var tmp = new TempDirectory("cc-cli-io");
        string missing = tmp.Combine("missing.zarr");
        CliHarness.ExpectError("missing.zarr", "export", missing, tmp.Combine("out.npy"), "--array", "m");
        Assert.False(Directory.Exists(missing));
    }
}
