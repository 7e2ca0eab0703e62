using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>
/// A rechunk as recorded by <c>Rechunk</c>: the target grid only. Its routes, offered when the computation is
/// planned: the in-memory plan of <see cref="RechunkPlanner"/> (direct or multistage) when one fits the budget, then
/// the on-disk intermediate when one of its tasks fits. The scheduler takes the first with which the whole graph fits.
/// </summary>
internal sealed class PlannedRechunkNode(ArrayNode input, ChunkGrid target)
    : PlannedNode(input.DataType, target, [input])
{
    /// <inheritdoc/>
    public override IReadOnlyList<string?>? DimensionNames => NamesOfSameShapedInput();

    /// <inheritdoc/>
    public override string Label => "rechunk";

    /// <summary>What the rechunk is for, when another operation made it (named first in a refusal).</summary>
    public string? Purpose { get; init; }

    /// <inheritdoc/>
    public override IReadOnlyList<ArrayNode> Routes(PlanningContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var input = Inputs[0];
        long budget = context.MemoryBudget;
        var routes = new List<ArrayNode>(2);
        RechunkBudgetException? inMemory = null;
        try
        {
            routes.Add(RechunkExtensions.Apply(input, RechunkPlanner.Plan(input.Grid, Grid, DataType.Size, budget)));
        }
        catch (RechunkBudgetException e)
        {
            inMemory = e;
        }

        var onDisk = OnDisk(input, Grid, context.TemporaryDirectory, out long taskBytes);
        if (taskBytes <= budget)
        {
            routes.Add(onDisk);
        }
        else if (inMemory is not null)
        {
            throw new RechunkBudgetException(
                $"{(Purpose is null ? "" : Purpose + ": ")}rechunk of '{input.Label}': {inMemory.Message} An on-disk intermediate would still need {ByteSize.Format(taskBytes, exact: true)} for one task.",
                Math.Min(inMemory.RequiredBytes, taskBytes),
                budget);
        }

        return routes;
    }

    /// <summary>
    /// The out-of-core rechunk (the rechunker algorithm with one intermediate): every source chunk is written into a
    /// temporary Zarr array whose chunks are the element-wise minimum of the source and target chunks, then every
    /// target chunk reads its region back. Each task holds one chunk plus one intermediate chunk's worth of codec
    /// scratch, whatever the shapes, at the cost of writing and reading the array once more.
    /// </summary>
    private static ArrayNode OnDisk(ArrayNode input, ChunkGrid target, string? temporaryDirectory, out long taskBytes)
    {
        int rank = target.Rank;
        var intermediate = Enumerable.Range(0, rank)
            .Select(d => Math.Max(1, Math.Min(input.Grid.Sizes(d).Max(), target.Sizes(d).Max())))
            .ToArray();
        var store = new IntermediateStore(input.DataType, input.Grid.Shape.ToArray(), intermediate, temporaryDirectory);
        long interBytes = 2L * intermediate.Aggregate(1L, (a, b) => a * b) * input.DataType.Size;
        long write = (input.Grid.MaxChunkElements * input.DataType.Size) + interBytes;
        long read = (target.MaxChunkElements * input.DataType.Size) + interBytes;
        taskBytes = Math.Max(write, read);
        var spill = new IntermediateWriteNode(input, store);
        var barrier = new BarrierNode(spill);
        return new IntermediateReadNode(barrier, store, input.DataType, target);
    }
}
