using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>Writes each source chunk into the on-disk intermediate of an out-of-core rechunk (no output bytes).</summary>
internal sealed class IntermediateWriteNode(ArrayNode input, IntermediateStore store)
    : ArrayNode(input.DataType, input.Grid, [input])
{
    /// <inheritdoc/>
    public override IReadOnlyList<string?>? DimensionNames => NamesOfSameShapedInput();

    public IntermediateStore Store { get; } = store;

    public override string Label => "rechunk-spill";

    public override long OutputBytes(ReadOnlySpan<long> chunkIndex) => 0;

    // ZarrArray encodes one intermediate chunk at a time (MaxConcurrency 1): a decoded and an encoded chunk.
    public override long HeldBytes(ReadOnlySpan<long> chunkIndex) => 2L * Store.Chunks.Aggregate(1L, (a, b) => a * b) * DataType.Size;

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies) =>
        dependencies.Add(new ChunkDependency(0, chunkIndex.ToArray()));

    public override void Execute(ChunkKernelContext context)
    {
        var input = context.Inputs[0];
        Store.Array.WriteBytes(new ArraySubset(Grid.Origin(context.ChunkIndex), input.Shape.Select(s => (long)s).ToArray()), input.Bytes, context.CancellationToken);
    }
}

/// <summary>One task that completes when every spill task has: the reads start after it.</summary>
internal sealed class BarrierNode(ArrayNode input)
    : ArrayNode(DataType.UInt8, ChunkGrid.Regular([1], [1]), [input])
{
    /// <inheritdoc/>
    public override IReadOnlyList<string?>? DimensionNames => NamesOfSameShapedInput();

    public override string Label => "rechunk-barrier";

    public override long OutputBytes(ReadOnlySpan<long> chunkIndex) => 0;

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        var grid = Inputs[0].Grid;
        var index = new long[grid.Rank];
        for (long k = 0; k < grid.ChunkCount; k++)
        {
            grid.Unravel(k, index);
            dependencies.Add(new ChunkDependency(0, (long[])index.Clone()));
        }
    }

    public override void Execute(ChunkKernelContext context)
    {
    }
}

/// <summary>Reads each target chunk back from the on-disk intermediate.</summary>
internal sealed class IntermediateReadNode(ArrayNode barrier, IntermediateStore store, DataType dataType, ChunkGrid target)
    : ArrayNode(dataType, target, [barrier])
{
    /// <inheritdoc/>
    public override IReadOnlyList<string?>? DimensionNames => NamesOfSameShapedInput();

    public IntermediateStore Store { get; } = store;

    public override string Label => "rechunk-load";

    public override long HeldBytes(ReadOnlySpan<long> chunkIndex) => 2L * Store.Chunks.Aggregate(1L, (a, b) => a * b) * DataType.Size;

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies) =>
        dependencies.Add(new ChunkDependency(0, [0]));

    public override void Execute(ChunkKernelContext context)
    {
        Store.Array.ReadBytes(new ArraySubset(Grid.Origin(context.ChunkIndex), context.Output.Shape.Select(s => (long)s).ToArray()), context.Output.Bytes, context.CancellationToken);
        Store.ReadDone(Grid.ChunkCount);
    }
}
