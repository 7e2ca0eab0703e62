using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>Step 3 of a tree reduction: turns the root states into the result (Dask's <c>aggregate</c>).</summary>
internal sealed class ReduceFinalizeNode : ArrayNode
{
    private readonly MergeableReduction _reduction;

    public ReduceFinalizeNode(ArrayNode root, MergeableReduction reduction)
        : base(reduction.OutputType, reduction.OutputGrid(root.Grid), [root])
    {
        _reduction = reduction;
    }

    public override bool IsMergeStep => true;

    public override string Label => _reduction.FinalizeLabel;

    public override IReadOnlyList<string?>? DimensionNames => _reduction.ResultDimensionNames;

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies) =>
        _reduction.FinalizeDependencies(chunkIndex, dependencies);

    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _reduction.Finalize(context);
    }
}
