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

    /// <summary>Contiguous chunks are lent (0 bytes); others are copied into their own buffer.</summary>
    public override long OutputBytes(ReadOnlySpan<long> chunkIndex) => IsContiguous(chunkIndex) ? 0 : base.OutputBytes(chunkIndex);

    /// <summary>Lends a contiguous chunk as a pinned view of the source array (no copy).</summary>
    public override ChunkBuffer? BorrowOutput(ReadOnlySpan<long> chunkIndex)
    {
        if (!IsContiguous(chunkIndex))
        {
            return null;
        }

        var origin = Grid.Origin(chunkIndex);
        long offset = 0;
        for (int d = 0; d < origin.Length; d++)
        {
            offset = (offset * Grid.Shape[d]) + origin[d];
        }

        var handle = System.Runtime.InteropServices.GCHandle.Alloc(_data, System.Runtime.InteropServices.GCHandleType.Pinned);
        byte* start = (byte*)handle.AddrOfPinnedObject() + (offset * DataType.Size);
        return new ChunkBuffer(start, Grid.ChunkElements(chunkIndex) * DataType.Size, Grid.ChunkShape(chunkIndex), handle.Free);
    }

    // A chunk is one run of the C-order array when every dimension after its first non-singleton one is whole.
    private bool IsContiguous(ReadOnlySpan<long> chunkIndex)
    {
        int d = 0;
        while (d < Grid.Rank - 1 && Grid.Size(d, chunkIndex[d]) == 1)
        {
            d++;
        }

        for (d++; d < Grid.Rank; d++)
        {
            if (Grid.Size(d, chunkIndex[d]) != Grid.Shape[d])
            {
                return false;
            }
        }

        return true;
    }

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
