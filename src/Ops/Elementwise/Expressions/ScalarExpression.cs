namespace ChunkCompute.Ops;

/// <summary>A constant operand (<c>x + 1</c>). Binary operators read <see cref="Value"/> directly; others get a filled tile.</summary>
/// <typeparam name="T">The element type.</typeparam>
internal sealed class ScalarExpression<T> : ElementwiseExpression<T>
    where T : unmanaged
{
    /// <summary>Creates the constant.</summary>
    public ScalarExpression(T value, int slot = -1)
        : base(slot)
    {
        Value = value;
    }

    /// <summary>The value.</summary>
    public T Value { get; }

    /// <inheritdoc/>
    public override string Label => string.Empty;

    /// <inheritdoc/>
    public override IReadOnlyList<ElementwiseExpression> Children => [];

    /// <inheritdoc/>
    public override ReadOnlySpan<T> Evaluate(TileState state, Span<T> destination)
    {
        var d = Target(state, destination);
        d.Fill(Value);
        return d;
    }

    /// <inheritdoc/>
    protected override ElementwiseExpression BindCore(ExpressionBinder binder) => new ScalarExpression<T>(Value, binder.NewSlot(string.Empty));
}
