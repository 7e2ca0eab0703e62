using System.Buffers.Binary;

namespace ChunkCompute.Storage.Codecs.Backends;

/// <summary>Reads the content size from a Zstandard frame header (RFC 8878 §3.1.1.1), without a library.</summary>
internal static class ZstdFrameHeader
{
    private const uint Magic = 0xFD2FB528;

    /// <summary>
    /// The first frame's declared content size; -1 when the header does not declare it (or is cut short), -2 when the
    /// input does not start with a zstd frame (wrong magic, reserved bit set).
    /// </summary>
    internal static long ContentSize(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length < 5)
        {
            return encoded.Length >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(encoded) != Magic ? -2 : -1;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(encoded) != Magic)
        {
            return -2;
        }

        var descriptor = encoded[4];
        if ((descriptor & 0x08) != 0)
        {
            return -2; // reserved bit
        }

        var fcsFlag = descriptor >> 6;
        var singleSegment = (descriptor & 0x20) != 0;
        int didSize = (descriptor & 3) switch { 0 => 0, 1 => 1, 2 => 2, _ => 4 };
        int fcsSize = fcsFlag switch { 0 => singleSegment ? 1 : 0, 1 => 2, 2 => 4, _ => 8 };
        if (fcsSize == 0)
        {
            return -1;
        }

        var at = 5 + (singleSegment ? 0 : 1) + didSize;
        if (encoded.Length < at + fcsSize)
        {
            return -1;
        }

        var field = encoded.Slice(at, fcsSize);
        ulong size = fcsSize switch
        {
            1 => field[0],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(field) + 256u,
            4 => BinaryPrimitives.ReadUInt32LittleEndian(field),
            _ => BinaryPrimitives.ReadUInt64LittleEndian(field),
        };
        return size > long.MaxValue ? -1 : (long)size;
    }
}
