using System.Buffers.Binary;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// The Fletcher-32 variant of numcodecs (<c>numcodecs/fletcher32.pyx</c>): sums of little-endian u16 words modulo
/// 0xFFFF, an odd trailing byte padded with a zero, result <c>(sum2 &lt;&lt; 16) | sum1</c>.
/// </summary>
internal static class Fletcher32Checksum
{
    private const ulong Mod = 0xFFFF;

    /// <summary>The checksum of <paramref name="data"/>.</summary>
    internal static uint Compute(ReadOnlySpan<byte> data)
    {
        // Deferring the modulo is exact: both sums are only ever reduced mod 0xFFFF. 4096 words keep sum2 in 64 bits.
        ulong sum1 = 0, sum2 = 0;
        var words = data.Length / 2;
        var i = 0;
        while (i < words)
        {
            var end = Math.Min(words, i + 4096);
            for (; i < end; i++)
            {
                sum1 += BinaryPrimitives.ReadUInt16LittleEndian(data.Slice(2 * i, 2));
                sum2 += sum1;
            }

            sum1 %= Mod;
            sum2 %= Mod;
        }

        if ((data.Length & 1) != 0)
        {
            sum1 = (sum1 + data[^1]) % Mod;
            sum2 = (sum2 + sum1) % Mod;
        }

        return (uint)((sum2 << 16) | sum1);
    }
}
