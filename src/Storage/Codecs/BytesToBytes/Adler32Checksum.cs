namespace ChunkCompute.Storage.Codecs;

/// <summary>The Adler-32 checksum (RFC 1950), equal to Python's <c>zlib.adler32</c>.</summary>
internal static class Adler32Checksum
{
    private const uint Mod = 65521;

    // Largest n such that 255 n (n + 1) / 2 + (n + 1)(Mod - 1) fits in 32 bits (zlib's NMAX).
    private const int NMax = 5552;

    /// <summary>The Adler-32 of <paramref name="data"/>.</summary>
    internal static uint Compute(ReadOnlySpan<byte> data)
    {
        uint a = 1, b = 0;
        while (!data.IsEmpty)
        {
            var n = Math.Min(NMax, data.Length);
            foreach (var x in data[..n])
            {
                a += x;
                b += a;
            }

            a %= Mod;
            b %= Mod;
            data = data[n..];
        }

        return (b << 16) | a;
    }
}
