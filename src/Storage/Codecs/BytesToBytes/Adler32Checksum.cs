namespace ChunkCompute.Storage.Codecs;

/// <summary>The Adler-32 checksum (RFC 1950), equal to Python's <c>zlib.adler32</c>, by System.IO.Hashing.</summary>
internal static class Adler32Checksum
{
    /// <summary>The Adler-32 of <paramref name="data"/>.</summary>
    internal static uint Compute(ReadOnlySpan<byte> data) => System.IO.Hashing.Adler32.HashToUInt32(data);
}
