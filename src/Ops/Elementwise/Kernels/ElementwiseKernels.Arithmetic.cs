using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace ChunkCompute.Ops;

/// <summary>Arithmetic: <c>+ - * / %</c> and power.</summary>
internal static partial class ElementwiseKernels
{
    /// <summary><c>x op y</c> elementwise.</summary>
    public static void Binary<T>(BinaryOperation operation, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> destination)
        where T : unmanaged, INumber<T>
    {
        switch (operation)
        {
            case BinaryOperation.Add: TensorPrimitives.Add(x, y, destination); break;
            case BinaryOperation.Subtract: TensorPrimitives.Subtract(x, y, destination); break;
            case BinaryOperation.Multiply: TensorPrimitives.Multiply(x, y, destination); break;
            case BinaryOperation.Divide when IsFloatingPoint<T>(): TensorPrimitives.Divide(x, y, destination); break;
            case BinaryOperation.Divide: Apply<T, T, FloorDivideOperator<T>>(x, y, destination); break;
            case BinaryOperation.Remainder: Apply<T, T, RemainderOperator<T>>(x, y, destination); break;
            default: Power(x, y, destination); break;
        }
    }

    /// <summary><c>x op y</c> with a constant <paramref name="y"/>.</summary>
    public static void Binary<T>(BinaryOperation operation, ReadOnlySpan<T> x, T y, Span<T> destination)
        where T : unmanaged, INumber<T>
    {
        switch (operation)
        {
            case BinaryOperation.Add: TensorPrimitives.Add(x, y, destination); break;
            case BinaryOperation.Subtract: TensorPrimitives.Subtract(x, y, destination); break;
            case BinaryOperation.Multiply: TensorPrimitives.Multiply(x, y, destination); break;
            case BinaryOperation.Divide when IsFloatingPoint<T>(): TensorPrimitives.Divide(x, y, destination); break;
            case BinaryOperation.Divide: Apply<T, T, FloorDivideOperator<T>>(x, y, destination); break;
            case BinaryOperation.Remainder: Apply<T, T, RemainderOperator<T>>(x, y, destination); break;
            default: Power(x, y, destination); break;
        }
    }

    /// <summary><c>x op y</c> with a constant <paramref name="x"/>.</summary>
    public static void Binary<T>(BinaryOperation operation, T x, ReadOnlySpan<T> y, Span<T> destination)
        where T : unmanaged, INumber<T>
    {
        switch (operation)
        {
            case BinaryOperation.Add: TensorPrimitives.Add(y, x, destination); break;
            case BinaryOperation.Subtract: TensorPrimitives.Subtract(x, y, destination); break;
            case BinaryOperation.Multiply: TensorPrimitives.Multiply(y, x, destination); break;
            case BinaryOperation.Divide when IsFloatingPoint<T>(): TensorPrimitives.Divide(x, y, destination); break;
            case BinaryOperation.Divide: Apply<T, T, FloorDivideOperator<T>>(x, y, destination); break;
            case BinaryOperation.Remainder: Apply<T, T, RemainderOperator<T>>(x, y, destination); break;
            default: Power(x, y, destination); break;
        }
    }

    // Power is built only for floating-point element types (see ElementwiseOperators.Pow); the casts below are
    // resolved by the JIT and reinterpret the spans without copying.
    private static void Power<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d)
        where T : unmanaged
    {
        if (typeof(T) == typeof(double))
        {
            TensorPrimitives.Pow(MemoryMarshal.Cast<T, double>(x), MemoryMarshal.Cast<T, double>(y), MemoryMarshal.Cast<T, double>(d));
        }
        else if (typeof(T) == typeof(float))
        {
            TensorPrimitives.Pow(MemoryMarshal.Cast<T, float>(x), MemoryMarshal.Cast<T, float>(y), MemoryMarshal.Cast<T, float>(d));
        }
        else if (typeof(T) == typeof(Half))
        {
            TensorPrimitives.Pow(MemoryMarshal.Cast<T, Half>(x), MemoryMarshal.Cast<T, Half>(y), MemoryMarshal.Cast<T, Half>(d));
        }
        else
        {
            throw new NotSupportedException($"power is defined for floating-point types, not {typeof(T).Name}");
        }
    }

    private static void Power<T>(ReadOnlySpan<T> x, T y, Span<T> d)
        where T : unmanaged
    {
        if (typeof(T) == typeof(double))
        {
            TensorPrimitives.Pow(MemoryMarshal.Cast<T, double>(x), (double)(object)y, MemoryMarshal.Cast<T, double>(d));
        }
        else if (typeof(T) == typeof(float))
        {
            TensorPrimitives.Pow(MemoryMarshal.Cast<T, float>(x), (float)(object)y, MemoryMarshal.Cast<T, float>(d));
        }
        else if (typeof(T) == typeof(Half))
        {
            TensorPrimitives.Pow(MemoryMarshal.Cast<T, Half>(x), (Half)(object)y, MemoryMarshal.Cast<T, Half>(d));
        }
        else
        {
            throw new NotSupportedException($"power is defined for floating-point types, not {typeof(T).Name}");
        }
    }

    private static void Power<T>(T x, ReadOnlySpan<T> y, Span<T> d)
        where T : unmanaged
    {
        if (typeof(T) == typeof(double))
        {
            TensorPrimitives.Pow((double)(object)x, MemoryMarshal.Cast<T, double>(y), MemoryMarshal.Cast<T, double>(d));
        }
        else if (typeof(T) == typeof(float))
        {
            TensorPrimitives.Pow((float)(object)x, MemoryMarshal.Cast<T, float>(y), MemoryMarshal.Cast<T, float>(d));
        }
        else if (typeof(T) == typeof(Half))
        {
            TensorPrimitives.Pow((Half)(object)x, MemoryMarshal.Cast<T, Half>(y), MemoryMarshal.Cast<T, Half>(d));
        }
        else
        {
            throw new NotSupportedException($"power is defined for floating-point types, not {typeof(T).Name}");
        }
    }
}
