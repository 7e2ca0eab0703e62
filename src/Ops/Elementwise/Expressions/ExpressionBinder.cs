using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>
/// Binds an expression tree for one <see cref="FusedElementwiseNode"/>: numbers its distinct leaf nodes (the node's
/// inputs) and gives every computing expression its own tile slot. A subtree used twice is bound once.
/// </summary>
internal sealed class ExpressionBinder
{
    private readonly Dictionary<ElementwiseExpression, ElementwiseExpression> _memo = new(ReferenceEqualityComparer.Instance);
    private readonly List<ArrayNode> _leaves = [];
    private readonly List<string> _labels = [];

    /// <summary>The distinct leaf nodes, in first-use order.</summary>
    public IReadOnlyList<ArrayNode> Leaves => _leaves;

    /// <summary>The operations in evaluation (post-) order, for the node's label.</summary>
    public IReadOnlyList<string> Labels => _labels;

    /// <summary>Slots handed out so far.</summary>
    public int SlotCount { get; private set; }

    /// <summary>The input number of <paramref name="node"/>, adding it when new.</summary>
    public int LeafIndex(ArrayNode node)
    {
        int i = _leaves.IndexOf(node);
        if (i < 0)
        {
            _leaves.Add(node);
            i = _leaves.Count - 1;
        }

        return i;
    }

    /// <summary>A fresh slot, recording the operation for the label.</summary>
    public int NewSlot(string label)
    {
        if (label.Length > 0)
        {
            _labels.Add(label);
        }

        return SlotCount++;
    }

    /// <summary>Binds <paramref name="expression"/> once, however often it appears.</summary>
    public ElementwiseExpression Memo(ElementwiseExpression expression, Func<ExpressionBinder, ElementwiseExpression> bind)
    {
        if (!_memo.TryGetValue(expression, out var bound))
        {
            bound = bind(this);
            _memo[expression] = bound;
        }

        return bound;
    }
}
