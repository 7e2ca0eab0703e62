using ChunkCompute.Storage.Codecs;
using Xunit;

namespace ChunkCompute.Tests.Storage.Codecs;

public sealed class ChecksumTests
{
    [Fact]
    public void Crc32CCompute_StandardCheckValue_Matches()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    [Fact]
    public void Crc32CCompute_AllLengths_MatchBitwiseReference()
    {
        var data = CodecTestData.Data(300, 5);
        for (var n = 0; n <= data.Length; n++)
        {
            Assert.Equal(Reference(data.AsSpan(0, n), 0x82F63B78u), Crc32C.Compute(data.AsSpan(0, n)));
        }
    }

    [Fact]
    public void ZlibCrc32Compute_AllLengths_MatchBitwiseReference()
    {
        Assert.Equal(0xCBF43926u, ZlibCrc32.Compute("123456789"u8));
        var data = CodecTestData.Data(300, 6);
        for (var n = 0; n <= data.Length; n++)
        {
            Assert.Equal(Reference(data.AsSpan(0, n), 0xEDB88320u), ZlibCrc32.Compute(data.AsSpan(0, n)));
        }
    }

    [Fact]
    public void Adler32Compute_KnownValues_Match()
    {
        Assert.Equal(1u, Adler32Checksum.Compute([]));
        Assert.Equal(0x11E60398u, Adler32Checksum.Compute("Wikipedia"u8));
        var big = new byte[100_000];
        Array.Fill(big, (byte)0xFF);
        uint a = 1, b = 0;
        foreach (var x in big)
        {
            a = (a + x) % 65521;
            b = (b + a) % 65521;
        }

        Assert.Equal((b << 16) | a, Adler32Checksum.Compute(big));
    }

    [Fact]
    public void Crc32cEncode_AppendsLittleEndianTrailer()
    {
        var encoded = new Crc32cCodec().Encode("123456789"u8);
        Assert.Equal([0x83, 0x92, 0x06, 0xE3], encoded[^4..]);
        Assert.Equal("123456789"u8.ToArray(), encoded[..^4]);
    }

    [Fact]
    public void Adler32Encode_DefaultLocation_PrefixesChecksum()
    {
        var encoded = new Adler32Codec().Encode("Wikipedia"u8);
        Assert.Equal([0x98, 0x03, 0xE6, 0x11], encoded[..4]);
        var atEnd = new Adler32Codec(checksumAtEnd: true).Encode("Wikipedia"u8);
        Assert.Equal([0x98, 0x03, 0xE6, 0x11], atEnd[^4..]);
    }

    private static uint Reference(ReadOnlySpan<byte> data, uint poly)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var x in data)
        {
            crc ^= x;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ poly : crc >> 1;
            }
        }

        return ~crc;
    }
}
