using System.Buffers.Binary;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// The bitshuffle bit transpose used by Blosc (format v2 rule): with <c>n = size / typesize</c> elements and
/// <c>n % 8 == 0</c>, bit <c>k</c> of byte <c>j</c> of element <c>i</c> goes to bit row <c>8 j + k</c> (each row
/// <c>n / 8</c> bytes), at bit <c>i % 8</c> of byte <c>i / 8</c>. Trailing bytes are copied. Callers copy the whole
/// block when <c>n % 8 != 0</c>.
/// </summary>
internal static class BitShuffle
{
    /// <summary>Bit-shuffles <paramref name="src"/> into <paramref name="dst"/>; requires (size / typesize) % 8 == 0.</summary>
    internal static void Shuffle(ReadOnlySpan<byte> src, Span<byte> dst, int typesize)
    {
        var n = src.Length / typesize;
        var rowBytes = n / 8;
        Span<byte> eight = stackalloc byte[8];
        for (var j = 0; j < typesize; j++)
        {
            for (var g = 0; g < rowBytes; g++)
            {
                var baseIndex = (8 * g * typesize) + j;
                for (var m = 0; m < 8; m++)
                {
                    eight[m] = src[baseIndex + (m * typesize)];
                }

                var x = Transpose8x8(BinaryPrimitives.ReadUInt64LittleEndian(eight));
                for (var k = 0; k < 8; k++)
                {
                    dst[(((j * 8) + k) * rowBytes) + g] = (byte)(x >> (8 * k));
                }
            }
        }

        src[(n * typesize)..].CopyTo(dst[(n * typesize)..]);
    }

    /// <summary>Inverts <see cref="Shuffle"/>; requires (size / typesize) % 8 == 0.</summary>
    internal static void Unshuffle(ReadOnlySpan<byte> src, Span<byte> dst, int typesize)
    {
        var n = src.Length / typesize;
        var rowBytes = n / 8;
        for (var j = 0; j < typesize; j++)
        {
            var rows = src.Slice(j * 8 * rowBytes, 8 * rowBytes);
            for (var g = 0; g < rowBytes; g++)
            {
                ulong x = 0;
                for (var k = 0; k < 8; k++)
                {
                    x |= (ulong)rows[(k * rowBytes) + g] << (8 * k);
                }

                x = Transpose8x8(x);
                var baseIndex = (8 * g * typesize) + j;
                for (var m = 0; m < 8; m++)
                {
                    dst[baseIndex + (m * typesize)] = (byte)(x >> (8 * m));
                }
            }
        }

        src[(n * typesize)..].CopyTo(dst[(n * typesize)..]);
    }

    /// <summary>Transposes an 8x8 bit matrix (byte r, bit c) ↔ (byte c, bit r) held in a u64.</summary>
    private static ulong Transpose8x8(ulong x)
    {
        var t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAUL;
        x ^= t ^ (t << 7);
        t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCUL;
        x ^= t ^ (t << 14);
        t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0UL;
        x ^= t ^ (t << 28);
        return x;
    }
}
