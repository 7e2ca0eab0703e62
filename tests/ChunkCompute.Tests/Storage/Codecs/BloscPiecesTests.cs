using System.Buffers;
using Xunit;
using ChunkCompute.Storage.Codecs;

namespace ChunkCompute.Tests.Storage.Codecs;

/// <summary>
/// <see cref="BloscCodec.TryOpenPieces"/> hands out a Blosc chunk in pieces: they must tile the chunk in order, hold whole elements,
/// and equal the whole-frame decode, for every shuffle, element size and block size; the range unshuffle must equal
/// the whole-block unshuffle.
/// </summary>
public sealed class BloscPiecesTests
{
    public static TheoryData<int, BloscShuffle, int, int> Frames()
    {
        var data = new TheoryData<int, BloscShuffle, int, int>();
        foreach (int typesize in new[] { 1, 2, 3, 4, 8, 16 })
        {
            foreach (var shuffle in new[] { BloscShuffle.Shuffle, BloscShuffle.BitShuffle, BloscShuffle.NoShuffle })
            {
                foreach (int blockSize in new[] { 0, 4800, 48_000 })
                {
                    data.Add(typesize, shuffle, blockSize, 5);
                }
            }

            data.Add(typesize, BloscShuffle.Shuffle, 0, 0);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Frames))]
    public void Pieces_TileTheChunk_AndEqualTheWholeDecode(int typesize, BloscShuffle shuffle, int blockSize, int level)
    {
        int elements = 25_000;
        var rng = new Random(typesize * 31 + blockSize);
        var decoded = new byte[elements * typesize];
        for (int i = 0; i < elements; i++)
        {
            // Compressible but not constant: small values in the low bytes.
            decoded[(i * typesize) + (i % typesize)] = (byte)rng.Next(16);
        }

        var codec = new BloscCodec(BloscCompressor.Lz4, level, shuffle, typesize, blockSize);
        var frame = codec.Encode(decoded);
        using var reader = codec.TryOpenPieces(EncodedBytes.FromMemory(new Owner(frame)), decoded.Length, typesize);
        Assert.NotNull(reader);

        var seen = new byte[decoded.Length];
        long next = 0;
        int pieces = 0;
        while (reader.TryRead(out var piece, out long offset))
        {
            Assert.Equal(next, offset);
            Assert.Equal(0, piece.Length % typesize);
            piece.CopyTo(seen.AsSpan((int)offset));
            next += piece.Length;
            pieces++;
        }

        Assert.Equal(decoded.Length, next);
        Assert.Equal(decoded, seen);
        if (shuffle == BloscShuffle.Shuffle && typesize > 1 && level > 0)
        {
            Assert.True(pieces >= decoded.Length / ChunkPieces.PieceBytes, $"{pieces} pieces for {decoded.Length} bytes");
        }
    }

    [Theory]
    [InlineData(8, 0)]
    [InlineData(8, 40_000)]
    [InlineData(4, 0)]
    [InlineData(2, 24_000)]
    public void Pieces_OfPartlyIncompressibleBlocks_ReadRawSplitsInPlace(int typesize, int blockSize)
    {
        // Random low bytes (stored raw: read straight from the frame) and constant high bytes (compressed).
        int elements = 60_000;
        var rng = new Random(typesize + blockSize);
        var decoded = new byte[elements * typesize];
        for (int i = 0; i < elements; i++)
        {
            decoded[i * typesize] = (byte)rng.Next(256);
            decoded[(i * typesize) + typesize - 1] = 0x40;
        }

        var codec = new BloscCodec(BloscCompressor.Lz4, 5, BloscShuffle.Shuffle, typesize, blockSize);
        var frame = codec.Encode(decoded);
        using var reader = codec.TryOpenPieces(EncodedBytes.FromMemory(new Owner(frame)), decoded.Length, typesize);
        Assert.NotNull(reader);
        var seen = new byte[decoded.Length];
        while (reader.TryRead(out var piece, out long offset))
        {
            piece.CopyTo(seen.AsSpan((int)offset));
        }

        Assert.Equal(decoded, seen);
    }

    [Fact]
    public void TryOpen_DeclinesFramesOfAnotherSize_AndBlocksThatCutElements()
    {
        var decoded = new byte[8000];
        var codec = new BloscCodec(BloscCompressor.Lz4, 5, BloscShuffle.NoShuffle, 1, 1000);
        var frame = codec.Encode(decoded);
        Assert.Null(codec.TryOpenPieces(EncodedBytes.FromMemory(frame), 4000, 1));   // wrong size
        Assert.Null(codec.TryOpenPieces(EncodedBytes.FromMemory(frame), 8000, 16));  // 1000-byte blocks cut 16-byte elements
        Assert.Null(codec.TryOpenPieces(EncodedBytes.FromMemory(new byte[] { 1, 2, 3 }), 8000, 1)); // not a frame
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(8)]
    public void UnshuffleRange_EqualsWholeBlockUnshuffle(int typesize)
    {
        int n = 1000;
        var rng = new Random(typesize);
        var shuffled = new byte[n * typesize];
        rng.NextBytes(shuffled);
        var whole = new byte[shuffled.Length];
        ByteShuffle.Unshuffle(shuffled, whole, typesize);
        foreach (var (first, count) in new[] { (0, n), (0, 31), (5, 64), (17, 500), (999, 1), (n, 0), (300, 700) })
        {
            var part = new byte[count * typesize];
            ByteShuffle.UnshuffleRange(shuffled, n, first, count, part, typesize);
            Assert.Equal(whole.AsSpan(first * typesize, count * typesize).ToArray(), part);
        }
    }

    private sealed class Owner(byte[] bytes) : IMemoryOwner<byte>
    {
        public Memory<byte> Memory => bytes;

        public void Dispose()
        {
        }
    }
}
