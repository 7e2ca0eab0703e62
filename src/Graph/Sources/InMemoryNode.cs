using ChunkCompute.Storage;
using ChunkCompute.Storage.Arrays;

namespace ChunkCompute.Graph;

/// <summary>A source node over an in-memory C-order array; each chunk copies its box.</summary>
public sealed unsafe class InMemoryNode : ArrayNode
{
    private readonly Array _data;

    /// <summary>Creates the node over <paramref name="data"/> (not copied: do not mutate it before computing).</summary>
    public InMemoryNode(Array data, DataType dataType, ChunkGrid grid)
        : base(dataType, grid, [])
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.LongLength != grid.ElementCount)
        {
            throw new ArgumentException($"the data holds {data.LongLength} elements but the shape [{string.Join(", ", grid.Shape)}] needs {grid.ElementCount}", nameof(data));
        }

        _data = data;
    }

    /// <inheritdoc/>
    public override string Label => "from-array";

    /// <inheritdoc/>
    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
    }

    /// <inheritdoc/>
    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var shape = Grid.Shape.ToArray();
        var origin = Grid.Origin(context.ChunkIndex);
        var extent = context.Output.Shape.Select(s => (long)s).ToArray();
        var handle = System.Runtime.InteropServices.GCHandle.Alloc(_data, System.Runtime.InteropServices.GCHandleType.Pinned);
        try
        {
            NdCopy.Copy((byte*)handle.AddrOfPinnedObject(), shape, origin, (byte*)context.Output.Pointer, extent, new long[extent.Length], extent, DataType.Size);
        }
        finally
        {
            handle.Free();
        }
    }
}
