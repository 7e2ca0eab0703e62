using ChunkCompute.Storage;
using ChunkCompute.Storage.Codecs;
using Xunit;

namespace ChunkCompute.Tests.Storage.Codecs;

public sealed class RoundTripTests
{
    public static TheoryData<int> TypeSizes => new(1, 2, 3, 4, 8, 12, 16, 300);

    [Theory]
    [MemberData(nameof(TypeSizes))]
    public void EncodeDecode_AllCodecsAllSizes_RoundTrips(int typeSize)
    {
        foreach (var size in CodecTestData.Sizes)
        {
            var data = CodecTestData.Data(size, size + typeSize);
            foreach (var (label, codec) in CodecTestData.AllCodecs(typeSize))
            {
                var encoded = codec.Encode(data);
                var expectedLength = codec.GetDecodedLength(encoded);
                Assert.True(expectedLength == -1 || expectedLength == size, $"{label} size {size}: GetDecodedLength {expectedLength}");

                var exact = new byte[size];
                codec.Decode(encoded, exact);
                Assert.True(data.AsSpan().SequenceEqual(exact), $"{label} size {size} typesize {typeSize}: Decode(span) differs");
                Assert.True(data.AsSpan().SequenceEqual(codec.Decode(encoded)), $"{label} size {size} typesize {typeSize}: Decode() differs");
            }
        }
    }

    [Fact]
    public void Encode_RandomIncompressibleData_RoundTrips()
    {
        var data = new byte[200_000];
        new Random(7).NextBytes(data);
        foreach (var (label, codec) in CodecTestData.AllCodecs(8))
        {
            var encoded = codec.Encode(data);
            Assert.True(data.AsSpan().SequenceEqual(codec.Decode(encoded)), label);
        }
    }

    [Fact]
    public void BloscEncode_IncompressibleData_IsMemcpyedAndAtMostSixteenBytesLarger()
    {
        var data = new byte[100_000];
        new Random(3).NextBytes(data);
        var encoded = BloscCodec.Lz4Shuffle(8).Encode(data);
        Assert.True(encoded.Length <= data.Length + 16);
    }

    [Fact]
    public void BloscEncode_CompressibleData_ShrinksAndRecordsHeader()
    {
        var data = CodecTestData.Data(1 << 20);
        var encoded = BloscCodec.Lz4Shuffle(8).Encode(data);
        Assert.True(encoded.Length < data.Length / 4, $"{encoded.Length}");
        Assert.Equal(2, encoded[0]);
        Assert.Equal(1, encoded[1]);
        Assert.Equal(0x21, encoded[2]);
        Assert.Equal(8, encoded[3]);
        Assert.Equal(BitConverter.ToInt32(encoded, 12), encoded.Length);
    }

    [Fact]
    public void BloscEncode_Blosclz_ThrowsUnsupported()
    {
        var codec = new BloscCodec(BloscCompressor.BloscLz, 5, BloscShuffle.Shuffle, 8);
        var ex = Assert.Throws<UnsupportedCodecException>(() => codec.Encode(new byte[1000]));
        Assert.Contains("blosclz", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GzipDecode_MultiMemberStream_ConcatenatesMembers()
    {
        var codec = new GzipCodec(6);
        var a = CodecTestData.Data(1000, 1);
        var b = CodecTestData.Data(500, 2);
        var both = codec.Encode(a).Concat(codec.Encode(b)).ToArray();
        Assert.Equal(a.Concat(b).ToArray(), codec.Decode(both));
        var exact = new byte[1500];
        codec.Decode(both, exact);
        Assert.Equal(a.Concat(b).ToArray(), exact);
    }

    [Fact]
    public void ZstdDecode_FrameWithoutContentSize_UsesStreamingFallback()
    {
        // A zstd frame written by the streaming API (no content size): magic, FHD 0x00 (no FCS, window descriptor),
        // one raw last block of 5 bytes. Built by hand so the test needs no other tool.
        byte[] frame = [0x28, 0xB5, 0x2F, 0xFD, 0x00, 0x48, 0x29, 0x00, 0x00, (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o'];
        var codec = new ZstdCodec();
        Assert.Equal(-1, codec.GetDecodedLength(frame));
        Assert.Equal("hello"u8.ToArray(), codec.Decode(frame));
        var exact = new byte[5];
        codec.Decode(frame, exact);
        Assert.Equal("hello"u8.ToArray(), exact);
    }
}
