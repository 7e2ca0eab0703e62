using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>
/// The conversion expressions of <c>AsType</c> for element types known only as type arguments: each branch names one
/// closed instantiation (the JIT drops the other branches, and Native AOT compiles every pair ahead of time).
/// </summary>
internal static class ConversionDispatch
{
    /// <summary>bool → <typeparamref name="U"/> (1 or 0).</summary>
    public static ElementwiseExpression<U> FromBool<U>(ElementwiseExpression<bool> operand)
        where U : unmanaged
    {
        if (typeof(U) == typeof(double)) return (ElementwiseExpression<U>)(object)new FromBoolExpression<double>(operand);
        if (typeof(U) == typeof(float)) return (ElementwiseExpression<U>)(object)new FromBoolExpression<float>(operand);
        if (typeof(U) == typeof(Half)) return (ElementwiseExpression<U>)(object)new FromBoolExpression<Half>(operand);
        if (typeof(U) == typeof(long)) return (ElementwiseExpression<U>)(object)new FromBoolExpression<long>(operand);
        if (typeof(U) == typeof(int)) return (ElementwiseExpression<U>)(object)new FromBoolExpression<int>(operand);
        if (typeof(U) == typeof(short)) return (ElementwiseExpression<U>)(object)new FromBoolExpression<short>(operand);
        if (typeof(U) == typeof(sbyte)) return (ElementwiseExpression<U>)(object)new FromBoolExpression<sbyte>(operand);
        if (typeof(U) == typeof(ulong)) return (ElementwiseExpression<U>)(object)new FromBoolExpression<ulong>(operand);
        if (typeof(U) == typeof(uint)) return (ElementwiseExpression<U>)(object)new FromBoolExpression<uint>(operand);
        if (typeof(U) == typeof(ushort)) return (ElementwiseExpression<U>)(object)new FromBoolExpression<ushort>(operand);
        if (typeof(U) == typeof(byte)) return (ElementwiseExpression<U>)(object)new FromBoolExpression<byte>(operand);
        throw Unsupported<bool, U>();
    }

    /// <summary><typeparamref name="T"/> → bool (true for non-zero).</summary>
    public static ElementwiseExpression<bool> ToBool<T>(ElementwiseExpression<T> operand)
        where T : unmanaged
    {
        if (typeof(T) == typeof(double)) return new ToBoolExpression<double>((ElementwiseExpression<double>)(object)operand);
        if (typeof(T) == typeof(float)) return new ToBoolExpression<float>((ElementwiseExpression<float>)(object)operand);
        if (typeof(T) == typeof(Half)) return new ToBoolExpression<Half>((ElementwiseExpression<Half>)(object)operand);
        if (typeof(T) == typeof(long)) return new ToBoolExpression<long>((ElementwiseExpression<long>)(object)operand);
        if (typeof(T) == typeof(int)) return new ToBoolExpression<int>((ElementwiseExpression<int>)(object)operand);
        if (typeof(T) == typeof(short)) return new ToBoolExpression<short>((ElementwiseExpression<short>)(object)operand);
        if (typeof(T) == typeof(sbyte)) return new ToBoolExpression<sbyte>((ElementwiseExpression<sbyte>)(object)operand);
        if (typeof(T) == typeof(ulong)) return new ToBoolExpression<ulong>((ElementwiseExpression<ulong>)(object)operand);
        if (typeof(T) == typeof(uint)) return new ToBoolExpression<uint>((ElementwiseExpression<uint>)(object)operand);
        if (typeof(T) == typeof(ushort)) return new ToBoolExpression<ushort>((ElementwiseExpression<ushort>)(object)operand);
        if (typeof(T) == typeof(byte)) return new ToBoolExpression<byte>((ElementwiseExpression<byte>)(object)operand);
        throw Unsupported<T, bool>();
    }

    /// <summary>Numeric <typeparamref name="T"/> → numeric <typeparamref name="U"/>.</summary>
    public static ElementwiseExpression<U> Cast<T, U>(ElementwiseExpression<T> operand)
        where T : unmanaged
        where U : unmanaged
    {
        if (typeof(T) == typeof(double)) return CastFrom<double, U>((ElementwiseExpression<double>)(object)operand);
        if (typeof(T) == typeof(float)) return CastFrom<float, U>((ElementwiseExpression<float>)(object)operand);
        if (typeof(T) == typeof(Half)) return CastFrom<Half, U>((ElementwiseExpression<Half>)(object)operand);
        if (typeof(T) == typeof(long)) return CastFrom<long, U>((ElementwiseExpression<long>)(object)operand);
        if (typeof(T) == typeof(int)) return CastFrom<int, U>((ElementwiseExpression<int>)(object)operand);
        if (typeof(T) == typeof(short)) return CastFrom<short, U>((ElementwiseExpression<short>)(object)operand);
        if (typeof(T) == typeof(sbyte)) return CastFrom<sbyte, U>((ElementwiseExpression<sbyte>)(object)operand);
        if (typeof(T) == typeof(ulong)) return CastFrom<ulong, U>((ElementwiseExpression<ulong>)(object)operand);
        if (typeof(T) == typeof(uint)) return CastFrom<uint, U>((ElementwiseExpression<uint>)(object)operand);
        if (typeof(T) == typeof(ushort)) return CastFrom<ushort, U>((ElementwiseExpression<ushort>)(object)operand);
        if (typeof(T) == typeof(byte)) return CastFrom<byte, U>((ElementwiseExpression<byte>)(object)operand);
        throw Unsupported<T, U>();
    }

    private static ElementwiseExpression<U> CastFrom<TFrom, U>(ElementwiseExpression<TFrom> operand)
        where TFrom : unmanaged, System.Numerics.INumber<TFrom>
        where U : unmanaged
    {
        if (typeof(U) == typeof(double)) return (ElementwiseExpression<U>)(object)new CastExpression<TFrom, double>(operand);
        if (typeof(U) == typeof(float)) return (ElementwiseExpression<U>)(object)new CastExpression<TFrom, float>(operand);
        if (typeof(U) == typeof(Half)) return (ElementwiseExpression<U>)(object)new CastExpression<TFrom, Half>(operand);
        if (typeof(U) == typeof(long)) return (ElementwiseExpression<U>)(object)new CastExpression<TFrom, long>(operand);
        if (typeof(U) == typeof(int)) return (ElementwiseExpression<U>)(object)new CastExpression<TFrom, int>(operand);
        if (typeof(U) == typeof(short)) return (ElementwiseExpression<U>)(object)new CastExpression<TFrom, short>(operand);
        if (typeof(U) == typeof(sbyte)) return (ElementwiseExpression<U>)(object)new CastExpression<TFrom, sbyte>(operand);
        if (typeof(U) == typeof(ulong)) return (ElementwiseExpression<U>)(object)new CastExpression<TFrom, ulong>(operand);
        if (typeof(U) == typeof(uint)) return (ElementwiseExpression<U>)(object)new CastExpression<TFrom, uint>(operand);
        if (typeof(U) == typeof(ushort)) return (ElementwiseExpression<U>)(object)new CastExpression<TFrom, ushort>(operand);
        if (typeof(U) == typeof(byte)) return (ElementwiseExpression<U>)(object)new CastExpression<TFrom, byte>(operand);
        throw Unsupported<TFrom, U>();
    }

    private static NotSupportedException Unsupported<T, U>()
        where T : unmanaged
        where U : unmanaged =>
        new($"AsType converts between bool and the real numeric types (int8…uint64, float16/32/64); {DataType.Of<T>().Name} to {DataType.Of<U>().Name} is not supported");
}
