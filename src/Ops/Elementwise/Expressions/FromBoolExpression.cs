using System.Numerics;

namespace ChunkCompute.Ops;

/// <summary>NumPy <c>bool.astype(T)</c>: 1 for true, 0 for false.</summary>
/// <typeparam name="TTo">The target type.</typeparam>
internal sealed class FromBoolExpression<TTo> : ElementwiseExpression<TTo>
    where TTo : unmanaged, INumber<TTo>
{
    /// <summary>Creates the expression.</summary>
    public FromBoolExpression(ElementwiseExpression<bool> operand, int slot = -1)
        : base(slot)
    {
        Operand = operand;
    }

    /// <summary>The operand.</summary>
    public ElementwiseExpression<bool> Operand { get; }

    /// <inheritdoc/>
    public override string Label => "astype-" + DataType.Name;

    /// <inheritdoc/>
    public override IReadOnlyList<ElementwiseExpression> Children => [Operand];

    /// <inheritdoc/>
    public override ReadOnlySpan<TTo> Evaluate(TileState state, Span<TTo> destination)
    {
        var d = Target(state, destination);
        var x = Operand.Evaluate(state, default);
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = x[i] ? TTo.One : TTo.Zero;
        }

        return d;
    }

    /// <inheritdoc/>
    protected override ElementwiseExpression BindCore(ExpressionBinder binder) =>
        new FromBoolExpression<TTo>((ElementwiseExpression<bool>)Operand.Bind(binder), binder.NewSlot(Label));
}
