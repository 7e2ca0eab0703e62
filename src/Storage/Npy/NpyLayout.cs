using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace ChunkCompute.Storage.Npy;

/// <summary>Byte swapping and C/Fortran order transposition on raw element buffers.</summary>
internal static class NpyLayout
{
    /// <summary>Reverses the byte order of every element in place.</summary>
    public static void SwapInPlace(Span<byte> data, int elementSize) => SwapCopy(data, data, elementSize);

    /// <summary>Copies <paramref name="source"/> to <paramref name="destination"/>, reversing each element's bytes.</summary>
    public static void SwapCopy(ReadOnlySpan<byte> source, Span<byte> destination, int elementSize)
    {
        switch (elementSize)
        {
            case 1:
                source.CopyTo(destination);
                break;
            case 2:
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ushort>(source), MemoryMarshal.Cast<byte, ushort>(destination));
                break;
            case 4:
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, uint>(source), MemoryMarshal.Cast<byte, uint>(destination));
                break;
            case 8:
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ulong>(source), MemoryMarshal.Cast<byte, ulong>(destination));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(elementSize), elementSize, "element size must be 1, 2, 4 or 8");
        }
    }

    /// <summary>
    /// Rearranges an array of <paramref name="shape"/> between Fortran and C order: from Fortran to C when
    /// <paramref name="sourceIsFortran"/>, else from C to Fortran.
    /// </summary>
    public static void Transpose(ReadOnlySpan<byte> source, Span<byte> destination, long[] shape, int elementSize, bool sourceIsFortran)
    {
        if (shape.Length <= 1)
        {
            source.CopyTo(destination);
            return;
        }

        switch (elementSize)
        {
            case 1:
                Transpose(source, destination, shape, sourceIsFortran);
                break;
            case 2:
                Transpose(MemoryMarshal.Cast<byte, ushort>(source), MemoryMarshal.Cast<byte, ushort>(destination), shape, sourceIsFortran);
                break;
            case 4:
                Transpose(MemoryMarshal.Cast<byte, uint>(source), MemoryMarshal.Cast<byte, uint>(destination), shape, sourceIsFortran);
                break;
            case 8:
                Transpose(MemoryMarshal.Cast<byte, ulong>(source), MemoryMarshal.Cast<byte, ulong>(destination), shape, sourceIsFortran);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(elementSize), elementSize, "element size must be 1, 2, 4 or 8");
        }
    }

    private static void Transpose<T>(ReadOnlySpan<T> source, Span<T> destination, long[] shape, bool sourceIsFortran)
        where T : unmanaged
    {
        var n = shape.Length;
        if (source.Length == 0)
        {
            return;
        }

        // Walk the source sequentially; axes in source iteration order, fastest first.
        var axes = new int[n];
        for (var k = 0; k < n; k++)
        {
            axes[k] = sourceIsFortran ? k : n - 1 - k;
        }

        // Destination strides (in elements) in the other order.
        var destStride = new long[n];
        long stride = 1;
        for (var j = 0; j < n; j++)
        {
            var axis = sourceIsFortran ? n - 1 - j : j;
            destStride[axis] = stride;
            stride *= shape[axis];
        }

        var idx = new long[n];
        long d = 0;
        var innerAxis = axes[0];
        var innerLen = shape[innerAxis];
        var innerStride = destStride[innerAxis];
        var s = 0;
        while (s < source.Length)
        {
            var dd = d;
            for (long i = 0; i < innerLen; i++)
            {
                destination[(int)dd] = source[s++];
                dd += innerStride;
            }

            // Carry into the slower axes.
            var k = 1;
            for (; k < n; k++)
            {
                var axis = axes[k];
                idx[axis]++;
                d += destStride[axis];
                if (idx[axis] < shape[axis])
                {
                    break;
                }

                d -= destStride[axis] * shape[axis];
                idx[axis] = 0;
            }

            if (k == n)
            {
                break;
            }
        }
    }
}
