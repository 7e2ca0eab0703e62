namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// The Fletcher-32 of numcodecs ≥ 0.12 (<c>numcodecs/fletcher32.pyx</c>, a port of HDF5's <c>H5_checksum_fletcher32</c>):
/// sums of <b>big-endian</b> u16 words in one's-complement arithmetic modulo 0xFFFF starting from 0xFFFF (so a sum is
/// never 0; 0xFFFF stands for 0), an odd trailing byte taken as the high byte of a last word, and the result
/// <c>(sum2 &lt;&lt; 16) | sum1</c>. Verified against zarr-python's <c>array_fletcher32.zarr</c> fixture.
/// </summary>
internal static class Fletcher32Checksum
{
    private const ulong Mod = 0xFFFF;

    /// <summary>The checksum of <paramref name="data"/>.</summary>
    internal static uint Compute(ReadOnlySpan<byte> data)
    {
        // Deferring the modulo is exact (both sums only matter mod 0xFFFF); 4096 words keep sum2 far inside 64 bits.
        ulong sum1 = 0, sum2 = 0;
        var words = data.Length / 2;
        var i = 0;
        while (i < words)
        {
            var end = Math.Min(words, i + 4096);
            for (; i < end; i++)
            {
                sum1 += (uint)((data[2 * i] << 8) | data[(2 * i) + 1]);
                sum2 += sum1;
            }

            sum1 %= Mod;
            sum2 %= Mod;
        }

        if ((data.Length & 1) != 0)
        {
            sum1 = (sum1 + ((ulong)data[^1] << 8)) % Mod;
            sum2 = (sum2 + sum1) % Mod;
        }

        var a = sum1 == 0 ? Mod : sum1;
        var b = sum2 == 0 ? Mod : sum2;
        return (uint)((b << 16) | a);
    }
}
