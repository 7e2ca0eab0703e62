using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>
/// Step 2 of a tree reduction: each task merges a group of up to <c>fan[d]</c> state chunks per reduced dimension
/// (Dask's <c>partial_reduce</c> with <c>split_every</c>). Repeated until one state chunk remains along them.
/// </summary>
internal sealed class ReduceCombineNode : ArrayNode
{
    private readonly MergeableReduction _reduction;
    private readonly int _level;
    private readonly int[] _fan;

    public ReduceCombineNode(ArrayNode below, MergeableReduction reduction, int level, int[] fan)
        : base(reduction.StateType, CombinedGrid(below.Grid, reduction, level, fan), [below])
    {
        _reduction = reduction;
        _level = level;
        _fan = fan;
    }

    public override bool IsMergeStep => true;

    public override string Label => _reduction.CombineLabel;

    public override long OutputBytes(ReadOnlySpan<long> chunkIndex) => _reduction.StateBytes(_level, Grid, chunkIndex);

    public override long HeldBytes(ReadOnlySpan<long> chunkIndex) => _reduction.CombineHeldBytes(_level, chunkIndex);

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        int rank = Grid.Rank;
        var inputGrid = Inputs[0].Grid.GridShape;
        var start = new long[rank];
        var stop = new long[rank];
        for (int d = 0; d < rank; d++)
        {
            start[d] = chunkIndex[d] * _fan[d];
            stop[d] = _fan[d] > 1 ? Math.Min(inputGrid[d], start[d] + _fan[d]) : chunkIndex[d] + 1;
        }

        var index = (long[])start.Clone();
        while (true)
        {
            dependencies.Add(new ChunkDependency(0, (long[])index.Clone()));
            int d = rank - 1;
            for (; d >= 0; d--)
            {
                if (++index[d] < stop[d])
                {
                    break;
                }

                index[d] = start[d];
            }

            if (d < 0)
            {
                return;
            }
        }
    }

    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _reduction.Combine(_level, Grid, context);
    }

    private static ChunkGrid CombinedGrid(ChunkGrid input, MergeableReduction reduction, int level, int[] fan)
    {
        var sizes = new int[input.Rank][];
        for (int d = 0; d < input.Rank; d++)
        {
            int n = input.Sizes(d).Count;
            sizes[d] = fan[d] > 1 ? Enumerable.Repeat(1, (n + fan[d] - 1) / fan[d]).ToArray() : input.Sizes(d).ToArray();
        }

        var merged = ChunkGrid.FromSizes(sizes);
        var grid = reduction.CombineGrid(level, merged);
        if (!grid.GridShape.SequenceEqual(merged.GridShape))
        {
            throw new InvalidOperationException(
                $"reduction '{reduction.Name}': CombineGrid of level {level} has [{string.Join(", ", grid.GridShape)}] chunks; it may resize chunks but must keep [{string.Join(", ", merged.GridShape)}]");
        }

        return grid;
    }
}
