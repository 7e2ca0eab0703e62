namespace ChunkCompute.Ops;

/// <summary>NumPy <c>where(cond, a, b)</c>: <c>a</c> where <c>cond</c> is true, else <c>b</c>.</summary>
/// <typeparam name="T">The element type.</typeparam>
internal sealed class WhereExpression<T> : ElementwiseExpression<T>
    where T : unmanaged
{
    /// <summary>Creates the expression.</summary>
    public WhereExpression(ElementwiseExpression<bool> condition, ElementwiseExpression<T> whenTrue, ElementwiseExpression<T> whenFalse, int slot = -1)
        : base(slot)
    {
        Condition = condition;
        WhenTrue = whenTrue;
        WhenFalse = whenFalse;
    }

    /// <summary>The condition.</summary>
    public ElementwiseExpression<bool> Condition { get; }

    /// <summary>The values where the condition holds.</summary>
    public ElementwiseExpression<T> WhenTrue { get; }

    /// <summary>The values elsewhere.</summary>
    public ElementwiseExpression<T> WhenFalse { get; }

    /// <inheritdoc/>
    public override string Label => "where";

    /// <inheritdoc/>
    public override IReadOnlyList<ElementwiseExpression> Children => [Condition, WhenTrue, WhenFalse];

    /// <inheritdoc/>
    public override ReadOnlySpan<T> Evaluate(TileState state, Span<T> destination)
    {
        var d = Target(state, destination);
        var c = Condition.Evaluate(state, default);
        var a = WhenTrue.Evaluate(state, default);
        var b = WhenFalse.Evaluate(state, default);
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = c[i] ? a[i] : b[i];
        }

        return d;
    }

    /// <inheritdoc/>
    protected override ElementwiseExpression BindCore(ExpressionBinder binder)
    {
        var c = (ElementwiseExpression<bool>)Condition.Bind(binder);
        var a = (ElementwiseExpression<T>)WhenTrue.Bind(binder);
        var b = (ElementwiseExpression<T>)WhenFalse.Bind(binder);
        return new WhereExpression<T>(c, a, b, binder.NewSlot(Label));
    }
}
