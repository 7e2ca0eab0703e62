using ChunkCompute.Storage.Codecs;
using Xunit;

namespace ChunkCompute.Tests.Storage.Codecs;

/// <summary>
/// The byte-shuffle kernels (<see cref="BlockShuffle"/> for encoding, <see cref="ByteShuffle"/>'s unshuffles for
/// decoding) against a reference written from Blosc's layout definition: with <c>n = size / typesize</c>, shuffled
/// byte <c>j·n + i</c> is byte <c>j</c> of element <c>i</c>, and the trailing <c>size % typesize</c> bytes are copied.
/// Lengths straddle every vector width (16 and 32 elements per step) so the SIMD bodies and their scalar tails are both
/// exercised. These run in-process (the machine's best instruction set) and, through <c>SimdChildProcessTests</c>, with
/// AVX-512, AVX2, AVX, SSE4.2 and all intrinsics switched off in turn.
/// </summary>
public sealed class ShuffleKernelTests
{
    private static readonly int[] TypeSizes = [1, 2, 3, 4, 5, 7, 8, 12, 16];

    private static readonly int[] Elements = [0, 1, 2, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 100, 255, 256, 257, 1023];

    private static byte[] ReferenceShuffle(byte[] src, int typesize)
    {
        int n = src.Length / typesize;
        var dst = new byte[src.Length];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < typesize; j++)
            {
                dst[(j * n) + i] = src[(i * typesize) + j];
            }
        }

        Array.Copy(src, n * typesize, dst, n * typesize, src.Length - (n * typesize));
        return dst;
    }

    private static byte[] Random(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void BlockShuffle_IsTheReferenceLayout_ForEveryTypeSizeAndLength()
    {
        foreach (int ts in TypeSizes)
        {
            foreach (int n in Elements)
            {
                foreach (int tail in new[] { 0, ts - 1 })
                {
                    var src = Random((n * ts) + tail, (ts * 10007) + n);
                    var dst = new byte[src.Length + 3];
                    dst.AsSpan(src.Length).Fill(0xA5);
                    BlockShuffle.Shuffle(src, dst, ts);
                    Assert.True(ReferenceShuffle(src, ts).AsSpan().SequenceEqual(dst.AsSpan(0, src.Length)), $"typesize {ts}, {n} elements, {tail} trailing bytes");
                    Assert.All(dst[src.Length..], b => Assert.Equal(0xA5, b));
                }
            }
        }
    }

    [Fact]
    public void ByteShuffle_ShuffleAndUnshuffle_AreTheReferenceLayoutAndItsInverse()
    {
        foreach (int ts in TypeSizes)
        {
            foreach (int n in Elements)
            {
                var src = Random((n * ts) + (ts / 2), (ts * 31) + n);
                var shuffled = new byte[src.Length];
                ByteShuffle.Shuffle(src, shuffled, ts);
                Assert.Equal(ReferenceShuffle(src, ts), shuffled);

                var back = new byte[src.Length];
                ByteShuffle.Unshuffle(shuffled, back, ts);
                Assert.True(src.AsSpan().SequenceEqual(back), $"typesize {ts}, {n} elements");
            }
        }
    }

    [Fact]
    public void UnshuffleRange_GivesEachPiece_AtEveryOffset()
    {
        foreach (int ts in new[] { 2, 3, 4, 8 })
        {
            const int n = 200;
            var src = Random(n * ts, ts);
            var shuffled = ReferenceShuffle(src, ts);
            foreach (var (first, count) in new[] { (0, n), (0, 17), (1, 16), (3, 33), (17, 64), (100, 100), (199, 1), (200, 0) })
            {
                var piece = new byte[(count * ts) + 2];
                ByteShuffle.UnshuffleRange(shuffled, n, first, count, piece, ts);
                Assert.True(src.AsSpan(first * ts, count * ts).SequenceEqual(piece.AsSpan(0, count * ts)), $"typesize {ts}, elements {first}..{first + count}");
                Assert.Equal(0, piece[^1]);
            }

            var ex = Assert.Throws<ArgumentException>(() => ByteShuffle.UnshuffleRange(shuffled, n, 150, 51, new byte[51 * ts], ts));
            Assert.Contains("150..201", ex.Message, StringComparison.Ordinal);
        }
    }
}
