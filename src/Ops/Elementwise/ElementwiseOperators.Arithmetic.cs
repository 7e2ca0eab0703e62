using System.Numerics;
using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>
/// Elementwise operations on <see cref="ChunkedArray{T}"/>: arithmetic and comparison operators, math functions,
/// <c>Where</c>, <c>Clip</c> and <c>AsType</c>. Operands have one element type (convert with <c>AsType</c>) and
/// broadcast as in NumPy. Nothing runs when an operation is built; chains of them fuse into one task per chunk
/// (<see cref="FusedElementwiseNode"/>).
/// </summary>
/// <remarks>
/// Integer arithmetic wraps on overflow, as NumPy's. Integer <c>/</c> is NumPy's floor division (<c>//</c>, rounding
/// toward −∞, so −7 / 2 is −4) and <c>%</c> is NumPy's remainder (the divisor's sign), not C#'s truncating ones;
/// integer division or remainder by zero gives 0 instead of throwing, and MinValue / −1 wraps to MinValue. Floating
/// point follows IEEE 754: x / 0 is ±inf or NaN, and x % 0 is NaN.
/// </remarks>
public static partial class ElementwiseOperators
{
    /// <summary>Arithmetic operators between arrays, and with constants on either side.</summary>
    /// <typeparam name="T">A numeric element type.</typeparam>
    extension<T>(ChunkedArray<T>)
        where T : unmanaged, INumber<T>
    {
        /// <summary>Elementwise sum (wraps for integers).</summary>
        /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
        public static ChunkedArray<T> operator +(ChunkedArray<T> left, ChunkedArray<T> right) => Arithmetic(BinaryOperation.Add, left, right);

        /// <summary>Adds a constant.</summary>
        public static ChunkedArray<T> operator +(ChunkedArray<T> left, T right) => Arithmetic(BinaryOperation.Add, left, right);

        /// <summary>Adds a constant.</summary>
        public static ChunkedArray<T> operator +(T left, ChunkedArray<T> right) => Arithmetic(BinaryOperation.Add, left, right);

        /// <summary>Elementwise difference (wraps for integers).</summary>
        /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
        public static ChunkedArray<T> operator -(ChunkedArray<T> left, ChunkedArray<T> right) => Arithmetic(BinaryOperation.Subtract, left, right);

        /// <summary>Subtracts a constant.</summary>
        public static ChunkedArray<T> operator -(ChunkedArray<T> left, T right) => Arithmetic(BinaryOperation.Subtract, left, right);

        /// <summary>Subtracts from a constant.</summary>
        public static ChunkedArray<T> operator -(T left, ChunkedArray<T> right) => Arithmetic(BinaryOperation.Subtract, left, right);

        /// <summary>Elementwise product (wraps for integers).</summary>
        /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
        public static ChunkedArray<T> operator *(ChunkedArray<T> left, ChunkedArray<T> right) => Arithmetic(BinaryOperation.Multiply, left, right);

        /// <summary>Multiplies by a constant.</summary>
        public static ChunkedArray<T> operator *(ChunkedArray<T> left, T right) => Arithmetic(BinaryOperation.Multiply, left, right);

        /// <summary>Multiplies by a constant.</summary>
        public static ChunkedArray<T> operator *(T left, ChunkedArray<T> right) => Arithmetic(BinaryOperation.Multiply, left, right);

        /// <summary>Elementwise quotient: true division for floating point, NumPy floor division for integers (x / 0 is 0).</summary>
        /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
        public static ChunkedArray<T> operator /(ChunkedArray<T> left, ChunkedArray<T> right) => Arithmetic(BinaryOperation.Divide, left, right);

        /// <summary>Divides by a constant (see the array overload).</summary>
        public static ChunkedArray<T> operator /(ChunkedArray<T> left, T right) => Arithmetic(BinaryOperation.Divide, left, right);

        /// <summary>Divides a constant (see the array overload).</summary>
        public static ChunkedArray<T> operator /(T left, ChunkedArray<T> right) => Arithmetic(BinaryOperation.Divide, left, right);

        /// <summary>NumPy <c>remainder</c>: the result has the divisor's sign; integer x % 0 is 0, floating-point x % 0 is NaN.</summary>
        /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
        public static ChunkedArray<T> operator %(ChunkedArray<T> left, ChunkedArray<T> right) => Arithmetic(BinaryOperation.Remainder, left, right);

        /// <summary>Remainder by a constant (see the array overload).</summary>
        public static ChunkedArray<T> operator %(ChunkedArray<T> left, T right) => Arithmetic(BinaryOperation.Remainder, left, right);

        /// <summary>Remainder of a constant (see the array overload).</summary>
        public static ChunkedArray<T> operator %(T left, ChunkedArray<T> right) => Arithmetic(BinaryOperation.Remainder, left, right);

        /// <summary>Elementwise negation (wraps for integers: −MinValue is MinValue).</summary>
        public static ChunkedArray<T> operator -(ChunkedArray<T> operand) => ElementwiseBuilder.Unary<T, T>(operand, x => new UnaryExpression<T>(UnaryOperation.Negate, x));
    }

    private static ChunkedArray<T> Arithmetic<T>(BinaryOperation operation, ChunkedArray<T> left, ChunkedArray<T> right)
        where T : unmanaged, INumber<T> =>
        ElementwiseBuilder.Binary<T, T>(left, right, (l, r) => new BinaryExpression<T>(operation, l, r));

    private static ChunkedArray<T> Arithmetic<T>(BinaryOperation operation, ChunkedArray<T> left, T right)
        where T : unmanaged, INumber<T> =>
        ElementwiseBuilder.Unary<T, T>(left, l => new BinaryExpression<T>(operation, l, new ScalarExpression<T>(right)));

    private static ChunkedArray<T> Arithmetic<T>(BinaryOperation operation, T left, ChunkedArray<T> right)
        where T : unmanaged, INumber<T> =>
        ElementwiseBuilder.Unary<T, T>(right, r => new BinaryExpression<T>(operation, new ScalarExpression<T>(left), r));
}
