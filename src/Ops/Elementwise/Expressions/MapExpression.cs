using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>
/// A per-element function <typeparamref name="TIn"/> → <typeparamref name="TOut"/> given as a delegate (complex parts,
/// conjugates and magnitudes; datetime differences). The result type may be given (a timedelta64 with its unit).
/// </summary>
/// <typeparam name="TIn">The operand's element type.</typeparam>
/// <typeparam name="TOut">The result's element type.</typeparam>
internal sealed class MapExpression<TIn, TOut> : ElementwiseExpression<TOut>
    where TIn : unmanaged
    where TOut : unmanaged
{
    private readonly string _label;
    private readonly Func<TIn, TOut> _function;

    /// <summary>Creates the expression.</summary>
    public MapExpression(string label, Func<TIn, TOut> function, ElementwiseExpression<TIn> operand, DataType? resultType = null, int slot = -1)
        : base(resultType ?? DataType.Of<TOut>(), slot)
    {
        _label = label;
        _function = function;
        Operand = operand;
    }

    /// <summary>The operand.</summary>
    public ElementwiseExpression<TIn> Operand { get; }

    /// <inheritdoc/>
    public override string Label => _label;

    /// <inheritdoc/>
    public override IReadOnlyList<ElementwiseExpression> Children => [Operand];

    /// <inheritdoc/>
    public override ReadOnlySpan<TOut> Evaluate(TileState state, Span<TOut> destination)
    {
        var d = Target(state, destination);
        var x = Operand.Evaluate(state, default);
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = _function(x[i]);
        }

        return d;
    }

    /// <inheritdoc/>
    protected override ElementwiseExpression BindCore(ExpressionBinder binder) =>
        new MapExpression<TIn, TOut>(_label, _function, (ElementwiseExpression<TIn>)Operand.Bind(binder), DataType, binder.NewSlot(Label));
}

/// <summary>A per-element function of two operands of one type (datetime64 − datetime64 → timedelta64).</summary>
/// <typeparam name="TIn">The operands' element type.</typeparam>
/// <typeparam name="TOut">The result's element type.</typeparam>
internal sealed class Map2Expression<TIn, TOut> : ElementwiseExpression<TOut>
    where TIn : unmanaged
    where TOut : unmanaged
{
    private readonly string _label;
    private readonly Func<TIn, TIn, TOut> _function;

    /// <summary>Creates the expression.</summary>
    public Map2Expression(string label, Func<TIn, TIn, TOut> function, ElementwiseExpression<TIn> left, ElementwiseExpression<TIn> right, DataType resultType, int slot = -1)
        : base(resultType, slot)
    {
        _label = label;
        _function = function;
        Left = left;
        Right = right;
    }

    /// <summary>The left operand.</summary>
    public ElementwiseExpression<TIn> Left { get; }

    /// <summary>The right operand.</summary>
    public ElementwiseExpression<TIn> Right { get; }

    /// <inheritdoc/>
    public override string Label => _label;

    /// <inheritdoc/>
    public override IReadOnlyList<ElementwiseExpression> Children => [Left, Right];

    /// <inheritdoc/>
    public override ReadOnlySpan<TOut> Evaluate(TileState state, Span<TOut> destination)
    {
        var d = Target(state, destination);
        var l = Left.Evaluate(state, default);
        var r = Right.Evaluate(state, default);
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = _function(l[i], r[i]);
        }

        return d;
    }

    /// <inheritdoc/>
    protected override ElementwiseExpression BindCore(ExpressionBinder binder) =>
        new Map2Expression<TIn, TOut>(_label, _function, (ElementwiseExpression<TIn>)Left.Bind(binder), (ElementwiseExpression<TIn>)Right.Bind(binder), DataType, binder.NewSlot(Label));
}
