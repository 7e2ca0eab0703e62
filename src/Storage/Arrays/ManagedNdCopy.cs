namespace ChunkCompute.Storage.Arrays;

/// <summary>Box copies and fills between C-order managed arrays (string chunks), the managed twin of <see cref="NdCopy"/>.</summary>
internal static class ManagedNdCopy
{
    /// <summary>Copies <paramref name="extent"/> elements from src at srcStart to dst at dstStart.</summary>
    public static void Copy<T>(
        T[] src, ReadOnlySpan<long> srcShape, ReadOnlySpan<long> srcStart,
        T[] dst, ReadOnlySpan<long> dstShape, ReadOnlySpan<long> dstStart, ReadOnlySpan<long> extent)
    {
        int rank = extent.Length;
        if (rank == 0)
        {
            dst[0] = src[0];
            return;
        }

        foreach (var e in extent)
        {
            if (e == 0)
            {
                return;
            }
        }

        Span<long> index = stackalloc long[rank];
        int row = checked((int)extent[rank - 1]);
        while (true)
        {
            long s = 0, d = 0;
            for (int k = 0; k < rank; k++)
            {
                s = (s * srcShape[k]) + srcStart[k] + index[k];
                d = (d * dstShape[k]) + dstStart[k] + index[k];
            }

            Array.Copy(src, s, dst, d, row);
            int j = rank - 2;
            while (j >= 0 && ++index[j] >= extent[j])
            {
                index[j] = 0;
                j--;
            }

            if (j < 0)
            {
                return;
            }
        }
    }

    /// <summary>Sets the box at <paramref name="start"/> of <paramref name="extent"/> in a block of <paramref name="shape"/> to <paramref name="value"/>.</summary>
    public static void FillBox<T>(T[] block, ReadOnlySpan<long> shape, ReadOnlySpan<long> start, ReadOnlySpan<long> extent, T value)
    {
        int rank = extent.Length;
        if (rank == 0)
        {
            block[0] = value;
            return;
        }

        foreach (var e in extent)
        {
            if (e == 0)
            {
                return;
            }
        }

        Span<long> index = stackalloc long[rank];
        int row = checked((int)extent[rank - 1]);
        while (true)
        {
            long o = 0;
            for (int k = 0; k < rank; k++)
            {
                o = (o * shape[k]) + start[k] + index[k];
            }

            Array.Fill(block, value, checked((int)o), row);
            int j = rank - 2;
            while (j >= 0 && ++index[j] >= extent[j])
            {
                index[j] = 0;
                j--;
            }

            if (j < 0)
            {
                return;
            }
        }
    }
}
