using System.Runtime.InteropServices;
using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Scheduler;

/// <summary>
/// A selection kept from its counting pass: each non-empty block (the selected rows of one input chunk) is one output
/// chunk, lent to the computations that read it (pinned, not copied, not counted again: it is a result held in memory,
/// like a persisted array).
/// </summary>
internal sealed unsafe class KeptChunksNode : ArrayNode
{
    private readonly byte[][] _blocks;

    private KeptChunksNode(DataType dataType, ChunkGrid grid, byte[][] blocks)
        : base(dataType, grid, [])
    {
        _blocks = blocks;
    }

    public override string Label => "selection";

    /// <summary>
    /// The node over <paramref name="kept"/> (blocks by the linear index of their input chunk in
    /// <paramref name="inputs"/>): along the axis one chunk per input chunk that selected rows, elsewhere the input's chunks.
    /// </summary>
    public static KeptChunksNode Create(DataType dataType, ChunkGrid inputs, int axis, long[] counts, Dictionary<long, byte[]> kept)
    {
        var along = Enumerable.Range(0, counts.Length).Where(c => counts[c] > 0).ToArray();
        var grid = ChunkGrid.FromSizes(Enumerable.Range(0, inputs.Rank)
            .Select(d => d == axis ? (IReadOnlyList<int>)along.Select(c => checked((int)counts[c])).ToArray() : inputs.Sizes(d)).ToArray());
        var blocks = new byte[grid.ChunkCount][];
        Array.Fill(blocks, []); // nothing selected: one empty chunk along the axis
        var index = new long[grid.Rank];
        for (long k = 0; k < grid.ChunkCount && along.Length > 0; k++)
        {
            grid.Unravel(k, index);
            var source = (long[])index.Clone();
            source[axis] = along[index[axis]];
            blocks[k] = kept[inputs.Linear(source)];
        }

        return new KeptChunksNode(dataType, grid, blocks);
    }

    /// <summary>Lent: 0 bytes of the computation's.</summary>
    public override long OutputBytes(ReadOnlySpan<long> chunkIndex) => 0;

    public override ChunkBuffer? BorrowOutput(ReadOnlySpan<long> chunkIndex)
    {
        var block = _blocks[Grid.Linear(chunkIndex)];
        var handle = GCHandle.Alloc(block, GCHandleType.Pinned);
        return new ChunkBuffer((void*)handle.AddrOfPinnedObject(), block.Length, Grid.ChunkShape(chunkIndex), handle.Free);
    }

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
    }

    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _blocks[Grid.Linear(context.ChunkIndex)].CopyTo(context.Output.Bytes);
    }
}
