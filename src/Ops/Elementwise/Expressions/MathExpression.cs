using System.Numerics;
using System.Numerics.Tensors;

namespace ChunkCompute.Ops;

/// <summary>Floating-point functions (sqrt, exp, log, sin, cos, tanh, floor, ceil, round) through TensorPrimitives.</summary>
/// <typeparam name="T">A floating-point element type.</typeparam>
internal sealed class MathExpression<T> : ElementwiseExpression<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the expression.</summary>
    public MathExpression(UnaryOperation operation, ElementwiseExpression<T> operand, int slot = -1)
        : base(slot)
    {
        Operation = operation;
        Operand = operand;
    }

    /// <summary>The function.</summary>
    public UnaryOperation Operation { get; }

    /// <summary>The operand.</summary>
    public ElementwiseExpression<T> Operand { get; }

    /// <inheritdoc/>
    public override string Label => Operation switch
    {
        UnaryOperation.Sqrt => "sqrt",
        UnaryOperation.Exp => "exp",
        UnaryOperation.Log => "log",
        UnaryOperation.Sin => "sin",
        UnaryOperation.Cos => "cos",
        UnaryOperation.Tanh => "tanh",
        UnaryOperation.Floor => "floor",
        UnaryOperation.Ceiling => "ceil",
        _ => "round",
    };

    /// <inheritdoc/>
    public override IReadOnlyList<ElementwiseExpression> Children => [Operand];

    /// <inheritdoc/>
    public override ReadOnlySpan<T> Evaluate(TileState state, Span<T> destination)
    {
        var d = Target(state, destination);
        var x = Operand.Evaluate(state, default);
        switch (Operation)
        {
            case UnaryOperation.Sqrt: TensorPrimitives.Sqrt(x, d); break;
            case UnaryOperation.Exp: TensorPrimitives.Exp(x, d); break;
            case UnaryOperation.Log: TensorPrimitives.Log(x, d); break;
            case UnaryOperation.Sin: TensorPrimitives.Sin(x, d); break;
            case UnaryOperation.Cos: TensorPrimitives.Cos(x, d); break;
            case UnaryOperation.Tanh: TensorPrimitives.Tanh(x, d); break;
            case UnaryOperation.Floor: TensorPrimitives.Floor(x, d); break;
            case UnaryOperation.Ceiling: TensorPrimitives.Ceiling(x, d); break;
            case UnaryOperation.Round: TensorPrimitives.Round(x, MidpointRounding.ToEven, d); break;
            default: throw new InvalidOperationException($"{Operation} is not a floating-point function");
        }

        return d;
    }

    /// <inheritdoc/>
    protected override ElementwiseExpression BindCore(ExpressionBinder binder) =>
        new MathExpression<T>(Operation, (ElementwiseExpression<T>)Operand.Bind(binder), binder.NewSlot(Label));
}
