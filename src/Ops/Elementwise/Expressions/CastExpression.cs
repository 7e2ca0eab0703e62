using System.Numerics;

namespace ChunkCompute.Ops;

/// <summary>
/// NumPy <c>astype</c> between numeric types: to floating point, the nearest value (overflow to ±inf); integer to
/// integer wraps (keeps the low bits); floating point to integer truncates toward zero, and — where NumPy's result is
/// platform-defined — NaN becomes 0 and out-of-range values saturate to the target's MinValue/MaxValue.
/// </summary>
/// <typeparam name="TFrom">The source type.</typeparam>
/// <typeparam name="TTo">The target type.</typeparam>
internal sealed class CastExpression<TFrom, TTo> : ElementwiseExpression<TTo>
    where TFrom : unmanaged, INumber<TFrom>
    where TTo : unmanaged, INumber<TTo>
{
    /// <summary>Creates the expression.</summary>
    public CastExpression(ElementwiseExpression<TFrom> operand, int slot = -1)
        : base(slot)
    {
        Operand = operand;
    }

    /// <summary>The operand.</summary>
    public ElementwiseExpression<TFrom> Operand { get; }

    /// <inheritdoc/>
    public override string Label => "astype-" + DataType.Name;

    /// <inheritdoc/>
    public override IReadOnlyList<ElementwiseExpression> Children => [Operand];

    /// <inheritdoc/>
    public override ReadOnlySpan<TTo> Evaluate(TileState state, Span<TTo> destination)
    {
        var d = Target(state, destination);
        var x = Operand.Evaluate(state, default);
        if (ElementwiseKernels.IsFloatingPoint<TTo>() || !ElementwiseKernels.IsFloatingPoint<TFrom>())
        {
            for (int i = 0; i < d.Length; i++)
            {
                d[i] = TTo.CreateTruncating(x[i]);
            }
        }
        else
        {
            for (int i = 0; i < d.Length; i++)
            {
                d[i] = TTo.CreateSaturating(x[i]);
            }
        }

        return d;
    }

    /// <inheritdoc/>
    protected override ElementwiseExpression BindCore(ExpressionBinder binder) =>
        new CastExpression<TFrom, TTo>((ElementwiseExpression<TFrom>)Operand.Bind(binder), binder.NewSlot(Label));
}
