namespace ChunkCompute.Storage.Arrays;

/// <summary>
/// Copies an n-dimensional box of elements between two C-order buffers of different shapes. Trailing dimensions that
/// both buffers hold whole are merged, so whole-row and whole-chunk copies become a few large memcpys.
/// Works on pointers because destinations may exceed 2 GiB (a <see cref="Span{T}"/> of bytes cannot).
/// </summary>
public static unsafe class NdCopy
{
    /// <summary>Copies <paramref name="extent"/> elements from src at srcStart to dst at dstStart.</summary>
    public static void Copy(
        byte* src, ReadOnlySpan<long> srcShape, ReadOnlySpan<long> srcStart,
        byte* dst, ReadOnlySpan<long> dstShape, ReadOnlySpan<long> dstStart,
        ReadOnlySpan<long> extent, int elementSize)
    {
        int rank = extent.Length;
        if (rank == 0)
        {
            Buffer.MemoryCopy(src, dst, elementSize, elementSize);
            return;
        }

        foreach (var e in extent)
        {
            if (e == 0)
            {
                return;
            }
        }

        Span<long> srcStride = stackalloc long[rank];
        Span<long> dstStride = stackalloc long[rank];
        long ss = elementSize, ds = elementSize;
        long srcOff = 0, dstOff = 0;
        for (int d = rank - 1; d >= 0; d--)
        {
            srcStride[d] = ss;
            dstStride[d] = ds;
            srcOff += srcStart[d] * ss;
            dstOff += dstStart[d] * ds;
            ss *= srcShape[d];
            ds *= dstShape[d];
        }

        // Merge trailing dimensions that are whole in the box, the source and the destination.
        long run = extent[rank - 1] * elementSize;
        int outer = rank - 1; // dimensions [0, outer) are iterated
        bool innerWhole = extent[rank - 1] == srcShape[rank - 1] && extent[rank - 1] == dstShape[rank - 1];
        while (outer > 0 && innerWhole)
        {
            int d = outer - 1;
            run *= extent[d];
            innerWhole = extent[d] == srcShape[d] && extent[d] == dstShape[d];
            outer--;
        }

        byte* s = src + srcOff;
        byte* t = dst + dstOff;
        if (outer == 0)
        {
            Buffer.MemoryCopy(s, t, run, run);
            return;
        }

        Span<long> index = stackalloc long[outer];
        while (true)
        {
            Buffer.MemoryCopy(s, t, run, run);
            int d = outer - 1;
            while (true)
            {
                index[d]++;
                s += srcStride[d];
                t += dstStride[d];
                if (index[d] < extent[d])
                {
                    break;
                }

                s -= srcStride[d] * extent[d];
                t -= dstStride[d] * extent[d];
                index[d] = 0;
                if (--d < 0)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Fills a box (<paramref name="start"/>, <paramref name="extent"/>) of a C-order block of shape
    /// <paramref name="shape"/> with copies of one element.
    /// </summary>
    public static void FillBox(Span<byte> block, ReadOnlySpan<long> shape, ReadOnlySpan<long> start, ReadOnlySpan<long> extent, ReadOnlySpan<byte> element)
    {
        int rank = shape.Length;
        int es = element.Length;
        if (rank == 0)
        {
            FillPattern(block[..es], element);
            return;
        }

        for (int d = 0; d < rank; d++)
        {
            if (extent[d] <= 0)
            {
                return;
            }
        }

        Span<long> index = stackalloc long[rank];
        start.CopyTo(index);
        int run = checked((int)(extent[rank - 1] * es));
        while (true)
        {
            long offset = 0;
            for (int d = 0; d < rank; d++)
            {
                offset = (offset * shape[d]) + index[d];
            }

            FillPattern(block.Slice(checked((int)(offset * es)), run), element);
            int k = rank - 2;
            while (k >= 0 && ++index[k] >= start[k] + extent[k])
            {
                index[k] = start[k];
                k--;
            }

            if (k < 0)
            {
                return;
            }
        }
    }

    /// <summary>Fills <paramref name="destination"/> with copies of one element.</summary>
    public static void FillPattern(Span<byte> destination, ReadOnlySpan<byte> element)
    {
        switch (element.Length)
        {
            case 1:
                destination.Fill(element[0]);
                return;
            case 2:
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(destination).Fill(BitConverter.ToUInt16(element));
                return;
            case 4:
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(destination).Fill(BitConverter.ToUInt32(element));
                return;
            case 8:
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(destination).Fill(BitConverter.ToUInt64(element));
                return;
            default:
                for (int i = 0; i + element.Length <= destination.Length; i += element.Length)
                {
                    element.CopyTo(destination[i..]);
                }

                return;
        }
    }

    /// <summary>True when every element of <paramref name="data"/> equals <paramref name="element"/> bitwise.</summary>
    public static bool IsAllPattern(ReadOnlySpan<byte> data, ReadOnlySpan<byte> element)
    {
        switch (element.Length)
        {
            case 1:
                return !data.ContainsAnyExcept(element[0]);
            case 2:
                return !System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(data).ContainsAnyExcept(BitConverter.ToUInt16(element));
            case 4:
                return !System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(data).ContainsAnyExcept(BitConverter.ToUInt32(element));
            case 8:
                return !System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(data).ContainsAnyExcept(BitConverter.ToUInt64(element));
            default:
                for (int i = 0; i + element.Length <= data.Length; i += element.Length)
                {
                    if (!data.Slice(i, element.Length).SequenceEqual(element))
                    {
                        return false;
                    }
                }

                return true;
        }
    }
}
