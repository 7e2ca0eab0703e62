using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>
/// The nodes of one tree reduction (see <see cref="MergeableReduction"/>): the partial level, then combine levels of
/// fan-in <c>splitEvery</c> until one state chunk is left along every reduced dimension.
/// </summary>
public sealed class ReductionTree
{
    private readonly ArrayNode[] _levels;

    private ReductionTree(MergeableReduction reduction, ArrayNode[] levels)
    {
        Reduction = reduction;
        _levels = levels;
    }

    /// <summary>The default fan-in of the combine steps (Dask's <c>split_every</c>).</summary>
    public const int DefaultSplitEvery = 4;

    /// <summary>The reduction the tree computes.</summary>
    public MergeableReduction Reduction { get; }

    /// <summary>The state nodes: [0] the partials, then each combine level; the last is <see cref="Root"/>.</summary>
    public IReadOnlyList<ArrayNode> Levels => _levels;

    /// <summary>The last state level: one state chunk along every reduced dimension.</summary>
    public ArrayNode Root => _levels[^1];

    /// <summary>
    /// Builds the partial and combine nodes. Along the reduced dimensions that still have several chunks, each
    /// combine merges f chunks per dimension, f the largest with f^dimensions ≤ <paramref name="splitEvery"/> (at
    /// least 2; Dask's <c>max(int(split_every ** (1 / len(axis))), 2)</c>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="splitEvery"/> is less than 2.</exception>
    public static ReductionTree Build(MergeableReduction reduction, int splitEvery = DefaultSplitEvery)
    {
        ArgumentNullException.ThrowIfNull(reduction);
        ArgumentOutOfRangeException.ThrowIfLessThan(splitEvery, 2);
        var levels = new List<ArrayNode> { new ReducePartialNode(reduction) };
        int rank = reduction.PartialGrid.Rank;
        while (true)
        {
            var below = levels[^1].Grid;
            int wide = 0;
            for (int d = 0; d < rank; d++)
            {
                wide += reduction.IsReduced(d) && below.Sizes(d).Count > 1 ? 1 : 0;
            }

            if (wide == 0)
            {
                return new ReductionTree(reduction, [.. levels]);
            }

            int f = 2;
            while (Math.Pow(f + 1, wide) <= splitEvery)
            {
                f++;
            }

            var fan = new int[rank];
            for (int d = 0; d < rank; d++)
            {
                fan[d] = reduction.IsReduced(d) ? f : 1;
            }

            levels.Add(new ReduceCombineNode(levels[^1], reduction, levels.Count, fan));
        }
    }

    /// <summary>The finalize node over <see cref="Root"/> (the reduction must define its finalize step).</summary>
    public ArrayNode Finalize() => new ReduceFinalizeNode(Root, Reduction);
}
