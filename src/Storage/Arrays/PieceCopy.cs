using ChunkCompute.Storage.Codecs;

namespace ChunkCompute.Storage.Arrays;

/// <summary>
/// Copies a box of a chunk into a region buffer from the chunk's decoded pieces (<see cref="ChunkPieces"/>), so a
/// partial read never decodes the whole chunk into a temporary: each piece is copied while it is in cache, row by row.
/// </summary>
internal static unsafe class PieceCopy
{
    /// <summary>
    /// Reads every piece of <paramref name="pieces"/> (a chunk of shape <paramref name="chunkShape"/>) and copies the
    /// part inside the box (<paramref name="srcStart"/>, <paramref name="extent"/>) to <paramref name="dst"/> (shape
    /// <paramref name="dstShape"/>) at <paramref name="dstStart"/>. Returns false when the pieces ended before
    /// covering the box.
    /// </summary>
    public static bool Copy(
        ChunkPieces pieces, ReadOnlySpan<long> chunkShape, ReadOnlySpan<long> srcStart, ReadOnlySpan<long> extent,
        byte* dst, ReadOnlySpan<long> dstShape, ReadOnlySpan<long> dstStart, int elementSize)
    {
        int rank = chunkShape.Length;
        long rowLength = chunkShape[rank - 1];
        long c0 = srcStart[rank - 1], c1 = c0 + extent[rank - 1];

        // The box's last element (C order): once the pieces pass it, the rest of the chunk is not needed.
        long last = 0;
        for (int d = 0; d < rank; d++)
        {
            last = (last * chunkShape[d]) + srcStart[d] + extent[d] - 1;
        }

        long covered = 0;
        while (covered <= last && pieces.TryRead(out var piece, out long offset))
        {
            long e0 = offset / elementSize, e1 = e0 + (piece.Length / elementSize);
            covered = e1;
            fixed (byte* p = piece)
            {
                for (long row = e0 / rowLength; row * rowLength < e1; row++)
                {
                    long rowStart = row * rowLength;
                    long lo = Math.Max(rowStart + c0, e0), hi = Math.Min(rowStart + c1, e1);
                    if (lo >= hi)
                    {
                        continue;
                    }

                    // The row's index along the leading dimensions: inside the box, and where it goes.
                    long r = row, at = 0, stride = dstShape[rank - 1];
                    bool inside = true;
                    for (int d = rank - 2; d >= 0; d--)
                    {
                        long i = r % chunkShape[d];
                        r /= chunkShape[d];
                        if (i < srcStart[d] || i >= srcStart[d] + extent[d])
                        {
                            inside = false;
                            break;
                        }

                        at += (i - srcStart[d] + dstStart[d]) * stride;
                        stride *= dstShape[d];
                    }

                    if (!inside)
                    {
                        continue;
                    }

                    at += lo - rowStart - c0 + dstStart[rank - 1];
                    long bytes = (hi - lo) * elementSize;
                    Buffer.MemoryCopy(p + ((lo - e0) * elementSize), dst + (at * elementSize), bytes, bytes);
                }
            }
        }

        return covered > last;
    }
}
