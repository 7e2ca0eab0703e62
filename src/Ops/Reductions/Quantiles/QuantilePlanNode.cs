using System.Numerics;
using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>
/// Quantiles planned by the budget: lanes that fit take one pass (<see cref="QuantileNode{T}"/> over the lanes gathered
/// into single chunks); lanes that do not are found exactly by histogram passes (<see cref="HistogramQuantiles{T}"/>),
/// run while the computation is planned, and the plan reads their (small) result.
/// </summary>
internal sealed class QuantilePlanNode<T> : PlannedNode
    where T : unmanaged, INumberBase<T>
{
    private const long LongLane = 1 << 20;

    private readonly ArrayNode _laneRoute;
    private readonly int? _axis;
    private readonly double[] _q;
    private readonly bool _skipNaN;

    public QuantilePlanNode(ArrayNode input, int? axis, double[] q, bool skipNaN, ArrayNode laneRoute)
        : base(DataType.Float64, laneRoute.Grid, [input])
    {
        _laneRoute = laneRoute;
        _axis = axis;
        _q = q;
        _skipNaN = skipNaN;
    }

    public override string Label => _skipNaN ? "nanquantile" : "quantile";

    /// <summary>As xarray names them: "quantile" first, then the input's dimensions but the reduced one.</summary>
    public override IReadOnlyList<string?>? DimensionNames => Inputs[0].DimensionNames is { } names
        ? ["quantile", .. names.Where((_, d) => _axis is int a && d != a)]
        : null;

    public override IReadOnlyList<ArrayNode> Routes(PlanningContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var grid = Inputs[0].Grid;
        long length = _axis is int a ? grid.Shape[a] : grid.ElementCount;
        long lanes = length == 0 ? 0 : grid.ElementCount / length;

        // A gathered lane's task holds its chunk of the input (the lane times the largest extent of the other
        // dimensions' chunks) and the lane as doubles.
        long across = 1;
        for (int d = 0; d < grid.Rank; d++)
        {
            if (_axis is int b && d != b)
            {
                across *= grid.Sizes(d).Count == 0 ? 0 : grid.Sizes(d).Max();
            }
        }

        long laneBytes = length * ((across * System.Runtime.CompilerServices.Unsafe.SizeOf<T>()) + sizeof(double));

        // Gathering and sorting is one pass but O(n log n) per lane: for a few long lanes the histogram passes (two for
        // ordinary data, each O(n)) are taken even when the lanes would fit. Histograms for more lanes than the budget
        // holds leave gathering as the only way (refused by the plan if it cannot fit).
        bool fewLongLanes = length >= LongLane && lanes <= 16;
        if ((laneBytes <= context.MemoryBudget / 4 * 3 && !fewLongLanes) || !HistogramQuantiles<T>.Fits(lanes, context.MemoryBudget))
        {
            return [_laneRoute];
        }

        if (context.Runner is null)
        {
            return [new HistogramQuantilePlaceholder(this)];
        }

        var values = HistogramQuantiles<T>.Compute(Inputs[0], _axis, _q, _skipNaN, context.Runner, context.MemoryBudget, context.CancellationToken);
        return [new InMemoryNode(values, DataType.Float64, Grid)];
    }

    /// <summary>What a plan that is only described (<c>Explain</c>) shows for quantiles found by histogram passes.</summary>
    private sealed class HistogramQuantilePlaceholder(QuantilePlanNode<T> owner) : ArrayNode(DataType.Float64, owner.Grid, [])
    {
        public override string Label => owner.Label + " (histogram passes over the input, run when computed)";

        public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
        {
        }

        public override void Execute(ChunkKernelContext context) => throw new InvalidOperationException(
            $"'{owner.Label}' runs its histogram passes when the computation runs (Compute or ToStore); a plan made only to be described cannot run");
    }
}
