namespace ChunkCompute.Ops;

/// <summary>Copies a strided n-d view of a buffer into a contiguous C-order buffer.</summary>
internal static unsafe class StridedGather
{
    /// <summary>
    /// Fills <paramref name="dst"/> (C order, shape <paramref name="dstShape"/>) with element
    /// <c>src[baseElement + Σ index[j]·strides[j]]</c> for every output index; strides are in elements and may be
    /// negative.
    /// </summary>
    public static void Gather(byte* src, long baseElement, ReadOnlySpan<long> strides, byte* dst, ReadOnlySpan<int> dstShape, int elementSize)
    {
        int rank = dstShape.Length;
        byte* s0 = src + (baseElement * elementSize);
        if (rank == 0)
        {
            Buffer.MemoryCopy(s0, dst, elementSize, elementSize);
            return;
        }

        foreach (int e in dstShape)
        {
            if (e == 0)
            {
                return;
            }
        }

        int inner = dstShape[rank - 1];
        long innerStride = strides[rank - 1] * elementSize;
        long runBytes = (long)inner * elementSize;
        Span<long> index = stackalloc long[rank];
        byte* s = s0;
        byte* t = dst;
        while (true)
        {
            if (innerStride == elementSize)
            {
                Buffer.MemoryCopy(s, t, runBytes, runBytes);
            }
            else
            {
                CopyRun(s, innerStride, t, inner, elementSize);
            }

            t += runBytes;
            int d = rank - 2;
            while (true)
            {
                if (d < 0)
                {
                    return;
                }

                index[d]++;
                s += strides[d] * elementSize;
                if (index[d] < dstShape[d])
                {
                    break;
                }

                s -= strides[d] * elementSize * dstShape[d];
                index[d] = 0;
                d--;
            }
        }
    }

    private static void CopyRun(byte* s, long strideBytes, byte* t, int count, int elementSize)
    {
        switch (elementSize)
        {
            case 1:
                for (int i = 0; i < count; i++, s += strideBytes)
                {
                    t[i] = *s;
                }

                break;
            case 2:
                for (int i = 0; i < count; i++, s += strideBytes)
                {
                    ((short*)t)[i] = *(short*)s;
                }

                break;
            case 4:
                for (int i = 0; i < count; i++, s += strideBytes)
                {
                    ((int*)t)[i] = *(int*)s;
                }

                break;
            case 8:
                for (int i = 0; i < count; i++, s += strideBytes)
                {
                    ((long*)t)[i] = *(long*)s;
                }

                break;
            default:
                for (int i = 0; i < count; i++, s += strideBytes)
                {
                    Buffer.MemoryCopy(s, t + ((long)i * elementSize), elementSize, elementSize);
                }

                break;
        }
    }

    /// <summary>C-order element strides of <paramref name="shape"/>.</summary>
    public static long[] Strides(ReadOnlySpan<int> shape)
    {
        var strides = new long[shape.Length];
        long s = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = s;
            s *= shape[d];
        }

        return strides;
    }
}
