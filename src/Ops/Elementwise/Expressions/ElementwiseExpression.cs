using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>
/// One operation of an elementwise expression tree: a description that a <see cref="FusedElementwiseNode"/> evaluates
/// tile by tile. Trees are immutable; a node binds its own copy (<see cref="Bind"/>) so that leaf numbers and tile
/// slots belong to that node alone, and a later fusion can reuse the tree as a template.
/// </summary>
internal abstract class ElementwiseExpression
{
    /// <summary>Creates an expression producing <paramref name="dataType"/> elements.</summary>
    protected ElementwiseExpression(DataType dataType, int slot)
    {
        DataType = dataType;
        Slot = slot;
    }

    /// <summary>The element type of the result.</summary>
    public DataType DataType { get; }

    /// <summary>The tile slot this expression writes into when bound (−1 for leaves and unbound trees).</summary>
    public int Slot { get; }

    /// <summary>The operation's name (<c>add</c>, <c>exp</c>, …); empty for leaves.</summary>
    public abstract string Label { get; }

    /// <summary>The operands.</summary>
    public abstract IReadOnlyList<ElementwiseExpression> Children { get; }

    /// <summary>A copy of this tree bound to <paramref name="binder"/>'s leaves and slots (shared subtrees stay shared).</summary>
    public ElementwiseExpression Bind(ExpressionBinder binder) => binder.Memo(this, BindCore);

    /// <summary>Builds the bound copy of this expression (children through <see cref="Bind"/>).</summary>
    protected abstract ElementwiseExpression BindCore(ExpressionBinder binder);

    /// <summary>Evaluates the current tile of <paramref name="state"/> into the output chunk at <paramref name="output"/>.</summary>
    public abstract unsafe void EvaluateInto(TileState state, void* output);
}
