using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>
/// An output chunk whose bytes are exactly one input chunk's bytes in the same C order (chunk-compatible reshape,
/// concatenate, stack): the kernel is one memcpy. A mapping function names the input and its chunk.
/// </summary>
internal sealed unsafe class CopyChunkNode : ArrayNode
{
    private readonly Func<long[], ChunkDependency?> _source;

    public CopyChunkNode(string label, ChunkGrid grid, IReadOnlyList<ArrayNode> inputs, Func<long[], ChunkDependency?> source)
        : base(inputs[0].DataType, grid, inputs)
    {
        Label = label;
        _source = source;
    }

    /// <inheritdoc/>
    public override string Label { get; }

    /// <inheritdoc/>
    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        if (Grid.ChunkElements(chunkIndex) > 0 && _source(chunkIndex.ToArray()) is { } dependency)
        {
            dependencies.Add(dependency);
        }
    }

    /// <inheritdoc/>
    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Inputs.Count == 0)
        {
            return;
        }

        var input = context.Inputs[0];
        long bytes = context.Output.ByteLength;
        if (input.ByteLength != bytes)
        {
            throw new InvalidOperationException($"{Label}: input chunk holds {input.ByteLength} bytes, output chunk {bytes}");
        }

        Buffer.MemoryCopy(input.Pointer, context.Output.Pointer, bytes, bytes);
    }
}
