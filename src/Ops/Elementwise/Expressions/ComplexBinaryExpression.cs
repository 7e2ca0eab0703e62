using System.Numerics;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary><c>left op right</c> (+ − × ÷) over complex64 (<see cref="Complex32"/>) or complex128 (<see cref="Complex"/>).</summary>
/// <typeparam name="T"><see cref="Complex32"/> or <see cref="Complex"/>.</typeparam>
internal sealed class ComplexBinaryExpression<T> : ElementwiseExpression<T>
    where T : unmanaged
{
    /// <summary>Creates the expression.</summary>
    public ComplexBinaryExpression(BinaryOperation operation, ElementwiseExpression<T> left, ElementwiseExpression<T> right, int slot = -1)
        : base(slot)
    {
        if (typeof(T) != typeof(Complex) && typeof(T) != typeof(Complex32))
        {
            throw new NotSupportedException($"complex arithmetic on {typeof(T).Name}");
        }

        if (operation is not (BinaryOperation.Add or BinaryOperation.Subtract or BinaryOperation.Multiply or BinaryOperation.Divide))
        {
            throw new NotSupportedException($"{operation} is not defined for complex numbers");
        }

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
        _ => "divide",
    };

    /// <inheritdoc/>
    public override IReadOnlyList<ElementwiseExpression> Children => [Left, Right];

    /// <inheritdoc/>
    public override ReadOnlySpan<T> Evaluate(TileState state, Span<T> destination)
    {
        var d = Target(state, destination);
        if (Right is ScalarExpression<T> rs)
        {
            var l = Left.Evaluate(state, default);
            for (int i = 0; i < d.Length; i++)
            {
                d[i] = ComplexMath.Apply(Operation, l[i], rs.Value);
            }
        }
        else if (Left is ScalarExpression<T> ls)
        {
            var r = Right.Evaluate(state, default);
            for (int i = 0; i < d.Length; i++)
            {
                d[i] = ComplexMath.Apply(Operation, ls.Value, r[i]);
            }
        }
        else
        {
            var l = Left.Evaluate(state, default);
            var r = Right.Evaluate(state, default);
            for (int i = 0; i < d.Length; i++)
            {
                d[i] = ComplexMath.Apply(Operation, l[i], r[i]);
            }
        }

        return d;
    }

    /// <inheritdoc/>
    protected override ElementwiseExpression BindCore(ExpressionBinder binder)
    {
        var left = (ElementwiseExpression<T>)Left.Bind(binder);
        var right = (ElementwiseExpression<T>)Right.Bind(binder);
        return new ComplexBinaryExpression<T>(Operation, left, right, binder.NewSlot(Label));
    }
}
