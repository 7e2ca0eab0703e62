using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>A leaf: the data of a non-elementwise node (a source, a reduction, a user kernel…).</summary>
/// <typeparam name="T">The element type.</typeparam>
internal sealed class LeafExpression<T> : ElementwiseExpression<T>
    where T : unmanaged
{
    /// <summary>Creates a leaf over <paramref name="node"/>; <paramref name="input"/> is its input number once bound.</summary>
    public LeafExpression(ArrayNode node, int input = -1)
        : base(node.DataType, -1)
    {
        Node = node;
        Input = input;
    }

    /// <summary>The node read.</summary>
    public ArrayNode Node { get; }

    /// <summary>The input number in the bound node (−1 when unbound).</summary>
    public int Input { get; }

    /// <inheritdoc/>
    public override string Label => string.Empty;

    /// <inheritdoc/>
    public override IReadOnlyList<ElementwiseExpression> Children => [];

    /// <inheritdoc/>
    public override ReadOnlySpan<T> Evaluate(TileState state, Span<T> destination) => state.Leaf<T>(Input);

    /// <inheritdoc/>
    protected override ElementwiseExpression BindCore(ExpressionBinder binder) => new LeafExpression<T>(Node, binder.LeafIndex(Node));
}
