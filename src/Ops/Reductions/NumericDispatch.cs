using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>Calls a generic factory with the CLR element type of a <see cref="DataType"/> (bool is read as byte).</summary>
internal static class NumericDispatch
{
    public static ReductionKernel Create<TFactory>(DataType type, TFactory factory)
        where TFactory : IKernelFactory => type.Kind switch
        {
            DataTypeKind.Bool or DataTypeKind.UInt8 => factory.Create<byte>(type),
            DataTypeKind.Int8 => factory.Create<sbyte>(type),
            DataTypeKind.Int16 => factory.Create<short>(type),
            DataTypeKind.Int32 => factory.Create<int>(type),
            DataTypeKind.Int64 => factory.Create<long>(type),
            DataTypeKind.UInt16 => factory.Create<ushort>(type),
            DataTypeKind.UInt32 => factory.Create<uint>(type),
            DataTypeKind.UInt64 => factory.Create<ulong>(type),
            DataTypeKind.Float16 => factory.Create<Half>(type),
            DataTypeKind.Float32 => factory.Create<float>(type),
            DataTypeKind.Float64 => factory.Create<double>(type),
            _ => throw new NotSupportedException($"reductions do not support {type.Name}"),
        };

    /// <summary>True for float16/32/64.</summary>
    public static bool IsFloat<T>() => typeof(T) == typeof(double) || typeof(T) == typeof(float) || typeof(T) == typeof(Half);
}
