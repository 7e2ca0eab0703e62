using System.Numerics;

namespace ChunkCompute.Ops;

/// <summary><c>left op right</c> as booleans.</summary>
/// <typeparam name="T">The operand type.</typeparam>
internal sealed class ComparisonExpression<T> : ElementwiseExpression<bool>
    where T : unmanaged, INumber<T>
{
    /// <summary>Creates the expression.</summary>
    public ComparisonExpression(ComparisonOperation operation, ElementwiseExpression<T> left, ElementwiseExpression<T> right, int slot = -1)
        : base(slot)
    {
        Operation = operation;
        Left = left;
        Right = right;
    }

    /// <summary>The comparison.</summary>
    public ComparisonOperation Operation { get; }

    /// <summary>The left operand.</summary>
    public ElementwiseExpression<T> Left { get; }

    /// <summary>The right operand.</summary>
    public ElementwiseExpression<T> Right { get; }

    /// <inheritdoc/>
    public override string Label => Operation switch
    {
        ComparisonOperation.Equal => "equal",
        ComparisonOperation.NotEqual => "not-equal",
        ComparisonOperation.Less => "less",
        ComparisonOperation.LessOrEqual => "less-equal",
        ComparisonOperation.Greater => "greater",
        _ => "greater-equal",
    };

    /// <inheritdoc/>
    public override IReadOnlyList<ElementwiseExpression> Children => [Left, Right];

    /// <inheritdoc/>
    public override ReadOnlySpan<bool> Evaluate(TileState state, Span<bool> destination)
    {
        var d = Target(state, destination);
        if (Right is ScalarExpression<T> rs)
        {
            ElementwiseKernels.Compare(Operation, Left.Evaluate(state, default), rs.Value, d);
        }
        else if (Left is ScalarExpression<T> ls)
        {
            ElementwiseKernels.Compare(Operation, ls.Value, Right.Evaluate(state, default), d);
        }
        else
        {
            ElementwiseKernels.Compare(Operation, Left.Evaluate(state, default), Right.Evaluate(state, default), d);
        }

        return d;
    }

    /// <inheritdoc/>
    protected override ElementwiseExpression BindCore(ExpressionBinder binder)
    {
        var left = (ElementwiseExpression<T>)Left.Bind(binder);
        var right = (ElementwiseExpression<T>)Right.Bind(binder);
        return new ComparisonExpression<T>(Operation, left, right, binder.NewSlot(Label));
    }
}
