using System.Numerics;

namespace ChunkCompute.Ops;

/// <summary>Comparisons to booleans: one switch per tile, then a loop specialized for the operator.</summary>
internal static partial class ElementwiseKernels
{
    /// <summary><c>x op y</c> elementwise.</summary>
    public static void Compare<T>(ComparisonOperation operation, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<bool> destination)
        where T : INumber<T>
    {
        switch (operation)
        {
            case ComparisonOperation.Equal: Apply<T, bool, EqualOperator<T>>(x, y, destination); break;
            case ComparisonOperation.NotEqual: Apply<T, bool, NotEqualOperator<T>>(x, y, destination); break;
            case ComparisonOperation.Less: Apply<T, bool, LessOperator<T>>(x, y, destination); break;
            case ComparisonOperation.LessOrEqual: Apply<T, bool, LessOrEqualOperator<T>>(x, y, destination); break;
            case ComparisonOperation.Greater: Apply<T, bool, GreaterOperator<T>>(x, y, destination); break;
            default: Apply<T, bool, GreaterOrEqualOperator<T>>(x, y, destination); break;
        }
    }

    /// <summary><c>x op y</c> with a constant <paramref name="y"/>.</summary>
    public static void Compare<T>(ComparisonOperation operation, ReadOnlySpan<T> x, T y, Span<bool> destination)
        where T : INumber<T>
    {
        switch (operation)
        {
            case ComparisonOperation.Equal: Apply<T, bool, EqualOperator<T>>(x, y, destination); break;
            case ComparisonOperation.NotEqual: Apply<T, bool, NotEqualOperator<T>>(x, y, destination); break;
            case ComparisonOperation.Less: Apply<T, bool, LessOperator<T>>(x, y, destination); break;
            case ComparisonOperation.LessOrEqual: Apply<T, bool, LessOrEqualOperator<T>>(x, y, destination); break;
            case ComparisonOperation.Greater: Apply<T, bool, GreaterOperator<T>>(x, y, destination); break;
            default: Apply<T, bool, GreaterOrEqualOperator<T>>(x, y, destination); break;
        }
    }

    /// <summary><c>x op y</c> with a constant <paramref name="x"/>.</summary>
    public static void Compare<T>(ComparisonOperation operation, T x, ReadOnlySpan<T> y, Span<bool> destination)
        where T : INumber<T>
    {
        switch (operation)
        {
            case ComparisonOperation.Equal: Apply<T, bool, EqualOperator<T>>(x, y, destination); break;
            case ComparisonOperation.NotEqual: Apply<T, bool, NotEqualOperator<T>>(x, y, destination); break;
            case ComparisonOperation.Less: Apply<T, bool, LessOperator<T>>(x, y, destination); break;
            case ComparisonOperation.LessOrEqual: Apply<T, bool, LessOrEqualOperator<T>>(x, y, destination); break;
            case ComparisonOperation.Greater: Apply<T, bool, GreaterOperator<T>>(x, y, destination); break;
            default: Apply<T, bool, GreaterOrEqualOperator<T>>(x, y, destination); break;
        }
    }
}
