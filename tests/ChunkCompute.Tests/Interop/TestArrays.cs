using System.Buffers.Binary;
using System.Text.Json.Nodes;
using ChunkCompute.Storage;
using Xunit;

namespace ChunkCompute.Tests.Interop;

/// <summary>Deterministic test data as little-endian element bytes, fill values, and element-wise comparison.</summary>
internal static class TestArrays
{
    public static long Count(IReadOnlyList<long> shape) => shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Random elements (fixed seed); floats include -0.0, ±Infinity and NaN.</summary>
    public static byte[] Random(DataType type, long count, int seed)
    {
        var rng = new Random(seed);
        var bytes = new byte[checked((int)(count * type.Size))];
        var span = bytes.AsSpan();
        switch (type.Kind)
        {
            case DataTypeKind.Bool:
                for (int i = 0; i < bytes.Length; i++)
                {
                    bytes[i] = (byte)rng.Next(2);
                }

                break;
            case DataTypeKind.Float16 or DataTypeKind.Float32 or DataTypeKind.Float64:
                for (int i = 0; i < count; i++)
                {
                    double v = (i % 97) switch
                    {
                        13 => -0.0,
                        29 => double.PositiveInfinity,
                        41 => double.NegativeInfinity,
                        53 => BitConverter.Int64BitsToDouble(0x7FF8000000000000),
                        _ => (rng.NextDouble() - 0.5) * 2000,
                    };
                    WriteFloat(type, span[(i * type.Size)..], v);
                }

                break;
            default:
                rng.NextBytes(bytes);
                break;
        }

        return bytes;
    }

    /// <summary>The interop fill value: NaN for floats, -1 for signed and the maximum for unsigned integers, true for bool.</summary>
    public static JsonNode SpecialFill(DataType type) => type.NumpyKind switch
    {
        'f' => JsonValue.Create("NaN"),
        'i' => JsonValue.Create(-1),
        'b' => JsonValue.Create(true),
        _ => type.Size == 8 ? JsonValue.Create(ulong.MaxValue) : JsonValue.Create((1UL << (type.Size * 8)) - 1),
    };

    /// <summary>An array of <paramref name="count"/> fill elements.</summary>
    public static byte[] Filled(DataType type, JsonNode? fill, long count)
    {
        var element = type.ParseFillValue(fill);
        var bytes = new byte[checked((int)(count * type.Size))];
        for (int i = 0; i < bytes.Length; i += type.Size)
        {
            element.CopyTo(bytes, i);
        }

        return bytes;
    }

    /// <summary>Index of the first differing element (NaN equals NaN for floats, otherwise bitwise), or -1.</summary>
    public static long FirstDifference(DataType type, ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual)
    {
        if (expected.Length != actual.Length)
        {
            return Math.Min(expected.Length, actual.Length) / type.Size;
        }

        int es = type.Size;
        for (int i = 0; i < expected.Length; i += es)
        {
            var e = expected.Slice(i, es);
            var a = actual.Slice(i, es);
            if (e.SequenceEqual(a))
            {
                continue;
            }

            if (type.Kind == DataTypeKind.Bool && (e[0] != 0) == (a[0] != 0))
            {
                continue;
            }

            if (type.IsFloatingPoint && IsNaN(type, e) && IsNaN(type, a))
            {
                continue;
            }

            return i / es;
        }

        return -1;
    }

    /// <summary>Asserts equal elements, naming the first difference.</summary>
    public static void AssertSameElements(DataType type, ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, string what)
    {
        long at = FirstDifference(type, expected, actual);
        if (at < 0)
        {
            return;
        }

        if (expected.Length != actual.Length)
        {
            Assert.Fail($"{what}: expected {expected.Length / type.Size} elements, got {actual.Length / type.Size}");
        }

        int o = (int)(at * type.Size);
        Assert.Fail($"{what}: element {at} differs: expected 0x{Convert.ToHexString(expected.Slice(o, type.Size))}, got 0x{Convert.ToHexString(actual.Slice(o, type.Size))} (little-endian bytes)");
    }

    /// <summary>Copies a box of a C-order array (element bytes) out of <paramref name="full"/>.</summary>
    public static byte[] Extract(byte[] full, long[] shape, long[] start, long[] extent, int es)
    {
        var result = new byte[checked((int)(Count(extent) * es))];
        ForEachRow(shape, start, extent, es, (src, dst, len) => Buffer.BlockCopy(full, src, result, dst, len));
        return result;
    }

    /// <summary>Pastes <paramref name="box"/> into a box of the C-order array <paramref name="full"/>.</summary>
    public static void Paste(byte[] full, long[] shape, long[] start, long[] extent, int es, byte[] box) =>
        ForEachRow(shape, start, extent, es, (src, dst, len) => Buffer.BlockCopy(box, dst, full, src, len));

    private static void ForEachRow(long[] shape, long[] start, long[] extent, int es, Action<int, int, int> copy)
    {
        int rank = shape.Length;
        if (rank == 0)
        {
            copy(0, 0, es);
            return;
        }

        if (extent.Any(e => e == 0))
        {
            return;
        }

        var strides = new long[rank];
        long s = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            strides[d] = s;
            s *= shape[d];
        }

        int rowLen = (int)(extent[rank - 1] * es);
        long rows = Count(extent) / extent[rank - 1];
        var index = new long[rank];
        for (long r = 0; r < rows; r++)
        {
            long src = 0;
            for (int d = 0; d < rank; d++)
            {
                src += (start[d] + index[d]) * strides[d];
            }

            copy((int)(src * es), (int)(r * rowLen), rowLen);
            for (int d = rank - 2; d >= 0; d--)
            {
                if (++index[d] < extent[d])
                {
                    break;
                }

                index[d] = 0;
            }
        }
    }

    private static bool IsNaN(DataType type, ReadOnlySpan<byte> e) => type.Kind switch
    {
        DataTypeKind.Float16 => Half.IsNaN(BinaryPrimitives.ReadHalfLittleEndian(e)),
        DataTypeKind.Float32 => float.IsNaN(BinaryPrimitives.ReadSingleLittleEndian(e)),
        _ => double.IsNaN(BinaryPrimitives.ReadDoubleLittleEndian(e)),
    };

    private static void WriteFloat(DataType type, Span<byte> destination, double v)
    {
        switch (type.Kind)
        {
            case DataTypeKind.Float16:
                BinaryPrimitives.WriteHalfLittleEndian(destination, (Half)v);
                break;
            case DataTypeKind.Float32:
                BinaryPrimitives.WriteSingleLittleEndian(destination, (float)v);
                break;
            default:
                BinaryPrimitives.WriteDoubleLittleEndian(destination, v);
                break;
        }
    }
}
