using ChunkCompute.Storage;
using ChunkCompute.Storage.Codecs;
using ChunkCompute.Storage.Codecs.Native;
using Xunit;

namespace ChunkCompute.Tests.Storage.Codecs;

/// <summary>
/// The managed and native implementations of LZ4, Zstandard and bzip2 write interoperable frames (each decodes the
/// other's), and the backend switch behaves as documented.
/// </summary>
public sealed class CodecBackendTests
{
    private static readonly int[] Sizes = [0, 1, 1000, 65537, (1 << 20) + 13];

    public static TheoryData<string, CodecBackend> CompressingCodecs
    {
        get
        {
            var data = new TheoryData<string, CodecBackend>();
            foreach (var (label, _) in CodecTestData.AllCodecs(8))
            {
                if (label.StartsWith("lz4", StringComparison.Ordinal) || label.StartsWith("zstd", StringComparison.Ordinal) || label == "bz2"
                    || label.StartsWith("blosc-Lz4", StringComparison.Ordinal) || label.StartsWith("blosc-Zstd", StringComparison.Ordinal) || label == "blosc-bs4096")
                {
                    data.Add(label, CodecBackend.Managed);
                    data.Add(label, CodecBackend.Native);
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(CompressingCodecs))]
    public void Encode_OneBackend_DecodesWithTheOther(string label, CodecBackend writer)
    {
        Assert.SkipWhen(
            CodecBackends.FromEnvironment(Environment.GetEnvironmentVariable(CodecBackends.EnvironmentVariable)) == CodecBackend.Managed,
            "native libraries deliberately out of reach");
        var reader = writer == CodecBackend.Managed ? CodecBackend.Native : CodecBackend.Managed;
        var codec = CodecTestData.AllCodecs(8).Single(c => c.Label == label).Codec;
        foreach (var size in Sizes)
        {
            var data = CodecTestData.Data(size, size);
            byte[] encoded;
            using (CodecBackends.Use(writer))
            {
                encoded = codec.Encode(data);
            }

            using (CodecBackends.Use(reader))
            {
                var length = codec.GetDecodedLength(encoded);
                Assert.True(length == -1 || length == size, $"{label} {writer}→{reader} size {size}: GetDecodedLength {length}");
                var exact = new byte[size];
                codec.Decode(encoded, exact);
                Assert.Equal(data, exact);
                Assert.Equal(data, codec.Decode(encoded));
            }
        }
    }

    [Fact]
    public void Encode_Compressible_ManagedCompressesAboutAsWellAsNative()
    {
        // The managed encoders really compress (not a stored/memcpy fallback): within 15% of the native frame size.
        Assert.SkipWhen(
            CodecBackends.FromEnvironment(Environment.GetEnvironmentVariable(CodecBackends.EnvironmentVariable)) == CodecBackend.Managed,
            "native libraries deliberately out of reach");
        var data = CodecTestData.Data(1 << 20);
        foreach (var codec in new IBytesToBytesCodec[] { new Lz4Codec(), new ZstdCodec(3), new Bz2Codec(9), BloscCodec.Lz4Shuffle(8), new BloscCodec(BloscCompressor.Lz4Hc, 5, BloscShuffle.Shuffle, 8), new BloscCodec(BloscCompressor.Zstd, 5, BloscShuffle.Shuffle, 8) })
        {
            int managed, native;
            using (CodecBackends.Use(CodecBackend.Managed))
            {
                managed = codec.Encode(data).Length;
            }

            using (CodecBackends.Use(CodecBackend.Native))
            {
                native = codec.Encode(data).Length;
            }

            Assert.True(managed < data.Length * 3 / 4 && managed <= native * 1.15, $"{codec.Name}: managed {managed} bytes, native {native}, from {data.Length}");
        }
    }

    [Fact]
    public void UseNative_ForcedNativeWithMissingLibrary_ThrowsNamingLibraryAndPackage()
    {
        var missing = new NativeCodecLibrary("libchunkcompute-does-not-exist.so.9", "libcc-missing1");
        using var scope = CodecBackends.Use(CodecBackend.Native);
        var ex = Assert.Throws<NativeLibraryMissingException>(() => CodecBackends.UseNative(missing, "zstd"));
        Assert.Equal("libchunkcompute-does-not-exist.so.9", ex.Library);
        Assert.Equal("libcc-missing1", ex.Package);
        Assert.Contains("apt-get install libcc-missing1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UseNative_AutoWithMissingLibrary_FallsBackToManaged()
    {
        var missing = new NativeCodecLibrary("libchunkcompute-does-not-exist.so.9", "libcc-missing1");
        using (CodecBackends.Use(CodecBackend.Auto))
        {
            Assert.False(CodecBackends.UseNative(missing, "zstd"));
        }

        using (CodecBackends.Use(CodecBackend.Managed))
        {
            Assert.False(CodecBackends.UseNative(NativeCodecLibrary.Zstd, "zstd"));
        }
    }

    [Fact]
    public void UseNative_AutoWithInstalledLibraries_PicksNative()
    {
        Assert.SkipWhen(
            CodecBackends.FromEnvironment(Environment.GetEnvironmentVariable(CodecBackends.EnvironmentVariable)) == CodecBackend.Managed,
            "native libraries deliberately out of reach");
        using var scope = CodecBackends.Use(CodecBackend.Auto);
        Assert.True(CodecBackends.UseNative(NativeCodecLibrary.Lz4, "numcodecs.lz4"));
        Assert.True(CodecBackends.UseNative(NativeCodecLibrary.Zstd, "zstd"));
        Assert.True(CodecBackends.UseNative(NativeCodecLibrary.Bz2, "numcodecs.bz2"));
    }

    [Theory]
    [InlineData(null, CodecBackend.Auto)]
    [InlineData("", CodecBackend.Auto)]
    [InlineData("auto", CodecBackend.Auto)]
    [InlineData("managed", CodecBackend.Managed)]
    [InlineData(" Managed ", CodecBackend.Managed)]
    [InlineData("NATIVE", CodecBackend.Native)]
    public void FromEnvironment_KnownValue_Parses(string? value, CodecBackend expected) =>
        Assert.Equal(expected, CodecBackends.FromEnvironment(value));

    [Fact]
    public void FromEnvironment_UnknownValue_ThrowsNamingVariable()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => CodecBackends.FromEnvironment("fast"));
        Assert.Equal("CHUNKCOMPUTE_CODECS='fast' is not one of auto, managed, native", ex.Message);
    }

    [Fact]
    public void Prefer_UndefinedValue_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => CodecBackends.Prefer = (CodecBackend)7);

    [Fact]
    public void Use_Scope_FlowsIntoParallelWorkersAndIsRestored()
    {
        var outer = CodecBackends.Effective;
        using (CodecBackends.Use(CodecBackend.Managed))
        {
            var seen = new CodecBackend[16];
            Parallel.For(0, seen.Length, i => seen[i] = CodecBackends.Effective);
            Assert.All(seen, b => Assert.Equal(CodecBackend.Managed, b));
        }

        Assert.Equal(outer, CodecBackends.Effective);
    }
}
