using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>
/// Step 3 of a tree reduction: turns the last states into the result type (Dask's <c>aggregate</c>). Output
/// dimension i reads state dimension <c>map[i]</c> (-1: none); the other state dimensions have one chunk.
/// </summary>
internal sealed class ReduceFinalizeNode : ArrayNode
{
    private readonly ReductionKernel _kernel;
    private readonly int[] _map;

    public ReduceFinalizeNode(ArrayNode state, ReductionKernel kernel, ChunkGrid grid, int[] map)
        : base(kernel.OutputType, grid, [state])
    {
        _kernel = kernel;
        _map = map;
    }

    public override string Label => _kernel.Name;

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        var index = new long[Inputs[0].Grid.Rank];
        for (int i = 0; i < _map.Length; i++)
        {
            if (_map[i] >= 0)
            {
                index[_map[i]] = chunkIndex[i];
            }
        }

        dependencies.Add(new ChunkDependency(0, index));
    }

    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _kernel.Finalize(context.Inputs[0].Bytes, context.Output.Bytes);
    }
}
