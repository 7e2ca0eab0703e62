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
        while (true)
        {
            // The next element the box needs, and the rest of its run in that row: the decoder may skip to it.
            long next = NextInBox(covered, chunkShape, srcStart, extent);
            if (next < 0)
            {
                break;
            }

            long run = (next - (next % rowLength) + c1 - next) * elementSize;
            if (!pieces.TryReadFrom(next * elementSize, (int)Math.Min(run, int.MaxValue), out var piece, out long offset))
            {
                break;
            }

            long e0 = offset / elementSize, e1 = e0 + (piece.Length / elementSize);
            covered = Math.Max(covered, e1);
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

    /// <summary>
    /// The first element at or after <paramref name="at"/> (C order in a chunk of <paramref name="shape"/>) inside the
    /// box, or -1 when there is none.
    /// </summary>
    internal static long NextInBox(long at, ReadOnlySpan<long> shape, ReadOnlySpan<long> start, ReadOnlySpan<long> extent)
    {
        int rank = shape.Length;
        Span<long> index = stackalloc long[rank];
        long rest = at;
        for (int d = rank - 1; d >= 0; d--)
        {
            index[d] = rest % shape[d];
            rest /= shape[d];
        }

        if (rest > 0)
        {
            return -1; // past the chunk
        }

        for (int d = 0; d < rank; d++)
        {
            if (index[d] < start[d])
            {
                // Everything after dimension d starts at the box's start.
                for (int k = d; k < rank; k++)
                {
                    index[k] = start[k];
                }

                return Compose(index, shape);
            }

            if (index[d] >= start[d] + extent[d])
            {
                // Past the box along d: carry into the last earlier dimension that can still grow within the box.
                int k = d - 1;
                while (k >= 0 && index[k] + 1 >= start[k] + extent[k])
                {
                    k--;
                }

                if (k < 0)
                {
                    return -1;
                }

                index[k]++;
                for (int j = k + 1; j < rank; j++)
                {
                    index[j] = start[j];
                }

                return Compose(index, shape);
            }
        }

        return Compose(index, shape);
    }

    private static long Compose(ReadOnlySpan<long> index, ReadOnlySpan<long> shape)
    {
        long e = 0;
        for (int d = 0; d < shape.Length; d++)
        {
            e = (e * shape[d]) + index[d];
        }

        return e;
    }
}
