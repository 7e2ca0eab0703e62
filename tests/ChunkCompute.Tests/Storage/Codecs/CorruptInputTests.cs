using ChunkCompute.Storage;
using ChunkCompute.Storage.Codecs;
using Xunit;

namespace ChunkCompute.Tests.Storage.Codecs;

public sealed class CorruptInputTests
{

    public static TheoryData<string> CodecLabels
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var (label, _) in CodecTestData.AllCodecs(8))
            {
                data.Add(label);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(CodecLabels))]
    public void Decode_TruncatedBuffer_ThrowsCodecException(string label)
    {
        var codec = Codec(label);
        var data = CodecTestData.Data(70_000);
        var encoded = codec.Encode(data);
        foreach (var cut in new[] { 0, 1, 3, 15, encoded.Length / 2, encoded.Length - 1 })
        {
            var truncated = encoded.AsSpan(0, cut).ToArray();
            Assert.Throws<CodecException>(() => codec.Decode(truncated, new byte[data.Length]));
            Assert.Throws<CodecException>(() => codec.Decode(truncated));
        }
    }

    [Theory]
    [MemberData(nameof(CodecLabels))]
    public void Decode_WrongDestinationLength_ThrowsCodecException(string label)
    {
        var codec = Codec(label);
        var data = CodecTestData.Data(10_000);
        var encoded = codec.Encode(data);
        Assert.Throws<CodecException>(() => codec.Decode(encoded, new byte[data.Length - 1]));
        Assert.Throws<CodecException>(() => codec.Decode(encoded, new byte[data.Length + 1]));
    }

    [Theory]
    [MemberData(nameof(CodecLabels))]
    public void Decode_GarbageHeader_ThrowsCodecException(string label)
    {
        var codec = Codec(label);
        var garbage = new byte[5000];
        new Random(11).NextBytes(garbage);
        garbage[0] = 0xEE;
        Assert.ThrowsAny<ChunkComputeException>(() => codec.Decode(garbage, new byte[10_000]));
        Assert.ThrowsAny<ChunkComputeException>(() => codec.Decode(garbage));
    }

    [Theory]
    [MemberData(nameof(CodecLabels))]
    public void Decode_FlippedBytes_ThrowsOrDecodesWithoutCrashing(string label)
    {
        var codec = Codec(label);
        var data = CodecTestData.Data(50_000);
        var encoded = codec.Encode(data);
        var rng = new Random(label.Length);
        for (var trial = 0; trial < 300; trial++)
        {
            var corrupt = (byte[])encoded.Clone();
            var flips = 1 + rng.Next(3);
            for (var f = 0; f < flips; f++)
            {
                corrupt[rng.Next(corrupt.Length)] ^= (byte)(1 + rng.Next(255));
            }

            try
            {
                codec.Decode(corrupt, new byte[data.Length]);
            }
            catch (CodecException)
            {
            }

            try
            {
                _ = codec.Decode(corrupt);
            }
            catch (CodecException)
            {
            }
        }
    }

    [Theory]
    [InlineData("crc32c")]
    [InlineData("adler32")]
    [InlineData("crc32")]
    [InlineData("fletcher32")]
    [InlineData("zstd-checksum")]
    [InlineData("gzip")]
    [InlineData("zlib")]
    [InlineData("bz2")]
    public void Decode_FlippedPayloadByteUnderChecksum_ThrowsOrYieldsOriginal(string label)
    {
        var codec = Codec(label);
        var data = CodecTestData.Data(20_000);
        var encoded = codec.Encode(data);
        for (var i = 0; i < 40; i++)
        {
            var corrupt = (byte[])encoded.Clone();
            corrupt[10 + (i * (encoded.Length - 20) / 40)] ^= 0x10;

            // Deflate streams have don't-care bits: a flip there decodes to the original bytes, which is fine.
            var decoded = new byte[data.Length];
            try
            {
                codec.Decode(corrupt, decoded);
                Assert.Equal(data, decoded);
            }
            catch (CodecException)
            {
            }
        }
    }

    [Fact]
    public void Crc32cDecode_Mismatch_MessageNamesBothChecksums()
    {
        var codec = new Crc32cCodec();
        var encoded = codec.Encode("hello world"u8);
        encoded[0] ^= 1;
        var ex = Assert.Throws<CodecException>(() => codec.Decode(encoded));
        Assert.Matches("checksum mismatch: stored 0x[0-9A-F]{8} computed 0x[0-9A-F]{8}", ex.Message);
        Assert.Equal("crc32c", ex.Codec);
    }

    [Fact]
    public void BloscDecode_Blosc2Header_ThrowsCodecException()
    {
        var encoded = BloscCodec.Lz4Shuffle(8).Encode(CodecTestData.Data(10_000));
        var blosc2 = (byte[])encoded.Clone();
        blosc2[0] = 5;
        Assert.Contains("version 5", Assert.Throws<CodecException>(() => BloscCodec.Lz4Shuffle(8).Decode(blosc2)).Message, StringComparison.Ordinal);
        var extended = (byte[])encoded.Clone();
        extended[2] |= 0x05;
        Assert.Contains("Blosc2", Assert.Throws<CodecException>(() => BloscCodec.Lz4Shuffle(8).Decode(extended)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BloscDecode_SnappyFrame_ThrowsUnsupportedCodecException()
    {
        var encoded = BloscCodec.Lz4Shuffle(8).Encode(CodecTestData.Data(10_000));
        encoded[2] = (byte)((encoded[2] & 0x1F) | (2 << 5));
        Assert.Throws<UnsupportedCodecException>(() => BloscCodec.Lz4Shuffle(8).Decode(encoded));
    }

    [Fact]
    public void BloscDecode_HugeNbytesClaim_ThrowsWithoutAllocating()
    {
        var encoded = BloscCodec.Lz4Shuffle(8).Encode(CodecTestData.Data(10_000));
        BitConverter.TryWriteBytes(encoded.AsSpan(4, 4), int.MaxValue - 100);
        Assert.Throws<CodecException>(() => BloscCodec.Lz4Shuffle(8).Decode(encoded));
    }

    [Fact]
    public void BloscLzDecoder_MalformedStreams_ReturnError()
    {
        var output = new byte[64];
        Assert.Equal(-1, BloscLzDecoder.Decompress([], output));
        Assert.Equal(-1, BloscLzDecoder.Decompress([0x05, 1, 2], output));     // literal run past the input
        Assert.Equal(-1, BloscLzDecoder.Decompress([0x00, 7, 0x40, 0x10], output)); // match distance past the start
        Assert.Equal(-1, BloscLzDecoder.Decompress([0x00, 7, 0xE0, 255], output));  // extended length cut short
        Assert.Equal(3, BloscLzDecoder.Decompress([0x02, 1, 2, 3], output));
        Assert.Equal(4, BloscLzDecoder.Decompress([0x00, 9, 0x20, 0x00], output));   // 1 literal + match of 3 at distance 1
        Assert.Equal([9, 9, 9, 9], output[..4]);
    }

    [Fact]
    public void Lz4Decode_HeaderClaimsHugeSize_ThrowsWithoutAllocating()
    {
        byte[] encoded = [0x00, 0x00, 0x00, 0x7D, 0x00];
        Assert.Throws<CodecException>(() => new Lz4Codec().Decode(encoded));
    }

    private static IBytesToBytesCodec Codec(string label) =>
        CodecTestData.AllCodecs(8).Single(c => c.Label == label).Codec;
}
