using System.Numerics;
using System.Numerics.Tensors;

namespace ChunkCompute.Ops;

/// <summary>NumPy <c>clip</c>: <c>minimum(maximum(x, min), max)</c>; NaN stays NaN, and min &gt; max gives max.</summary>
/// <typeparam name="T">The element type.</typeparam>
internal sealed class ClipExpression<T> : ElementwiseExpression<T>
    where T : unmanaged, INumber<T>
{
    /// <summary>Creates the expression.</summary>
    public ClipExpression(ElementwiseExpression<T> operand, T min, T max, int slot = -1)
        : base(slot)
    {
        Operand = operand;
        Min = min;
        Max = max;
    }

    /// <summary>The operand.</summary>
    public ElementwiseExpression<T> Operand { get; }

    /// <summary>The lower bound.</summary>
    public T Min { get; }

    /// <summary>The upper bound.</summary>
    public T Max { get; }

    /// <inheritdoc/>
    public override string Label => "clip";

    /// <inheritdoc/>
    public override IReadOnlyList<ElementwiseExpression> Children => [Operand];

    /// <inheritdoc/>
    public override ReadOnlySpan<T> Evaluate(TileState state, Span<T> destination)
    {
        var d = Target(state, destination);
        TensorPrimitives.Max(Operand.Evaluate(state, default), Min, d);
        TensorPrimitives.Min(d, Max, d);
        return d;
    }

    /// <inheritdoc/>
    protected override ElementwiseExpression BindCore(ExpressionBinder binder) =>
        new ClipExpression<T>((ElementwiseExpression<T>)Operand.Bind(binder), Min, Max, binder.NewSlot(Label));
}
