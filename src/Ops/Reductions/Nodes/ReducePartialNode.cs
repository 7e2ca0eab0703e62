using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>
/// Step 1 of a tree reduction: one task per input chunk reduces it along the reduced axes to a chunk of states. Its
/// grid is the input's with every reduced dimension cut into chunks of size 1, one per input chunk.
/// </summary>
internal sealed class ReducePartialNode : ArrayNode
{
    private readonly ReductionKernel _kernel;
    private readonly ReductionSpec _spec;

    public ReducePartialNode(ArrayNode input, ReductionKernel kernel, ReductionSpec spec)
        : base(DataType.UInt8, StateGrid(input.Grid, spec.Reduced), [input])
    {
        _kernel = kernel;
        _spec = spec;
    }

    public override string Label => _kernel.Name + "-partial";

    public override long OutputBytes(ReadOnlySpan<long> chunkIndex) => Grid.ChunkElements(chunkIndex) * _kernel.StateSize;

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        dependencies.Add(new ChunkDependency(0, chunkIndex.ToArray()));
    }

    public override bool ConsumesStream(ReadOnlySpan<long> chunkIndex) => _kernel.CanStream;

    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var origin = Inputs[0].Grid.Origin(context.ChunkIndex);
        if (context.InputStream is { } stream)
        {
            _kernel.PartialStream(stream, Inputs[0].Grid.ChunkShape(context.ChunkIndex), origin, _spec, context.Output.Bytes);
        }
        else
        {
            _kernel.Partial(context.Inputs[0], origin, _spec, context.Output.Bytes);
        }
    }

    private static ChunkGrid StateGrid(ChunkGrid input, bool[] reduced)
    {
        var sizes = new int[input.Rank][];
        for (int d = 0; d < input.Rank; d++)
        {
            sizes[d] = reduced[d] ? Enumerable.Repeat(1, input.Sizes(d).Count).ToArray() : input.Sizes(d).ToArray();
        }

        return ChunkGrid.FromSizes(sizes);
    }
}
