using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>Permutes dimensions: output dimension j is input dimension <c>axes[j]</c>; one input chunk per output chunk.</summary>
internal sealed unsafe class TransposeNode : ArrayNode
{
    private readonly int[] _axes;

    public TransposeNode(ArrayNode input, int[] axes)
        : base(input.DataType, ChunkGrid.FromSizes(axes.Select(a => input.Grid.Sizes(a)).ToArray()), [input])
    {
        _axes = axes;
    }

    /// <inheritdoc/>
    public override string Label => "transpose";

    /// <inheritdoc/>
    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        var index = new long[_axes.Length];
        for (int j = 0; j < _axes.Length; j++)
        {
            index[_axes[j]] = chunkIndex[j];
        }

        dependencies.Add(new ChunkDependency(0, index));
    }

    /// <inheritdoc/>
    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var input = context.Inputs[0];
        var inStrides = StridedGather.Strides(input.Shape);
        var strides = _axes.Select(a => inStrides[a]).ToArray();
        StridedGather.Gather((byte*)input.Pointer, 0, strides, (byte*)context.Output.Pointer, context.Output.Shape, DataType.Size);
    }
}
