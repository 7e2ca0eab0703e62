using ChunkCompute.Storage;

namespace ChunkCompute.Graph;

/// <summary>
/// A sink: writes each chunk of its input into a stored array (same shape and element type). Its tasks have no
/// output bytes; they run because the node is requested, not because anything consumes them.
/// </summary>
public sealed class StoreWriteNode : ArrayNode
{
    /// <summary>Creates the sink writing <paramref name="input"/> into <paramref name="target"/>.</summary>
    public StoreWriteNode(ArrayNode input, ZarrArray target)
        : base(Require(input).DataType, input.Grid, [input])
    {
        Target = target ?? throw new ArgumentNullException(nameof(target));
        if (!target.Shape.SequenceEqual(input.Grid.Shape) || target.DataType != input.DataType)
        {
            throw new ArgumentException($"target '{target.Path}' is {target.DataType.Name} [{string.Join(", ", target.Shape)}] but the data is {input.DataType.Name} [{string.Join(", ", input.Grid.Shape)}]", nameof(target));
        }
    }

    /// <summary>The array written.</summary>
    public ZarrArray Target { get; }

    /// <inheritdoc/>
    public override string Label => "write " + Target.Path;

    /// <inheritdoc/>
    public override bool IsSink => true;

    /// <inheritdoc/>
    public override long OutputBytes(ReadOnlySpan<long> chunkIndex) => 0;

    /// <summary>The storage layer's encoding and read-modify-write buffers for the stored chunks this chunk touches (conservative: two stored chunks).</summary>
    public override long HeldBytes(ReadOnlySpan<long> chunkIndex) => 2L * Target.Metadata.ChunkElementCount * DataType.Size;

    /// <inheritdoc/>
    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        dependencies.Add(new ChunkDependency(0, chunkIndex.ToArray()));
    }

    /// <inheritdoc/>
    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var input = context.Inputs[0];
        var origin = Grid.Origin(context.ChunkIndex);
        Target.WriteBytes(new ArraySubset(origin, input.Shape.Select(s => (long)s).ToArray()), input.Bytes, context.CancellationToken);
    }

    private static ArrayNode Require(ArrayNode input) => input ?? throw new ArgumentNullException(nameof(input));
}
