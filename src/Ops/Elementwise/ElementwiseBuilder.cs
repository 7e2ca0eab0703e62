using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>
/// Builds elementwise arrays: computes the broadcast grid, turns each operand into an expression (inlining an
/// elementwise operand of the output's shape — the fusion step) and wraps the tree in a <see cref="FusedElementwiseNode"/>.
/// </summary>
internal static class ElementwiseBuilder
{
    /// <summary>The expression reading <paramref name="array"/> inside an operation whose output has <paramref name="outputShape"/>.</summary>
    public static ElementwiseExpression<T> Operand<T>(ChunkedArray<T> array, IReadOnlyList<long> outputShape)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        return array.Node is FusedElementwiseNode fused
            && fused.Operations.Count < FusedElementwiseNode.MaxOperations
            && fused.Grid.Shape.SequenceEqual(outputShape)
            && fused.Root is ElementwiseExpression<T> root
            ? root
            : new LeafExpression<T>(array.Node);
    }

    /// <summary>Wraps <paramref name="root"/> as an array on <paramref name="grid"/>.</summary>
    public static ChunkedArray<T> Create<T>(ElementwiseExpression<T> root, ChunkGrid grid)
        where T : unmanaged => new(new FusedElementwiseNode(root, grid));

    /// <summary>A function of one array.</summary>
    public static ChunkedArray<TOut> Unary<T, TOut>(ChunkedArray<T> x, Func<ElementwiseExpression<T>, ElementwiseExpression<TOut>> build)
        where T : unmanaged
        where TOut : unmanaged
    {
        ArgumentNullException.ThrowIfNull(x);
        return Create(build(Operand(x, x.Shape)), x.Chunks);
    }

    /// <summary>A function of two broadcast arrays.</summary>
    public static ChunkedArray<TOut> Binary<T, TOut>(ChunkedArray<T> left, ChunkedArray<T> right, Func<ElementwiseExpression<T>, ElementwiseExpression<T>, ElementwiseExpression<TOut>> build)
        where T : unmanaged
        where TOut : unmanaged
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        var grid = Broadcasting.Grid(left.Chunks, right.Chunks);
        return Create(build(Operand(left, grid.Shape), Operand(right, grid.Shape)), grid);
    }
}
