using ChunkCompute.Storage;

namespace ChunkCompute.Graph;

/// <summary>Writes a double into element i of a buffer, converting as NumPy's astype does (truncation for ints).</summary>
internal static class ElementWriter
{
    public static void Write(ChunkBuffer buffer, DataType type, long i, double v)
    {
        int k = (int)i;
        switch (type.Kind)
        {
            case DataTypeKind.Bool: buffer.As<bool>()[k] = v != 0; break;
            case DataTypeKind.Int8: buffer.As<sbyte>()[k] = unchecked((sbyte)(long)v); break;
            case DataTypeKind.Int16: buffer.As<short>()[k] = unchecked((short)(long)v); break;
            case DataTypeKind.Int32: buffer.As<int>()[k] = unchecked((int)(long)v); break;
            case DataTypeKind.Int64: buffer.As<long>()[k] = (long)v; break;
            case DataTypeKind.UInt8: buffer.As<byte>()[k] = unchecked((byte)(long)v); break;
            case DataTypeKind.UInt16: buffer.As<ushort>()[k] = unchecked((ushort)(long)v); break;
            case DataTypeKind.UInt32: buffer.As<uint>()[k] = unchecked((uint)(long)v); break;
            case DataTypeKind.UInt64: buffer.As<ulong>()[k] = (ulong)v; break;
            case DataTypeKind.Float16: buffer.As<Half>()[k] = (Half)v; break;
            case DataTypeKind.Float32: buffer.As<float>()[k] = (float)v; break;
            default: buffer.As<double>()[k] = v; break;
        }
    }
}
