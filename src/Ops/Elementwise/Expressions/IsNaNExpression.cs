using System.Numerics;

namespace ChunkCompute.Ops;

/// <summary>NumPy <c>isnan</c>: true for NaN elements (always false for integers).</summary>
/// <typeparam name="T">The operand type.</typeparam>
internal sealed class IsNaNExpression<T> : ElementwiseExpression<bool>
    where T : unmanaged, INumber<T>
{
    /// <summary>Creates the expression.</summary>
    public IsNaNExpression(ElementwiseExpression<T> operand, int slot = -1)
        : base(slot)
    {
        Operand = operand;
    }

    /// <summary>The operand.</summary>
    public ElementwiseExpression<T> Operand { get; }

    /// <inheritdoc/>
    public override string Label => "isnan";

    /// <inheritdoc/>
    public override IReadOnlyList<ElementwiseExpression> Children => [Operand];

    /// <inheritdoc/>
    public override ReadOnlySpan<bool> Evaluate(TileState state, Span<bool> destination)
    {
        var d = Target(state, destination);
        var x = Operand.Evaluate(state, default);
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = T.IsNaN(x[i]);
        }

        return d;
    }

    /// <inheritdoc/>
    protected override ElementwiseExpression BindCore(ExpressionBinder binder) =>
        new IsNaNExpression<T>((ElementwiseExpression<T>)Operand.Bind(binder), binder.NewSlot(Label));
}
