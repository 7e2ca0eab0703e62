using System.Numerics;
using System.Runtime.CompilerServices;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>The state of a complex sum or mean: compensated float64 sums of both parts and the count.</summary>
internal struct ComplexSumState
{
    public CompensatedSum Real;
    public CompensatedSum Imaginary;
    public long Count;
}

/// <summary>Sum or mean of complex64/complex128 values, both parts accumulated in float64 with compensation.</summary>
/// <typeparam name="T"><see cref="Complex32"/> or <see cref="Complex"/> (input and result).</typeparam>
internal readonly struct ComplexSumOp<T> : IReduceOp<T, ComplexSumState, T>
    where T : unmanaged
{
    private readonly bool _mean;
    private readonly bool _scalar;

    // scalar: the result is 0-d, which NumPy's mean divides as a complex128 scalar whatever the element type.
    public ComplexSumOp(bool mean, bool scalar = false)
    {
        _mean = mean;
        _scalar = scalar;
    }

    public ComplexSumState Identity => default;

    public bool NeedsIndex => false;

    public void Add(ref ComplexSumState state, T value, long index)
    {
        var c = ComplexParts.Widen(value);
        state.Real.Add(c.Real);
        state.Imaginary.Add(c.Imaginary);
        state.Count++;
    }

    public void AddSpan(ref ComplexSumState state, ReadOnlySpan<T> values, long index, long step)
    {
        foreach (var v in values)
        {
            Add(ref state, v, 0);
        }
    }

    public void Merge(ref ComplexSumState state, in ComplexSumState other)
    {
        state.Real.Merge(other.Real);
        state.Imaginary.Merge(other.Imaginary);
        state.Count += other.Count;
    }

    public T Finalize(in ComplexSumState state)
    {
        var sum = new Complex(state.Real.Value, state.Imaginary.Value);
        if (!_mean)
        {
            return ComplexParts.Narrow<T>(sum);
        }

        // NumPy's mean divides the sum by the count as a complex number (Smith's algorithm: each part times 1/n, and
        // an infinite part makes the other NaN), in the element's precision.
        if (typeof(T) == typeof(Complex) || _scalar)
        {
            return ComplexParts.Narrow<T>(ComplexMath.Divide(sum, new Complex(state.Count, 0)));
        }

        var mean = (Complex32)sum / new Complex32(state.Count, 0);
        return Unsafe.As<Complex32, T>(ref mean);
    }
}

/// <summary>Product of complex values, multiplied in float64 with NumPy's formula.</summary>
/// <typeparam name="T"><see cref="Complex32"/> or <see cref="Complex"/> (input and result).</typeparam>
internal readonly struct ComplexProdOp<T> : IReduceOp<T, Complex, T>
    where T : unmanaged
{
    public Complex Identity => Complex.One;

    public bool NeedsIndex => false;

    public void Add(ref Complex state, T value, long index) => state = ComplexMath.Multiply(state, ComplexParts.Widen(value));

    public void AddSpan(ref Complex state, ReadOnlySpan<T> values, long index, long step)
    {
        foreach (var v in values)
        {
            state = ComplexMath.Multiply(state, ComplexParts.Widen(v));
        }
    }

    public void Merge(ref Complex state, in Complex other) => state = ComplexMath.Multiply(state, other);

    public T Finalize(in Complex state) => ComplexParts.Narrow<T>(state);
}

/// <summary>Conversions between the two complex element types and <see cref="Complex"/>.</summary>
internal static class ComplexParts
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Complex Widen<T>(T value)
        where T : unmanaged =>
        typeof(T) == typeof(Complex) ? Unsafe.As<T, Complex>(ref value) : Unsafe.As<T, Complex32>(ref value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Narrow<T>(Complex value)
        where T : unmanaged
    {
        if (typeof(T) == typeof(Complex))
        {
            return Unsafe.As<Complex, T>(ref value);
        }

        var c = (Complex32)value;
        return Unsafe.As<Complex32, T>(ref c);
    }
}
