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

    /// <summary>
    /// The storage layer's encoding and read-modify-write buffers for the stored chunks this chunk touches
    /// (<see cref="ZarrArray.WriteBufferBytes"/>: about one chunk when this chunk is exactly one stored chunk).
    /// </summary>
    public override long HeldBytes(ReadOnlySpan<long> chunkIndex) =>
        Target.WriteBufferBytes(new ArraySubset(Grid.Origin(chunkIndex), Grid.ChunkShape(chunkIndex).Select(s => (long)s).ToArray()));

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

    /// <summary>True when the target's store answers over a network (an object store).</summary>
    public override bool IsRemote => Target.IsRemote;

    /// <summary>
    /// On a remote store, a chunk that is exactly one stored chunk is encoded on the calling thread and written by one
    /// asynchronous request, holding no thread while it is in flight; other chunks are written as by <see cref="Execute"/>.
    /// </summary>
    public override ValueTask ExecuteAsync(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!Target.IsRemote || context.Inputs.Count != 1 || StoredChunkOf(context) is not { } stored)
        {
            return base.ExecuteAsync(context);
        }

        var input = context.Inputs[0];
        return Target.WriteChunkBytesAsync(stored, new PointerMemory(input).Memory, context.CancellationToken);
    }

    // The stored chunk this task's chunk is exactly (same origin and full shape), or null.
    private long[]? StoredChunkOf(ChunkKernelContext context)
    {
        var origin = Grid.Origin(context.ChunkIndex);
        var shape = context.Inputs[0].Shape;
        var stored = Target.ChunkShape;
        var index = new long[origin.Length];
        for (int d = 0; d < origin.Length; d++)
        {
            if (shape[d] != stored[d] || origin[d] % stored[d] != 0)
            {
                return null;
            }

            index[d] = origin[d] / stored[d];
        }

        return index;
    }

    // A chunk buffer's native memory as Memory<T>, for the asynchronous store API (the buffer outlives the write).
    private sealed unsafe class PointerMemory(ChunkBuffer buffer) : System.Buffers.MemoryManager<byte>
    {
        public override Span<byte> GetSpan() => buffer.Bytes;

        public override System.Buffers.MemoryHandle Pin(int elementIndex = 0) => new((byte*)buffer.Pointer + elementIndex);

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }

    private static ArrayNode Require(ArrayNode input) => input ?? throw new ArgumentNullException(nameof(input));
}
