using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ChunkCompute.Ops;

/// <summary>
/// Two operations with constants in one pass over a tile: <c>(x op1 a) op2 b</c> for float and double, such as the
/// <c>(x - mean) / std</c> of a standardization or the <c>x * scale + offset</c> of a calibration. Each element is
/// rounded after each operation, as two separate passes round it (no fused multiply-add), so the result is bit for bit
/// that of the two passes; only the intermediate tile is never written and read back.
/// </summary>
internal static class ScalarPairKernels
{
    /// <summary>Whether <c>(x first a) second b</c> over <typeparamref name="T"/> runs here.</summary>
    public static bool Supports<T>(BinaryOperation first, BinaryOperation second) =>
        (typeof(T) == typeof(double) || typeof(T) == typeof(float)) && IsBasic(first) && IsBasic(second);

    /// <summary>Writes <c>(x[i] first a) second b</c> to <paramref name="destination"/> (may be <paramref name="x"/> itself).</summary>
    public static void Apply<T>(BinaryOperation first, T a, BinaryOperation second, T b, ReadOnlySpan<T> x, Span<T> destination)
        where T : unmanaged, INumber<T>
    {
        if (destination.Length < x.Length)
        {
            throw new ArgumentException("destination too short", nameof(destination));
        }

        switch (first)
        {
            case BinaryOperation.Add: WithFirst<T, AddConstant<T>>(second, x, a, b, destination); break;
            case BinaryOperation.Subtract: WithFirst<T, SubtractConstant<T>>(second, x, a, b, destination); break;
            case BinaryOperation.Multiply: WithFirst<T, MultiplyConstant<T>>(second, x, a, b, destination); break;
            case BinaryOperation.Divide: WithFirst<T, DivideConstant<T>>(second, x, a, b, destination); break;
            default: throw new ArgumentOutOfRangeException(nameof(first), first, "not a fused constant operation");
        }
    }

    private static bool IsBasic(BinaryOperation operation) =>
        operation is BinaryOperation.Add or BinaryOperation.Subtract or BinaryOperation.Multiply or BinaryOperation.Divide;

    private static void WithFirst<T, TFirst>(BinaryOperation second, ReadOnlySpan<T> x, T a, T b, Span<T> d)
        where T : unmanaged, INumber<T>
        where TFirst : struct, IConstantOperation<T>
    {
        switch (second)
        {
            case BinaryOperation.Add: Run<T, TFirst, AddConstant<T>>(x, a, b, d); break;
            case BinaryOperation.Subtract: Run<T, TFirst, SubtractConstant<T>>(x, a, b, d); break;
            case BinaryOperation.Multiply: Run<T, TFirst, MultiplyConstant<T>>(x, a, b, d); break;
            case BinaryOperation.Divide: Run<T, TFirst, DivideConstant<T>>(x, a, b, d); break;
            default: throw new ArgumentOutOfRangeException(nameof(second), second, "not a fused constant operation");
        }
    }

    // Hot per-tile loop of runtime-chosen generic instances, which ReadyToRun cannot precompile.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<T, TFirst, TSecond>(ReadOnlySpan<T> x, T a, T b, Span<T> d)
        where T : unmanaged, INumber<T>
        where TFirst : struct, IConstantOperation<T>
        where TSecond : struct, IConstantOperation<T>
    {
        int i = 0;
        ref T source = ref MemoryMarshal.GetReference(x);
        ref T target = ref MemoryMarshal.GetReference(d);
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
        {
            var va = Vector256.Create(a);
            var vb = Vector256.Create(b);
            for (; i <= x.Length - Vector256<T>.Count; i += Vector256<T>.Count)
            {
                var v = Vector256.LoadUnsafe(ref source, (nuint)i);
                TSecond.Apply(TFirst.Apply(v, va), vb).StoreUnsafe(ref target, (nuint)i);
            }
        }

        if (Vector128.IsHardwareAccelerated && Vector128<T>.IsSupported)
        {
            // the rest after the 256-bit loop, or all of it where only 128-bit vectors are fast (Arm64's AdvSimd)
            var va = Vector128.Create(a);
            var vb = Vector128.Create(b);
            for (; i <= x.Length - Vector128<T>.Count; i += Vector128<T>.Count)
            {
                var v = Vector128.LoadUnsafe(ref source, (nuint)i);
                TSecond.Apply(TFirst.Apply(v, va), vb).StoreUnsafe(ref target, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            Unsafe.Add(ref target, i) = TSecond.Apply(TFirst.Apply(Unsafe.Add(ref source, i), a), b);
        }
    }

    private interface IConstantOperation<T>
        where T : unmanaged, INumber<T>
    {
        static abstract T Apply(T x, T c);

        static abstract Vector256<T> Apply(Vector256<T> x, Vector256<T> c);

        static abstract Vector128<T> Apply(Vector128<T> x, Vector128<T> c);
    }

    private readonly struct AddConstant<T> : IConstantOperation<T>
        where T : unmanaged, INumber<T>
    {
        public static T Apply(T x, T c) => x + c;

        public static Vector256<T> Apply(Vector256<T> x, Vector256<T> c) => x + c;

        public static Vector128<T> Apply(Vector128<T> x, Vector128<T> c) => x + c;
    }

    private readonly struct SubtractConstant<T> : IConstantOperation<T>
        where T : unmanaged, INumber<T>
    {
        public static T Apply(T x, T c) => x - c;

        public static Vector256<T> Apply(Vector256<T> x, Vector256<T> c) => x - c;

        public static Vector128<T> Apply(Vector128<T> x, Vector128<T> c) => x - c;
    }

    private readonly struct MultiplyConstant<T> : IConstantOperation<T>
        where T : unmanaged, INumber<T>
    {
        public static T Apply(T x, T c) => x * c;

        public static Vector256<T> Apply(Vector256<T> x, Vector256<T> c) => x * c;

        public static Vector128<T> Apply(Vector128<T> x, Vector128<T> c) => x * c;
    }

    private readonly struct DivideConstant<T> : IConstantOperation<T>
        where T : unmanaged, INumber<T>
    {
        public static T Apply(T x, T c) => x / c;

        public static Vector256<T> Apply(Vector256<T> x, Vector256<T> c) => x / c;

        public static Vector128<T> Apply(Vector128<T> x, Vector128<T> c) => x / c;
    }
}
