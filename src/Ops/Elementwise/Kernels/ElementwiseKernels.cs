using System.Runtime.CompilerServices;

namespace ChunkCompute.Ops;

/// <summary>
/// The per-tile loops of the elementwise operations. Single operations call <c>TensorPrimitives</c> (vectorized);
/// the rest are generic drivers over struct operators, specialized per type and operator by the JIT. Type tests such
/// as <see cref="IsFloatingPoint{T}"/> are JIT-time constants, so no branch on the data type runs per element.
/// </summary>
internal static partial class ElementwiseKernels
{
    /// <summary>True for <see cref="Half"/>, <see cref="float"/> and <see cref="double"/> (folded by the JIT).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsFloatingPoint<T>() => typeof(T) == typeof(double) || typeof(T) == typeof(float) || typeof(T) == typeof(Half);

    /// <summary>Applies <typeparamref name="TOp"/> to pairs of elements.</summary>
    public static void Apply<T, TResult, TOp>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<TResult> destination)
        where TOp : struct, IBinaryElementOperator<T, TResult>
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = TOp.Invoke(x[i], y[i]);
        }
    }

    /// <summary>Applies <typeparamref name="TOp"/> to each element and a constant right operand.</summary>
    public static void Apply<T, TResult, TOp>(ReadOnlySpan<T> x, T y, Span<TResult> destination)
        where TOp : struct, IBinaryElementOperator<T, TResult>
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = TOp.Invoke(x[i], y);
        }
    }

    /// <summary>Applies <typeparamref name="TOp"/> to a constant left operand and each element.</summary>
    public static void Apply<T, TResult, TOp>(T x, ReadOnlySpan<T> y, Span<TResult> destination)
        where TOp : struct, IBinaryElementOperator<T, TResult>
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = TOp.Invoke(x, y[i]);
        }
    }
}
