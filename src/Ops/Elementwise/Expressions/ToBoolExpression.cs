using System.Numerics;

namespace ChunkCompute.Ops;

/// <summary>NumPy <c>astype(bool)</c>: true for every non-zero element (NaN included).</summary>
/// <typeparam name="TFrom">The source type.</typeparam>
internal sealed class ToBoolExpression<TFrom> : ElementwiseExpression<bool>
    where TFrom : unmanaged, INumber<TFrom>
{
    /// <summary>Creates the expression.</summary>
    public ToBoolExpression(ElementwiseExpression<TFrom> operand, int slot = -1)
        : base(slot)
    {
        Operand = operand;
    }

    /// <summary>The operand.</summary>
    public ElementwiseExpression<TFrom> Operand { get; }

    /// <inheritdoc/>
    public override string Label => "astype-bool";

    /// <inheritdoc/>
    public override IReadOnlyList<ElementwiseExpression> Children => [Operand];

    /// <inheritdoc/>
    public override ReadOnlySpan<bool> Evaluate(TileState state, Span<bool> destination)
    {
        var d = Target(state, destination);
        var x = Operand.Evaluate(state, default);
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = x[i] != TFrom.Zero;
        }

        return d;
    }

    /// <inheritdoc/>
    protected override ElementwiseExpression BindCore(ExpressionBinder binder) =>
        new ToBoolExpression<TFrom>((ElementwiseExpression<TFrom>)Operand.Bind(binder), binder.NewSlot(Label));
}
