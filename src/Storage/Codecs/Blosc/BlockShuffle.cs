using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// The encoder's byte shuffle of one block (the layout of <see cref="ByteShuffle.Shuffle"/>: shuffled byte
/// <c>j * n + i</c> is byte <c>j</c> of element <c>i</c>), vectorized with SSSE3 for typesize 2, 4 and 8: each step
/// loads 16 elements, gathers each element's byte j with one byte shuffle per 16-byte load, then transposes the
/// resulting 2/4/8-byte groups with unpack instructions and stores 16 bytes per output stream. Other type sizes, other
/// CPUs and the tail elements use <see cref="ByteShuffle"/>'s scalar layout.
/// </summary>
internal static unsafe class BlockShuffle
{
    /// <summary>Shuffles <paramref name="src"/> into <paramref name="dst"/> (at least as long).</summary>
    internal static void Shuffle(ReadOnlySpan<byte> src, Span<byte> dst, int typesize)
    {
        if (dst.Length < src.Length)
        {
            throw new ArgumentException("destination too short", nameof(dst));
        }

        int n = src.Length / typesize;
        if (!Ssse3.IsSupported || typesize is not (2 or 4 or 8) || n < 16)
        {
            ByteShuffle.Shuffle(src, dst[..src.Length], typesize);
            return;
        }

        fixed (byte* s = src)
        fixed (byte* d = dst)
        {
            int done = typesize switch
            {
                2 => Shuffle2(s, d, n),
                4 => Avx2.IsSupported ? Shuffle4Avx2(s, d, n) : Shuffle4(s, d, n),
                _ => Avx2.IsSupported ? Shuffle8Avx2(s, d, n) : Shuffle8(s, d, n),
            };

            for (int j = 0; j < typesize; j++)
            {
                byte* row = d + ((long)j * n);
                for (int i = done; i < n; i++)
                {
                    row[i] = s[((long)i * typesize) + j];
                }
            }
        }

        src[(n * typesize)..].CopyTo(dst[(n * typesize)..]);
    }

    // 16 elements (32 bytes) per step: [low bytes of 8 | high bytes of 8] per load, then the two halves of both loads.
    private static int Shuffle2(byte* s, byte* d, int n)
    {
        var mask = Vector128.Create((byte)0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
        int i = 0;
        for (; i + 16 <= n; i += 16)
        {
            byte* p = s + ((long)i * 2);
            var w0 = Ssse3.Shuffle(Sse2.LoadVector128(p), mask).AsInt64();
            var w1 = Ssse3.Shuffle(Sse2.LoadVector128(p + 16), mask).AsInt64();
            Sse2.Store(d + i, Sse2.UnpackLow(w0, w1).AsByte());
            Sse2.Store(d + n + i, Sse2.UnpackHigh(w0, w1).AsByte());
        }

        return i;
    }

    // 16 elements (64 bytes) per step: each load becomes four 4-byte groups (byte j of its 4 elements), then a 4 × 4
    // transpose of those groups over the four loads.
    private static int Shuffle4(byte* s, byte* d, int n)
    {
        var mask = Vector128.Create((byte)0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
        int i = 0;
        for (; i + 16 <= n; i += 16)
        {
            byte* p = s + ((long)i * 4);
            var w0 = Ssse3.Shuffle(Sse2.LoadVector128(p), mask).AsInt32();
            var w1 = Ssse3.Shuffle(Sse2.LoadVector128(p + 16), mask).AsInt32();
            var w2 = Ssse3.Shuffle(Sse2.LoadVector128(p + 32), mask).AsInt32();
            var w3 = Ssse3.Shuffle(Sse2.LoadVector128(p + 48), mask).AsInt32();
            var a0 = Sse2.UnpackLow(w0, w1).AsInt64();  // groups 0, 1 of loads 0, 1
            var a1 = Sse2.UnpackHigh(w0, w1).AsInt64(); // groups 2, 3 of loads 0, 1
            var a2 = Sse2.UnpackLow(w2, w3).AsInt64();
            var a3 = Sse2.UnpackHigh(w2, w3).AsInt64();
            Sse2.Store(d + i, Sse2.UnpackLow(a0, a2).AsByte());
            Sse2.Store(d + n + i, Sse2.UnpackHigh(a0, a2).AsByte());
            Sse2.Store(d + (2L * n) + i, Sse2.UnpackLow(a1, a3).AsByte());
            Sse2.Store(d + (3L * n) + i, Sse2.UnpackHigh(a1, a3).AsByte());
        }

        return i;
    }

    // 16 elements (128 bytes) per step: each load (2 elements) becomes eight 2-byte groups (byte j of both elements),
    // then an 8 × 8 transpose of those groups over the eight loads (16-, 32-, then 64-bit unpacks).
    private static int Shuffle8(byte* s, byte* d, int n)
    {
        var mask = Vector128.Create((byte)0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15);
        int i = 0;
        for (; i + 16 <= n; i += 16)
        {
            byte* p = s + ((long)i * 8);
            var w0 = Ssse3.Shuffle(Sse2.LoadVector128(p), mask).AsInt16();
            var w1 = Ssse3.Shuffle(Sse2.LoadVector128(p + 16), mask).AsInt16();
            var w2 = Ssse3.Shuffle(Sse2.LoadVector128(p + 32), mask).AsInt16();
            var w3 = Ssse3.Shuffle(Sse2.LoadVector128(p + 48), mask).AsInt16();
            var w4 = Ssse3.Shuffle(Sse2.LoadVector128(p + 64), mask).AsInt16();
            var w5 = Ssse3.Shuffle(Sse2.LoadVector128(p + 80), mask).AsInt16();
            var w6 = Ssse3.Shuffle(Sse2.LoadVector128(p + 96), mask).AsInt16();
            var w7 = Ssse3.Shuffle(Sse2.LoadVector128(p + 112), mask).AsInt16();

            // a: groups 0–3 (low) or 4–7 (high) of two loads, interleaved
            var a0 = Sse2.UnpackLow(w0, w1).AsInt32();
            var a1 = Sse2.UnpackHigh(w0, w1).AsInt32();
            var a2 = Sse2.UnpackLow(w2, w3).AsInt32();
            var a3 = Sse2.UnpackHigh(w2, w3).AsInt32();
            var a4 = Sse2.UnpackLow(w4, w5).AsInt32();
            var a5 = Sse2.UnpackHigh(w4, w5).AsInt32();
            var a6 = Sse2.UnpackLow(w6, w7).AsInt32();
            var a7 = Sse2.UnpackHigh(w6, w7).AsInt32();

            // b: two groups (j, j + 1) of four loads each
            var b0 = Sse2.UnpackLow(a0, a2).AsInt64();  // groups 0, 1 of loads 0–3
            var b1 = Sse2.UnpackHigh(a0, a2).AsInt64(); // groups 2, 3
            var b2 = Sse2.UnpackLow(a1, a3).AsInt64();  // groups 4, 5
            var b3 = Sse2.UnpackHigh(a1, a3).AsInt64(); // groups 6, 7
            var b4 = Sse2.UnpackLow(a4, a6).AsInt64();  // the same for loads 4–7
            var b5 = Sse2.UnpackHigh(a4, a6).AsInt64();
            var b6 = Sse2.UnpackLow(a5, a7).AsInt64();
            var b7 = Sse2.UnpackHigh(a5, a7).AsInt64();

            Sse2.Store(d + i, Sse2.UnpackLow(b0, b4).AsByte());
            Sse2.Store(d + n + i, Sse2.UnpackHigh(b0, b4).AsByte());
            Sse2.Store(d + (2L * n) + i, Sse2.UnpackLow(b1, b5).AsByte());
            Sse2.Store(d + (3L * n) + i, Sse2.UnpackHigh(b1, b5).AsByte());
            Sse2.Store(d + (4L * n) + i, Sse2.UnpackLow(b2, b6).AsByte());
            Sse2.Store(d + (5L * n) + i, Sse2.UnpackHigh(b2, b6).AsByte());
            Sse2.Store(d + (6L * n) + i, Sse2.UnpackLow(b3, b7).AsByte());
            Sse2.Store(d + (7L * n) + i, Sse2.UnpackHigh(b3, b7).AsByte());
        }

        return i;
    }

    // The SSSE3 networks below run in both 128-bit lanes at once: lane 0 holds the loads of elements i..i+15, lane 1
    // those of i+16..i+31, so every output vector is 32 consecutive bytes of one stream.
    private static int Shuffle4Avx2(byte* s, byte* d, int n)
    {
        var m = Vector128.Create((byte)0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
        var mask = Vector256.Create(m, m);
        int i = 0;
        for (; i + 32 <= n; i += 32)
        {
            byte* p = s + ((long)i * 4);
            var w0 = Avx2.Shuffle(Vector256.Create(Vector128.Load(p), Vector128.Load(p + 64)), mask).AsInt32();
            var w1 = Avx2.Shuffle(Vector256.Create(Vector128.Load(p + 16), Vector128.Load(p + 80)), mask).AsInt32();
            var w2 = Avx2.Shuffle(Vector256.Create(Vector128.Load(p + 32), Vector128.Load(p + 96)), mask).AsInt32();
            var w3 = Avx2.Shuffle(Vector256.Create(Vector128.Load(p + 48), Vector128.Load(p + 112)), mask).AsInt32();
            var a0 = Avx2.UnpackLow(w0, w1).AsInt64();
            var a1 = Avx2.UnpackHigh(w0, w1).AsInt64();
            var a2 = Avx2.UnpackLow(w2, w3).AsInt64();
            var a3 = Avx2.UnpackHigh(w2, w3).AsInt64();
            Avx.Store(d + i, Avx2.UnpackLow(a0, a2).AsByte());
            Avx.Store(d + n + i, Avx2.UnpackHigh(a0, a2).AsByte());
            Avx.Store(d + (2L * n) + i, Avx2.UnpackLow(a1, a3).AsByte());
            Avx.Store(d + (3L * n) + i, Avx2.UnpackHigh(a1, a3).AsByte());
        }

        return i;
    }

    private static int Shuffle8Avx2(byte* s, byte* d, int n)
    {
        var m = Vector128.Create((byte)0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15);
        var mask = Vector256.Create(m, m);
        int i = 0;
        for (; i + 32 <= n; i += 32)
        {
            byte* p = s + ((long)i * 8);
            var w0 = Avx2.Shuffle(Vector256.Create(Vector128.Load(p), Vector128.Load(p + 128)), mask).AsInt16();
            var w1 = Avx2.Shuffle(Vector256.Create(Vector128.Load(p + 16), Vector128.Load(p + 144)), mask).AsInt16();
            var w2 = Avx2.Shuffle(Vector256.Create(Vector128.Load(p + 32), Vector128.Load(p + 160)), mask).AsInt16();
            var w3 = Avx2.Shuffle(Vector256.Create(Vector128.Load(p + 48), Vector128.Load(p + 176)), mask).AsInt16();
            var w4 = Avx2.Shuffle(Vector256.Create(Vector128.Load(p + 64), Vector128.Load(p + 192)), mask).AsInt16();
            var w5 = Avx2.Shuffle(Vector256.Create(Vector128.Load(p + 80), Vector128.Load(p + 208)), mask).AsInt16();
            var w6 = Avx2.Shuffle(Vector256.Create(Vector128.Load(p + 96), Vector128.Load(p + 224)), mask).AsInt16();
            var w7 = Avx2.Shuffle(Vector256.Create(Vector128.Load(p + 112), Vector128.Load(p + 240)), mask).AsInt16();
            var a0 = Avx2.UnpackLow(w0, w1).AsInt32();
            var a1 = Avx2.UnpackHigh(w0, w1).AsInt32();
            var a2 = Avx2.UnpackLow(w2, w3).AsInt32();
            var a3 = Avx2.UnpackHigh(w2, w3).AsInt32();
            var a4 = Avx2.UnpackLow(w4, w5).AsInt32();
            var a5 = Avx2.UnpackHigh(w4, w5).AsInt32();
            var a6 = Avx2.UnpackLow(w6, w7).AsInt32();
            var a7 = Avx2.UnpackHigh(w6, w7).AsInt32();
            var b0 = Avx2.UnpackLow(a0, a2).AsInt64();
            var b1 = Avx2.UnpackHigh(a0, a2).AsInt64();
            var b2 = Avx2.UnpackLow(a1, a3).AsInt64();
            var b3 = Avx2.UnpackHigh(a1, a3).AsInt64();
            var b4 = Avx2.UnpackLow(a4, a6).AsInt64();
            var b5 = Avx2.UnpackHigh(a4, a6).AsInt64();
            var b6 = Avx2.UnpackLow(a5, a7).AsInt64();
            var b7 = Avx2.UnpackHigh(a5, a7).AsInt64();
            Avx.Store(d + i, Avx2.UnpackLow(b0, b4).AsByte());
            Avx.Store(d + n + i, Avx2.UnpackHigh(b0, b4).AsByte());
            Avx.Store(d + (2L * n) + i, Avx2.UnpackLow(b1, b5).AsByte());
            Avx.Store(d + (3L * n) + i, Avx2.UnpackHigh(b1, b5).AsByte());
            Avx.Store(d + (4L * n) + i, Avx2.UnpackLow(b2, b6).AsByte());
            Avx.Store(d + (5L * n) + i, Avx2.UnpackHigh(b2, b6).AsByte());
            Avx.Store(d + (6L * n) + i, Avx2.UnpackLow(b3, b7).AsByte());
            Avx.Store(d + (7L * n) + i, Avx2.UnpackHigh(b3, b7).AsByte());
        }

        return i;
    }
}
