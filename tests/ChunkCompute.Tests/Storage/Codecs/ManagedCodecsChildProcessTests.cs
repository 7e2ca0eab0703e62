using System.Text.Json.Nodes;
using ChunkCompute.Storage.Codecs;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Storage.Codecs;

/// <summary>
/// A machine without native compression libraries reads and writes every codec: reruns <see cref="ManagedCodecsChild"/>
/// in a child process (this test assembly's own xunit v3 runner) with <c>CHUNKCOMPUTE_CODECS=managed</c>; the child
/// round-trips every codec, decodes every compressed fixture, and checks in /proc/self/maps that no native LZ4,
/// Zstandard or bzip2 library was ever loaded.
/// </summary>
public sealed partial class ManagedCodecsChildProcessTests
{
    /// <summary>Set in the child's environment; the child's test runs only when it is.</summary>
    internal const string ChildVariable = "CHUNKCOMPUTE_TEST_MANAGED_CODECS_CHILD";

    [Fact]
    public async Task EveryCodec_ReadsAndWrites_WithNoNativeLibraryLoaded()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the child reads /proc/self/maps");
        var result = await ChildTestRun.RunAsync(
            [typeof(ManagedCodecsChild).FullName!],
            new Dictionary<string, string?> { [CodecBackends.EnvironmentVariable] = "managed", [ChildVariable] = "1" });
        result.AssertAllPassed("managed codecs child");
        Assert.Equal(1, result.Total);
    }

}

/// <summary>The child's side of <see cref="ManagedCodecsChildProcessTests"/>: skipped unless run as that child.</summary>
public sealed class ManagedCodecsChild
{
    private static readonly string[] NativeLibraries = ["liblz4.so", "libzstd.so", "libbz2.so"];

    [Fact]
    public void EveryCodec_RoundTripsAndDecodesFixtures_Managed()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable(ManagedCodecsChildProcessTests.ChildVariable) == "1", "runs only as the child process of ManagedCodecsChildProcessTests");
        Assert.Equal(CodecBackend.Managed, CodecBackends.Prefer);

        var checkedCodecs = 0;
        foreach (var (label, codec) in CodecTestData.AllCodecs(8))
        {
            foreach (var size in new[] { 0, 1, 1000, 65537, (1 << 20) + 13 })
            {
                var data = CodecTestData.Data(size, size);
                var encoded = codec.Encode(data);
                var exact = new byte[size];
                codec.Decode(encoded, exact);
                Assert.True(data.AsSpan().SequenceEqual(exact), $"{label}, {size} bytes: round trip differs");
                Assert.True(data.AsSpan().SequenceEqual(codec.Decode(encoded)), $"{label}, {size} bytes: unbounded decode differs");
            }

            checkedCodecs++;
        }

        // Every compressed zarr-python fixture (lz4, zstd, bz2, blosc lz4/lz4hc/zstd/zlib/blosclz, gzip, zlib) and
        // every c-blosc vector decodes to the raw chunks.
        var fixtures = 0;
        foreach (var dir in Directory.GetDirectories(CodecTestData.Fixture("zarr-v2"), "comp_*_f8.zarr").Where(d => !d.EndsWith("comp_none_f8.zarr", StringComparison.Ordinal)))
        {
            var zarray = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, ".zarray")))!.AsObject();
            var codec = CodecRegistry.CreateBytesToBytesFromV2(zarray["compressor"]!.AsObject(), 8);
            foreach (var chunk in new[] { "0.0", "0.1", "1.0", "1.1", "2.0", "2.1" })
            {
                var expected = File.ReadAllBytes(CodecTestData.Fixture("zarr-v2", "comp_none_f8.zarr", chunk));
                Assert.True(expected.AsSpan().SequenceEqual(codec.Decode(File.ReadAllBytes(Path.Combine(dir, chunk)))), $"{Path.GetFileName(dir)}/{chunk}");
            }

            fixtures++;
        }

        foreach (var line in File.ReadAllLines(CodecTestData.Fixture("blosc", "index.txt")).Where(l => l.Length > 0))
        {
            var parts = line.Split(' ');
            var expected = File.ReadAllBytes(CodecTestData.Fixture("blosc", parts[1]));
            Assert.True(expected.AsSpan().SequenceEqual(BloscCodec.Lz4Shuffle(1).Decode(File.ReadAllBytes(CodecTestData.Fixture("blosc", parts[0] + ".blosc")))), parts[0]);
            fixtures++;
        }

        Assert.True(checkedCodecs >= 20 && fixtures >= 20, $"only {checkedCodecs} codecs and {fixtures} fixtures checked");
        var maps = File.ReadAllText("/proc/self/maps");
        foreach (var library in NativeLibraries)
        {
            Assert.False(maps.Contains(library, StringComparison.Ordinal), $"{library} is mapped into the managed-only process");
        }
    }
}
