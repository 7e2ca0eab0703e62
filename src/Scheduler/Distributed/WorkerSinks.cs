using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Scheduler;

/// <summary>
/// A worker's output for one remote task: chunk <c>chunkIndex</c> of <c>input</c>, as a sink with a one-chunk grid,
/// so the worker's plan holds exactly what that chunk needs (culled like any output).
/// </summary>
internal abstract class RemoteChunkSink : ArrayNode
{
    protected RemoteChunkSink(ArrayNode input, long[] chunkIndex)
        : base(input.DataType, OneChunk(input.Grid, chunkIndex), [input])
    {
        ChunkOfInput = chunkIndex;
        Origin = input.Grid.Origin(chunkIndex);
        InputBytes = input.OutputBytes(chunkIndex);
    }

    public long[] ChunkOfInput { get; }

    public long[] Origin { get; }

    public long InputBytes { get; }

    public override bool IsSink => true;

    public override long OutputBytes(ReadOnlySpan<long> chunkIndex) => 0;

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        dependencies.Add(new ChunkDependency(0, (long[])ChunkOfInput.Clone()));
    }

    // A grid of one chunk: the input's chunk.
    private static ChunkGrid OneChunk(ChunkGrid grid, long[] chunkIndex)
    {
        if (chunkIndex.Length != grid.Rank)
        {
            throw new ChunkComputeException($"chunk [{string.Join(", ", chunkIndex)}] has {chunkIndex.Length} dimensions, the node {grid.Rank}");
        }

        for (int d = 0; d < grid.Rank; d++)
        {
            if (chunkIndex[d] < 0 || chunkIndex[d] >= grid.Sizes(d).Count)
            {
                throw new ChunkComputeException($"chunk [{string.Join(", ", chunkIndex)}] is outside the node's grid {grid}");
            }
        }

        var shape = grid.ChunkShape(chunkIndex);
        return ChunkGrid.FromSizes(shape.Select(s => (IReadOnlyList<int>)new[] { s }).ToArray());
    }
}

/// <summary>Copies the chunk's bytes out for the reply.</summary>
internal sealed class CaptureChunkSink(ArrayNode input, long[] chunkIndex) : RemoteChunkSink(input, chunkIndex)
{
    public byte[] Data { get; private set; } = [];

    public override string Label => "reply " + Inputs[0].Label;

    // The copy made for the reply is held until the reply leaves: counted while the task runs.
    public override long HeldBytes(ReadOnlySpan<long> chunkIndex) => InputBytes;

    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Data = context.Inputs[0].Bytes.ToArray();
    }
}

/// <summary>Writes the chunk into an array of a joined transaction (whole stored chunks: the coordinator checked the alignment).</summary>
internal sealed class StageChunkSink(ArrayNode input, long[] chunkIndex, ZarrArray target) : RemoteChunkSink(input, chunkIndex)
{
    public override string Label => "stage " + target.Path;

    public override long HeldBytes(ReadOnlySpan<long> chunkIndex) =>
        target.WriteBufferBytes(new ArraySubset(Origin, Grid.ChunkShape(chunkIndex).Select(s => (long)s).ToArray()));

    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var input = context.Inputs[0];
        target.WriteBytes(new ArraySubset(Origin, input.Shape.Select(s => (long)s).ToArray()), input.Bytes, context.CancellationToken);
    }
}
