using System.Numerics;
using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>Math functions: Abs, Negate and Clip for every numeric type; the rest for floating point.</summary>
public static partial class ElementwiseOperators
{
    /// <summary>Functions of every numeric type.</summary>
    /// <param name="x">The operand.</param>
    /// <typeparam name="T">A numeric element type.</typeparam>
    extension<T>(ChunkedArray<T> x)
        where T : unmanaged, INumber<T>
    {
        /// <summary>|x| (for integers, |MinValue| wraps to MinValue, as NumPy).</summary>
        public ChunkedArray<T> Abs() => ElementwiseBuilder.Unary<T, T>(x, e => new UnaryExpression<T>(UnaryOperation.Abs, e));

        /// <summary>−x (same as the unary operator).</summary>
        public ChunkedArray<T> Negate() => ElementwiseBuilder.Unary<T, T>(x, e => new UnaryExpression<T>(UnaryOperation.Negate, e));

        /// <summary>NumPy <c>clip</c>: <c>minimum(maximum(x, min), max)</c>. NaN stays NaN; when min &gt; max every element is max.</summary>
        public ChunkedArray<T> Clip(T min, T max) => ElementwiseBuilder.Unary<T, T>(x, e => new ClipExpression<T>(e, min, max));
    }

    /// <summary>Floating-point functions, vectorized through TensorPrimitives (results within a few ulp of NumPy's).</summary>
    /// <param name="x">The operand.</param>
    /// <typeparam name="T"><see cref="Half"/>, <see cref="float"/> or <see cref="double"/>.</typeparam>
    extension<T>(ChunkedArray<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        /// <summary>√x (NaN for negative x).</summary>
        public ChunkedArray<T> Sqrt() => Math(x, UnaryOperation.Sqrt);

        /// <summary>eˣ.</summary>
        public ChunkedArray<T> Exp() => Math(x, UnaryOperation.Exp);

        /// <summary>Natural logarithm (−inf at 0, NaN for negative x).</summary>
        public ChunkedArray<T> Log() => Math(x, UnaryOperation.Log);

        /// <summary>Sine.</summary>
        public ChunkedArray<T> Sin() => Math(x, UnaryOperation.Sin);

        /// <summary>Cosine.</summary>
        public ChunkedArray<T> Cos() => Math(x, UnaryOperation.Cos);

        /// <summary>Hyperbolic tangent.</summary>
        public ChunkedArray<T> Tanh() => Math(x, UnaryOperation.Tanh);

        /// <summary>Largest integer not above x.</summary>
        public ChunkedArray<T> Floor() => Math(x, UnaryOperation.Floor);

        /// <summary>Smallest integer not below x.</summary>
        public ChunkedArray<T> Ceil() => Math(x, UnaryOperation.Ceiling);

        /// <summary>NumPy <c>round</c> to an integer: halves go to the even neighbour (0.5 → 0, 1.5 → 2, −2.5 → −2).</summary>
        public ChunkedArray<T> Round() => Math(x, UnaryOperation.Round);

        /// <summary>xʸ for a constant exponent (NumPy <c>power</c>).</summary>
        public ChunkedArray<T> Pow(T exponent) =>
            ElementwiseBuilder.Unary<T, T>(x, e => new BinaryExpression<T>(BinaryOperation.Power, e, new ScalarExpression<T>(exponent)));

        /// <summary>xʸ elementwise, broadcasting (NumPy <c>power</c>).</summary>
        /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
        public ChunkedArray<T> Pow(ChunkedArray<T> exponent) =>
            ElementwiseBuilder.Binary<T, T>(x, exponent, (l, r) => new BinaryExpression<T>(BinaryOperation.Power, l, r));
    }

    private static ChunkedArray<T> Math<T>(ChunkedArray<T> x, UnaryOperation operation)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        ElementwiseBuilder.Unary<T, T>(x, e => new MathExpression<T>(operation, e));
}
