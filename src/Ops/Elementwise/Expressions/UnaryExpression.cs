using System.Numerics;
using System.Numerics.Tensors;

namespace ChunkCompute.Ops;

/// <summary>Negation and absolute value, for every numeric type.</summary>
/// <typeparam name="T">The element type.</typeparam>
internal sealed class UnaryExpression<T> : ElementwiseExpression<T>
    where T : unmanaged, INumber<T>
{
    /// <summary>Creates the expression (<paramref name="operation"/> is <see cref="UnaryOperation.Negate"/> or <see cref="UnaryOperation.Abs"/>).</summary>
    public UnaryExpression(UnaryOperation operation, ElementwiseExpression<T> operand, int slot = -1)
        : base(slot)
    {
        Operation = operation;
        Operand = operand;
    }

    /// <summary>The operation.</summary>
    public UnaryOperation Operation { get; }

    /// <summary>The operand.</summary>
    public ElementwiseExpression<T> Operand { get; }

    /// <inheritdoc/>
    public override string Label => Operation == UnaryOperation.Negate ? "negative" : "abs";

    /// <inheritdoc/>
    public override IReadOnlyList<ElementwiseExpression> Children => [Operand];

    /// <inheritdoc/>
    public override ReadOnlySpan<T> Evaluate(TileState state, Span<T> destination)
    {
        var d = Target(state, destination);
        var x = Operand.Evaluate(state, default);
        if (Operation == UnaryOperation.Negate)
        {
            TensorPrimitives.Negate(x, d);
        }
        else if (ElementwiseKernels.IsFloatingPoint<T>())
        {
            TensorPrimitives.Abs(x, d);
        }
        else
        {
            // TensorPrimitives.Abs throws on MinValue; NumPy wraps.
            for (int i = 0; i < d.Length; i++)
            {
                d[i] = T.IsNegative(x[i]) ? -x[i] : x[i];
            }
        }

        return d;
    }

    /// <inheritdoc/>
    protected override ElementwiseExpression BindCore(ExpressionBinder binder) =>
        new UnaryExpression<T>(Operation, (ElementwiseExpression<T>)Operand.Bind(binder), binder.NewSlot(Label));
}
