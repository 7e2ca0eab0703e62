using System.Numerics;
using ChunkCompute.Storage;

namespace ChunkCompute.Cli.Commands;

/// <summary>A generic step run with the CLR element type of an array known only as a <see cref="DataType"/>.</summary>
/// <typeparam name="TResult">The step's result.</typeparam>
internal interface IElementTypeStep<out TResult>
{
    /// <summary>Runs the step for element type <typeparamref name="T"/>.</summary>
    TResult Run<T>()
        where T : unmanaged;
}

/// <summary>A generic step for the real numeric element types (int8 … float64, not bool).</summary>
/// <typeparam name="TResult">The step's result.</typeparam>
internal interface INumericTypeStep<out TResult>
{
    /// <summary>Runs the step for element type <typeparamref name="T"/>.</summary>
    TResult Run<T>()
        where T : unmanaged, INumber<T>;
}

/// <summary>
/// Calls a generic step with the element type of a <see cref="DataType"/>: every type the engine computes is listed,
/// so each call is a statically known instantiation (no <c>MakeGenericMethod</c>: trimming and Native AOT safe).
/// </summary>
internal static class ElementTypeDispatch
{
    /// <exception cref="ChunkComputeException">The type is not a fixed-size element type (a string type).</exception>
    public static TResult Run<TStep, TResult>(DataType type, TStep step, string command)
        where TStep : IElementTypeStep<TResult>
    {
        var t = type.ClrType;
        return t == typeof(bool) ? step.Run<bool>()
            : t == typeof(sbyte) ? step.Run<sbyte>()
            : t == typeof(short) ? step.Run<short>()
            : t == typeof(int) ? step.Run<int>()
            : t == typeof(long) ? step.Run<long>()
            : t == typeof(byte) ? step.Run<byte>()
            : t == typeof(ushort) ? step.Run<ushort>()
            : t == typeof(uint) ? step.Run<uint>()
            : t == typeof(ulong) ? step.Run<ulong>()
            : t == typeof(Half) ? step.Run<Half>()
            : t == typeof(float) ? step.Run<float>()
            : t == typeof(double) ? step.Run<double>()
            : t == typeof(Complex32) ? step.Run<Complex32>()
            : t == typeof(Complex) ? step.Run<Complex>()
            : t == typeof(DateTime64) ? step.Run<DateTime64>()
            : t == typeof(TimeDelta64) ? step.Run<TimeDelta64>()
            : throw new ChunkComputeException($"{command} does not support {type.Name} arrays (only fixed-size numeric, bool, complex and datetime element types)");
    }

    /// <exception cref="ChunkComputeException">The type is not a real numeric type.</exception>
    public static TResult RunNumeric<TStep, TResult>(DataType type, TStep step, string command)
        where TStep : INumericTypeStep<TResult>
    {
        var t = type.ClrType;
        return t == typeof(sbyte) ? step.Run<sbyte>()
            : t == typeof(short) ? step.Run<short>()
            : t == typeof(int) ? step.Run<int>()
            : t == typeof(long) ? step.Run<long>()
            : t == typeof(byte) ? step.Run<byte>()
            : t == typeof(ushort) ? step.Run<ushort>()
            : t == typeof(uint) ? step.Run<uint>()
            : t == typeof(ulong) ? step.Run<ulong>()
            : t == typeof(Half) ? step.Run<Half>()
            : t == typeof(float) ? step.Run<float>()
            : t == typeof(double) ? step.Run<double>()
            : throw new ChunkComputeException($"{command} does not support {type.Name} (only int8 … uint64 and float16/32/64)");
    }
}
