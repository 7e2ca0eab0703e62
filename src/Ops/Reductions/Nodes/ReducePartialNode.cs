using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>
/// Step 1 of a tree reduction: one task per state chunk of <see cref="MergeableReduction.PartialGrid"/> reduces the
/// input chunk(s) it names (as buffers, or as one stream of pieces when lowering fuses a streaming source into it).
/// </summary>
internal sealed class ReducePartialNode : ArrayNode
{
    private readonly MergeableReduction _reduction;

    public ReducePartialNode(MergeableReduction reduction)
        : base(reduction.StateType, reduction.PartialGrid, reduction.Inputs)
    {
        _reduction = reduction;
    }

    public override string Label => _reduction.PartialLabel;

    public override long OutputBytes(ReadOnlySpan<long> chunkIndex) => _reduction.StateBytes(0, Grid, chunkIndex);

    public override long ScratchBytes(ReadOnlySpan<long> chunkIndex) => _reduction.PartialScratchBytes(chunkIndex);

    public override long HeldBytes(ReadOnlySpan<long> chunkIndex) => _reduction.PartialHeldBytes(chunkIndex);

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies) =>
        _reduction.PartialDependencies(chunkIndex, dependencies);

    public override bool ConsumesStream(ReadOnlySpan<long> chunkIndex) => _reduction.ConsumesStream(chunkIndex);

    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _reduction.Partial(context);
    }
}
