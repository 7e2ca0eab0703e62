using System.Numerics;

namespace ChunkCompute.Ops;

/// <summary>
/// <c>left op right</c> over one numeric type. A constant operand uses the TensorPrimitives scalar overloads, so it
/// is never materialized; two constant operations in a row on floats run as one pass (<see cref="ScalarPairKernels"/>).
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
internal sealed class BinaryExpression<T> : ElementwiseExpression<T>
    where T : unmanaged, INumber<T>
{
    /// <summary>Creates the expression.</summary>
    public BinaryExpression(BinaryOperation operation, ElementwiseExpression<T> left, ElementwiseExpression<T> right, int slot = -1)
        : base(slot)
    {
        Operation = operation;
        Left = left;
        Right = right;
    }

    /// <summary>The operation.</summary>
    public BinaryOperation Operation { get; }

    /// <summary>The left operand.</summary>
    public ElementwiseExpression<T> Left { get; }

    /// <summary>The right operand.</summary>
    public ElementwiseExpression<T> Right { get; }

    /// <inheritdoc/>
    public override string Label => Operation switch
    {
        BinaryOperation.Add => "add",
        BinaryOperation.Subtract => "subtract",
        BinaryOperation.Multiply => "multiply",
        BinaryOperation.Divide => ElementwiseKernels.IsFloatingPoint<T>() ? "divide" : "floor-divide",
        BinaryOperation.Remainder => "remainder",
        _ => "power",
    };

    /// <inheritdoc/>
    public override IReadOnlyList<ElementwiseExpression> Children => [Left, Right];

    /// <inheritdoc/>
    public override ReadOnlySpan<T> Evaluate(TileState state, Span<T> destination)
    {
        var d = Target(state, destination);
        if (Right is ScalarExpression<T> outer && Left is BinaryExpression<T> { Right: ScalarExpression<T> inner } first
            && ScalarPairKernels.Supports<T>(first.Operation, Operation))
        {
            // (x op1 a) op2 b: one pass, the same rounding as two, the intermediate tile never written.
            ScalarPairKernels.Apply(first.Operation, inner.Value, Operation, outer.Value, first.Left.Evaluate(state, default), d);
        }
        else if (Right is ScalarExpression<T> rs)
        {
            ElementwiseKernels.Binary(Operation, Left.Evaluate(state, default), rs.Value, d);
        }
        else if (Left is ScalarExpression<T> ls)
        {
            ElementwiseKernels.Binary(Operation, ls.Value, Right.Evaluate(state, default), d);
        }
        else
        {
            ElementwiseKernels.Binary(Operation, Left.Evaluate(state, default), Right.Evaluate(state, default), d);
        }

        return d;
    }

    /// <inheritdoc/>
    protected override ElementwiseExpression BindCore(ExpressionBinder binder)
    {
        var left = (ElementwiseExpression<T>)Left.Bind(binder);
        var right = (ElementwiseExpression<T>)Right.Bind(binder);
        return new BinaryExpression<T>(Operation, left, right, binder.NewSlot(Label));
    }
}
