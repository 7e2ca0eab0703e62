using System.Runtime.CompilerServices;

namespace ChunkCompute.Ops;

/// <summary>
/// Expands a stretched operand's chunk to the output chunk's shape (C order), once per chunk, so the fused kernel
/// reads every leaf as a flat run of the output's length.
/// </summary>
internal static unsafe class BroadcastExpander
{
    /// <summary>
    /// Writes the broadcast of <paramref name="source"/> (shape <paramref name="sourceShape"/>, trailing-aligned) to
    /// <paramref name="destination"/> of shape <paramref name="outputShape"/>.
    /// </summary>
    public static void Expand(byte* source, ReadOnlySpan<int> sourceShape, byte* destination, ReadOnlySpan<int> outputShape, int elementSize)
    {
        int rank = outputShape.Length;
        long total = 1;
        foreach (int s in outputShape)
        {
            total *= s;
        }

        if (total == 0)
        {
            return;
        }

        if (rank == 0)
        {
            Unsafe.CopyBlockUnaligned(destination, source, (uint)elementSize);
            return;
        }

        // Element strides of the source seen through the output's dimensions: 0 where it is stretched.
        Span<long> strides = stackalloc long[rank];
        int offset = rank - sourceShape.Length;
        long stride = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            int sd = d - offset;
            int size = sd >= 0 ? sourceShape[sd] : 1;
            strides[d] = size == 1 ? 0 : stride;
            stride *= size;
        }

        int inner = outputShape[rank - 1];
        long rowBytes = (long)inner * elementSize;
        Span<int> index = stackalloc int[rank];
        long rows = total / inner;
        byte* dst = destination;
        for (long r = 0; r < rows; r++)
        {
            long from = 0;
            for (int d = 0; d < rank - 1; d++)
            {
                from += index[d] * strides[d];
            }

            byte* src = source + (from * elementSize);
            if (strides[rank - 1] == 0)
            {
                for (int i = 0; i < inner; i++)
                {
                    Unsafe.CopyBlockUnaligned(dst + ((long)i * elementSize), src, (uint)elementSize);
                }
            }
            else
            {
                Buffer.MemoryCopy(src, dst, rowBytes, rowBytes);
            }

            dst += rowBytes;
            for (int d = rank - 2; d >= 0; d--)
            {
                if (++index[d] < outputShape[d])
                {
                    break;
                }

                index[d] = 0;
            }
        }
    }
}
