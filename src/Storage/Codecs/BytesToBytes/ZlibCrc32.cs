using System.IO.Hashing;

namespace ChunkCompute.Storage.Codecs;

/// <summary>The zlib / IEEE CRC-32 (reflected polynomial 0xEDB88320), by System.IO.Hashing (vectorised).</summary>
internal static class ZlibCrc32
{
    /// <summary>The CRC-32 of <paramref name="data"/>, equal to Python's <c>zlib.crc32</c>.</summary>
    internal static uint Compute(ReadOnlySpan<byte> data) => Crc32.HashToUInt32(data);
}
