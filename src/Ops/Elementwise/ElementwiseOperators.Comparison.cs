using System.Numerics;
using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>Comparisons, producing <c>ChunkedArray&lt;bool&gt;</c>.</summary>
/// <remarks>
/// <c>==</c> and <c>!=</c> are methods (<c>Equal</c>, <c>NotEqual</c>), not operators: as operators on a reference
/// type they would replace reference equality wherever this namespace is imported (<c>array == null</c> would build
/// an elementwise comparison). The ordering comparisons are also operators.
/// </remarks>
public static partial class ElementwiseOperators
{
    /// <summary>Ordering operators between arrays, and with constants on either side.</summary>
    /// <typeparam name="T">A numeric element type.</typeparam>
    extension<T>(ChunkedArray<T>)
        where T : unmanaged, INumber<T>
    {
        /// <summary>Elementwise <c>&lt;</c> (false where either is NaN).</summary>
        /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
        public static ChunkedArray<bool> operator <(ChunkedArray<T> left, ChunkedArray<T> right) => Compare(ComparisonOperation.Less, left, right);

        /// <summary>Elementwise <c>&gt;</c> (false where either is NaN).</summary>
        /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
        public static ChunkedArray<bool> operator >(ChunkedArray<T> left, ChunkedArray<T> right) => Compare(ComparisonOperation.Greater, left, right);

        /// <summary>Elementwise <c>&lt;=</c> (false where either is NaN).</summary>
        /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
        public static ChunkedArray<bool> operator <=(ChunkedArray<T> left, ChunkedArray<T> right) => Compare(ComparisonOperation.LessOrEqual, left, right);

        /// <summary>Elementwise <c>&gt;=</c> (false where either is NaN).</summary>
        /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
        public static ChunkedArray<bool> operator >=(ChunkedArray<T> left, ChunkedArray<T> right) => Compare(ComparisonOperation.GreaterOrEqual, left, right);

        /// <summary>Elementwise <c>&lt;</c> against a constant.</summary>
        public static ChunkedArray<bool> operator <(ChunkedArray<T> left, T right) => Compare(ComparisonOperation.Less, left, right);

        /// <summary>Elementwise <c>&gt;</c> against a constant.</summary>
        public static ChunkedArray<bool> operator >(ChunkedArray<T> left, T right) => Compare(ComparisonOperation.Greater, left, right);

        /// <summary>Elementwise <c>&lt;=</c> against a constant.</summary>
        public static ChunkedArray<bool> operator <=(ChunkedArray<T> left, T right) => Compare(ComparisonOperation.LessOrEqual, left, right);

        /// <summary>Elementwise <c>&gt;=</c> against a constant.</summary>
        public static ChunkedArray<bool> operator >=(ChunkedArray<T> left, T right) => Compare(ComparisonOperation.GreaterOrEqual, left, right);

        /// <summary>Elementwise <c>&lt;</c> of a constant.</summary>
        public static ChunkedArray<bool> operator <(T left, ChunkedArray<T> right) => Compare(ComparisonOperation.Less, left, right);

        /// <summary>Elementwise <c>&gt;</c> of a constant.</summary>
        public static ChunkedArray<bool> operator >(T left, ChunkedArray<T> right) => Compare(ComparisonOperation.Greater, left, right);

        /// <summary>Elementwise <c>&lt;=</c> of a constant.</summary>
        public static ChunkedArray<bool> operator <=(T left, ChunkedArray<T> right) => Compare(ComparisonOperation.LessOrEqual, left, right);

        /// <summary>Elementwise <c>&gt;=</c> of a constant.</summary>
        public static ChunkedArray<bool> operator >=(T left, ChunkedArray<T> right) => Compare(ComparisonOperation.GreaterOrEqual, left, right);
    }

    /// <summary>Named comparisons (NumPy <c>equal</c>, <c>not_equal</c>, <c>less</c>, …).</summary>
    /// <param name="x">The left operand.</param>
    /// <typeparam name="T">A numeric element type.</typeparam>
    extension<T>(ChunkedArray<T> x)
        where T : unmanaged, INumber<T>
    {
        /// <summary>Elementwise <c>==</c> (NaN equals nothing).</summary>
        /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
        public ChunkedArray<bool> Equal(ChunkedArray<T> other) => Compare(ComparisonOperation.Equal, x, other);

        /// <summary>Elementwise <c>==</c> against a constant.</summary>
        public ChunkedArray<bool> Equal(T other) => Compare(ComparisonOperation.Equal, x, other);

        /// <summary>Elementwise <c>!=</c> (true where either is NaN).</summary>
        /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
        public ChunkedArray<bool> NotEqual(ChunkedArray<T> other) => Compare(ComparisonOperation.NotEqual, x, other);

        /// <summary>Elementwise <c>!=</c> against a constant.</summary>
        public ChunkedArray<bool> NotEqual(T other) => Compare(ComparisonOperation.NotEqual, x, other);

        /// <summary>Elementwise <c>&lt;</c>.</summary>
        /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
        public ChunkedArray<bool> Less(ChunkedArray<T> other) => Compare(ComparisonOperation.Less, x, other);

        /// <summary>Elementwise <c>&lt;</c> against a constant.</summary>
        public ChunkedArray<bool> Less(T other) => Compare(ComparisonOperation.Less, x, other);

        /// <summary>Elementwise <c>&lt;=</c>.</summary>
        /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
        public ChunkedArray<bool> LessOrEqual(ChunkedArray<T> other) => Compare(ComparisonOperation.LessOrEqual, x, other);

        /// <summary>Elementwise <c>&lt;=</c> against a constant.</summary>
        public ChunkedArray<bool> LessOrEqual(T other) => Compare(ComparisonOperation.LessOrEqual, x, other);

        /// <summary>Elementwise <c>&gt;</c>.</summary>
        /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
        public ChunkedArray<bool> Greater(ChunkedArray<T> other) => Compare(ComparisonOperation.Greater, x, other);

        /// <summary>Elementwise <c>&gt;</c> against a constant.</summary>
        public ChunkedArray<bool> Greater(T other) => Compare(ComparisonOperation.Greater, x, other);

        /// <summary>Elementwise <c>&gt;=</c>.</summary>
        /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
        public ChunkedArray<bool> GreaterOrEqual(ChunkedArray<T> other) => Compare(ComparisonOperation.GreaterOrEqual, x, other);

        /// <summary>Elementwise <c>&gt;=</c> against a constant.</summary>
        public ChunkedArray<bool> GreaterOrEqual(T other) => Compare(ComparisonOperation.GreaterOrEqual, x, other);

        /// <summary>NumPy <c>isnan</c>: true for NaN elements (never for integers).</summary>
        public ChunkedArray<bool> IsNaN() => ElementwiseBuilder.Unary<T, bool>(x, e => new IsNaNExpression<T>(e));
    }

    private static ChunkedArray<bool> Compare<T>(ComparisonOperation operation, ChunkedArray<T> left, ChunkedArray<T> right)
        where T : unmanaged, INumber<T> =>
        ElementwiseBuilder.Binary<T, bool>(left, right, (l, r) => new ComparisonExpression<T>(operation, l, r));

    private static ChunkedArray<bool> Compare<T>(ComparisonOperation operation, ChunkedArray<T> left, T right)
        where T : unmanaged, INumber<T> =>
        ElementwiseBuilder.Unary<T, bool>(left, l => new ComparisonExpression<T>(operation, l, new ScalarExpression<T>(right)));

    private static ChunkedArray<bool> Compare<T>(ComparisonOperation operation, T left, ChunkedArray<T> right)
        where T : unmanaged, INumber<T> =>
        ElementwiseBuilder.Unary<T, bool>(right, r => new ComparisonExpression<T>(operation, new ScalarExpression<T>(left), r));
}
