using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>Runs a user <see cref="ChunkKernel{T, U}"/> once per chunk. A fusion barrier: elementwise operations read its output.</summary>
/// <typeparam name="T">The input element type.</typeparam>
/// <typeparam name="U">The output element type.</typeparam>
internal sealed unsafe class MapBlocksNode<T, U> : ArrayNode
    where T : unmanaged
    where U : unmanaged
{
    private readonly ChunkKernel<T, U> _kernel;

    public MapBlocksNode(ArrayNode input, ChunkKernel<T, U> kernel, ChunkGrid outputGrid)
        : base(DataType.Of<U>(), outputGrid, [input])
    {
        _kernel = kernel;
    }

    public override string Label => "map-blocks";

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies) =>
        dependencies.Add(new ChunkDependency(0, chunkIndex.ToArray()));

    public override void Execute(ChunkKernelContext context)
    {
        var input = context.Inputs[0];
        var inputGrid = Inputs[0].Grid;
        var info = new ChunkInfo(context.ChunkIndex, inputGrid.ChunkShape(context.ChunkIndex), inputGrid.Origin(context.ChunkIndex), Grid.ChunkShape(context.ChunkIndex));
        int inputCount = checked((int)inputGrid.ChunkElements(context.ChunkIndex));
        int outputCount = checked((int)Grid.ChunkElements(context.ChunkIndex));
        _kernel(new ReadOnlySpan<T>(input.Pointer, inputCount), new Span<U>(context.Output.Pointer, outputCount), info);
    }
}
