using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// Blosc's byte shuffle over one block: with <c>n = size / typesize</c> elements, shuffled byte <c>j * n + i</c> is byte
/// <c>j</c> of element <c>i</c>; the trailing <c>size % typesize</c> bytes are copied unchanged. Unshuffle is vectorized
/// for typesize 2, 4 and 8 with SSE2 unpack instructions (4 and 8 with AVX2 where available); other sizes and other CPUs use the scalar loop.
/// </summary>
internal static class ByteShuffle
{
    /// <summary>Shuffles <paramref name="src"/> into <paramref name="dst"/> (same length).</summary>
    internal static void Shuffle(ReadOnlySpan<byte> src, Span<byte> dst, int typesize)
    {
        var n = src.Length / typesize;
        ref var s = ref MemoryMarshal.GetReference(src);
        ref var d = ref MemoryMarshal.GetReference(dst);
        for (var j = 0; j < typesize; j++)
        {
            ref var row = ref Unsafe.Add(ref d, j * n);
            ref var col = ref Unsafe.Add(ref s, j);
            for (var i = 0; i < n; i++)
            {
                Unsafe.Add(ref row, i) = Unsafe.Add(ref col, i * typesize);
            }
        }

        src[(n * typesize)..].CopyTo(dst[(n * typesize)..]);
    }

    /// <summary>Unshuffles <paramref name="src"/> into <paramref name="dst"/> (same length).</summary>
    internal static void Unshuffle(ReadOnlySpan<byte> src, Span<byte> dst, int typesize)
    {
        if (dst.Length < src.Length)
        {
            throw new ArgumentException("destination too short", nameof(dst));
        }

        var n = src.Length / typesize;
        UnshuffleRange(src, n, 0, n, dst, typesize);
        src[(n * typesize)..].CopyTo(dst[(n * typesize)..]);
    }

    /// <summary>
    /// Unshuffles elements <paramref name="first"/> .. <paramref name="first"/> + <paramref name="count"/> of a shuffled
    /// block of <paramref name="n"/> elements into <paramref name="dst"/> (<paramref name="count"/> ·
    /// <paramref name="typesize"/> bytes), so a block can be consumed a cache-sized piece at a time.
    /// </summary>
    internal static unsafe void UnshuffleRange(ReadOnlySpan<byte> src, int n, int first, int count, Span<byte> dst, int typesize)
    {
        if ((uint)first > (uint)n || (uint)count > (uint)(n - first) || src.Length < (long)n * typesize || dst.Length < (long)count * typesize)
        {
            throw new ArgumentException($"elements {first}..{first + count} of a {n}-element block do not fit the buffers");
        }

        fixed (byte* s = src)
        fixed (byte* d = dst)
        {
            byte** rows = stackalloc byte*[typesize];
            for (int j = 0; j < typesize; j++)
            {
                rows[j] = s + ((long)j * n) + first;
            }

            UnshuffleRows(rows, count, d, typesize);
        }
    }

    /// <summary>
    /// Interleaves <paramref name="typesize"/> byte rows (row <c>j</c> holds byte <c>j</c> of each element; the rows may
    /// lie anywhere, e.g. some in a decompression buffer and some in the compressed frame itself) into
    /// <paramref name="count"/> elements at <paramref name="dst"/>. The caller keeps every row pinned.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void UnshuffleRows(byte** rows, int count, byte* dst, int typesize)
    {
        var done = 0;
        if (Avx2.IsSupported && typesize is 4 or 8)
        {
            done = typesize == 8 ? Unshuffle8Avx2(rows, dst, count) : Unshuffle4Avx2(rows, dst, count);
        }
        else if (Sse2.IsSupported)
        {
            done = typesize switch
            {
                2 => Unshuffle2Sse2(rows, dst, count),
                4 => Unshuffle4Sse2(rows, dst, count),
                8 => Unshuffle8Sse2(rows, dst, count),
                _ => 0,
            };
        }

        for (var j = 0; j < typesize; j++)
        {
            byte* row = rows[j];
            for (var i = done; i < count; i++)
            {
                dst[((long)i * typesize) + j] = row[i];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // not ReadyToRun-compiled: would start at tier 0
    private static unsafe int Unshuffle2Sse2(byte** rows, byte* d, int count)
    {
        var i = 0;
        for (; i + 16 <= count; i += 16)
        {
            var a0 = Vector128.Load(rows[0] + i);
            var a1 = Vector128.Load(rows[1] + i);
            Sse2.UnpackLow(a0, a1).Store(d + (2L * i));
            Sse2.UnpackHigh(a0, a1).Store(d + (2L * i) + 16);
        }

        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // not ReadyToRun-compiled: would start at tier 0
    private static unsafe int Unshuffle4Sse2(byte** rows, byte* d, int count)
    {
        var i = 0;
        for (; i + 16 <= count; i += 16)
        {
            var a0 = Vector128.Load(rows[0] + i);
            var a1 = Vector128.Load(rows[1] + i);
            var a2 = Vector128.Load(rows[2] + i);
            var a3 = Vector128.Load(rows[3] + i);
            var b0 = Sse2.UnpackLow(a0, a1).AsUInt16();
            var b1 = Sse2.UnpackHigh(a0, a1).AsUInt16();
            var b2 = Sse2.UnpackLow(a2, a3).AsUInt16();
            var b3 = Sse2.UnpackHigh(a2, a3).AsUInt16();
            var o = d + (4L * i);
            Sse2.UnpackLow(b0, b2).AsByte().Store(o);
            Sse2.UnpackHigh(b0, b2).AsByte().Store(o + 16);
            Sse2.UnpackLow(b1, b3).AsByte().Store(o + 32);
            Sse2.UnpackHigh(b1, b3).AsByte().Store(o + 48);
        }

        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // not ReadyToRun-compiled: would start at tier 0
    private static unsafe int Unshuffle8Sse2(byte** rows, byte* d, int count)
    {
        var i = 0;
        for (; i + 16 <= count; i += 16)
        {
            // Rows 0..7 hold byte 0..7 of 16 consecutive elements; three rounds of unpacks (8, 16, 32 bits) interleave them.
            var a0 = Vector128.Load(rows[0] + i);
            var a1 = Vector128.Load(rows[1] + i);
            var a2 = Vector128.Load(rows[2] + i);
            var a3 = Vector128.Load(rows[3] + i);
            var a4 = Vector128.Load(rows[4] + i);
            var a5 = Vector128.Load(rows[5] + i);
            var a6 = Vector128.Load(rows[6] + i);
            var a7 = Vector128.Load(rows[7] + i);
            var b0 = Sse2.UnpackLow(a0, a1).AsUInt16();
            var b1 = Sse2.UnpackHigh(a0, a1).AsUInt16();
            var b2 = Sse2.UnpackLow(a2, a3).AsUInt16();
            var b3 = Sse2.UnpackHigh(a2, a3).AsUInt16();
            var b4 = Sse2.UnpackLow(a4, a5).AsUInt16();
            var b5 = Sse2.UnpackHigh(a4, a5).AsUInt16();
            var b6 = Sse2.UnpackLow(a6, a7).AsUInt16();
            var b7 = Sse2.UnpackHigh(a6, a7).AsUInt16();
            var c0 = Sse2.UnpackLow(b0, b2).AsUInt32();
            var c1 = Sse2.UnpackHigh(b0, b2).AsUInt32();
            var c2 = Sse2.UnpackLow(b1, b3).AsUInt32();
            var c3 = Sse2.UnpackHigh(b1, b3).AsUInt32();
            var c4 = Sse2.UnpackLow(b4, b6).AsUInt32();
            var c5 = Sse2.UnpackHigh(b4, b6).AsUInt32();
            var c6 = Sse2.UnpackLow(b5, b7).AsUInt32();
            var c7 = Sse2.UnpackHigh(b5, b7).AsUInt32();
            var o = d + (8L * i);
            Sse2.UnpackLow(c0, c4).AsByte().Store(o);
            Sse2.UnpackHigh(c0, c4).AsByte().Store(o + 16);
            Sse2.UnpackLow(c1, c5).AsByte().Store(o + 32);
            Sse2.UnpackHigh(c1, c5).AsByte().Store(o + 48);
            Sse2.UnpackLow(c2, c6).AsByte().Store(o + 64);
            Sse2.UnpackHigh(c2, c6).AsByte().Store(o + 80);
            Sse2.UnpackLow(c3, c7).AsByte().Store(o + 96);
            Sse2.UnpackHigh(c3, c7).AsByte().Store(o + 112);
        }

        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // not ReadyToRun-compiled: would start at tier 0
    private static unsafe int Unshuffle4Avx2(byte** rows, byte* d, int count)
    {
        var i = 0;
        for (; i + 32 <= count; i += 32)
        {
            // The SSE2 network in both 128-bit lanes (elements i..i+15 and i+16..i+31), then lane permutes restore order.
            var a0 = Vector256.Load(rows[0] + i);
            var a1 = Vector256.Load(rows[1] + i);
            var a2 = Vector256.Load(rows[2] + i);
            var a3 = Vector256.Load(rows[3] + i);
            var b0 = Avx2.UnpackLow(a0, a1).AsUInt16();
            var b1 = Avx2.UnpackHigh(a0, a1).AsUInt16();
            var b2 = Avx2.UnpackLow(a2, a3).AsUInt16();
            var b3 = Avx2.UnpackHigh(a2, a3).AsUInt16();
            var c0 = Avx2.UnpackLow(b0, b2).AsByte();
            var c1 = Avx2.UnpackHigh(b0, b2).AsByte();
            var c2 = Avx2.UnpackLow(b1, b3).AsByte();
            var c3 = Avx2.UnpackHigh(b1, b3).AsByte();
            var o = d + (4L * i);
            Avx2.Permute2x128(c0, c1, 0x20).Store(o);
            Avx2.Permute2x128(c2, c3, 0x20).Store(o + 32);
            Avx2.Permute2x128(c0, c1, 0x31).Store(o + 64);
            Avx2.Permute2x128(c2, c3, 0x31).Store(o + 96);
        }

        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // not ReadyToRun-compiled: would start at tier 0
    private static unsafe int Unshuffle8Avx2(byte** rows, byte* d, int count)
    {
        var i = 0;
        for (; i + 32 <= count; i += 32)
        {
            // Same unpack network as SSE2, run in both 128-bit lanes (elements i..i+15 and i+16..i+31); the final
            // lane permutes put the low-lane results (first 16 elements) before the high-lane ones.
            var a0 = Vector256.Load(rows[0] + i);
            var a1 = Vector256.Load(rows[1] + i);
            var a2 = Vector256.Load(rows[2] + i);
            var a3 = Vector256.Load(rows[3] + i);
            var a4 = Vector256.Load(rows[4] + i);
            var a5 = Vector256.Load(rows[5] + i);
            var a6 = Vector256.Load(rows[6] + i);
            var a7 = Vector256.Load(rows[7] + i);
            var b0 = Avx2.UnpackLow(a0, a1).AsUInt16();
            var b1 = Avx2.UnpackHigh(a0, a1).AsUInt16();
            var b2 = Avx2.UnpackLow(a2, a3).AsUInt16();
            var b3 = Avx2.UnpackHigh(a2, a3).AsUInt16();
            var b4 = Avx2.UnpackLow(a4, a5).AsUInt16();
            var b5 = Avx2.UnpackHigh(a4, a5).AsUInt16();
            var b6 = Avx2.UnpackLow(a6, a7).AsUInt16();
            var b7 = Avx2.UnpackHigh(a6, a7).AsUInt16();
            var c0 = Avx2.UnpackLow(b0, b2).AsUInt32();
            var c1 = Avx2.UnpackHigh(b0, b2).AsUInt32();
            var c2 = Avx2.UnpackLow(b1, b3).AsUInt32();
            var c3 = Avx2.UnpackHigh(b1, b3).AsUInt32();
            var c4 = Avx2.UnpackLow(b4, b6).AsUInt32();
            var c5 = Avx2.UnpackHigh(b4, b6).AsUInt32();
            var c6 = Avx2.UnpackLow(b5, b7).AsUInt32();
            var c7 = Avx2.UnpackHigh(b5, b7).AsUInt32();
            var d0 = Avx2.UnpackLow(c0, c4).AsByte();
            var d1 = Avx2.UnpackHigh(c0, c4).AsByte();
            var d2 = Avx2.UnpackLow(c1, c5).AsByte();
            var d3 = Avx2.UnpackHigh(c1, c5).AsByte();
            var d4 = Avx2.UnpackLow(c2, c6).AsByte();
            var d5 = Avx2.UnpackHigh(c2, c6).AsByte();
            var d6 = Avx2.UnpackLow(c3, c7).AsByte();
            var d7 = Avx2.UnpackHigh(c3, c7).AsByte();
            var o = d + (8L * i);
            Avx2.Permute2x128(d0, d1, 0x20).Store(o);
            Avx2.Permute2x128(d2, d3, 0x20).Store(o + 32);
            Avx2.Permute2x128(d4, d5, 0x20).Store(o + 64);
            Avx2.Permute2x128(d6, d7, 0x20).Store(o + 96);
            Avx2.Permute2x128(d0, d1, 0x31).Store(o + 128);
            Avx2.Permute2x128(d2, d3, 0x31).Store(o + 160);
            Avx2.Permute2x128(d4, d5, 0x31).Store(o + 192);
            Avx2.Permute2x128(d6, d7, 0x31).Store(o + 224);
        }

        return i;
    }
}
