using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>Selection: NumPy <c>where</c>.</summary>
public static partial class ElementwiseOperators
{
    /// <summary>NumPy <c>where(condition, a, b)</c>: <paramref name="whenTrue"/> where the condition holds, else <paramref name="whenFalse"/>; the three broadcast together.</summary>
    /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
    public static ChunkedArray<T> Where<T>(ChunkedArray<bool> condition, ChunkedArray<T> whenTrue, ChunkedArray<T> whenFalse)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(whenTrue);
        ArgumentNullException.ThrowIfNull(whenFalse);
        var grid = Broadcasting.Grid(condition.Chunks, whenTrue.Chunks, whenFalse.Chunks);
        return Where(condition, grid, ElementwiseBuilder.Operand(whenTrue, grid.Shape), ElementwiseBuilder.Operand(whenFalse, grid.Shape));
    }

    /// <summary>NumPy <c>where</c> with a constant for the false case.</summary>
    /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
    public static ChunkedArray<T> Where<T>(ChunkedArray<bool> condition, ChunkedArray<T> whenTrue, T whenFalse)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(whenTrue);
        var grid = Broadcasting.Grid(condition.Chunks, whenTrue.Chunks);
        return Where(condition, grid, ElementwiseBuilder.Operand(whenTrue, grid.Shape), new ScalarExpression<T>(whenFalse));
    }

    /// <summary>NumPy <c>where</c> with a constant for the true case.</summary>
    /// <exception cref="ArgumentException">The shapes cannot be broadcast together.</exception>
    public static ChunkedArray<T> Where<T>(ChunkedArray<bool> condition, T whenTrue, ChunkedArray<T> whenFalse)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(whenFalse);
        var grid = Broadcasting.Grid(condition.Chunks, whenFalse.Chunks);
        return Where(condition, grid, new ScalarExpression<T>(whenTrue), ElementwiseBuilder.Operand(whenFalse, grid.Shape));
    }

    /// <summary>NumPy <c>where</c> with constants for both cases (the condition's shape and chunks).</summary>
    public static ChunkedArray<T> Where<T>(ChunkedArray<bool> condition, T whenTrue, T whenFalse)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(condition);
        return Where(condition, condition.Chunks, new ScalarExpression<T>(whenTrue), new ScalarExpression<T>(whenFalse));
    }

    private static ChunkedArray<T> Where<T>(ChunkedArray<bool> condition, ChunkGrid grid, ElementwiseExpression<T> whenTrue, ElementwiseExpression<T> whenFalse)
        where T : unmanaged =>
        ElementwiseBuilder.Create(new WhereExpression<T>(ElementwiseBuilder.Operand(condition, grid.Shape), whenTrue, whenFalse), grid);
}
