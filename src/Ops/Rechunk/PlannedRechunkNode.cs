using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>
/// A rechunk as recorded by <c>Rechunk</c>: the target grid only. Its routes, offered when the computation is
/// planned: the in-memory plan of <see cref="RechunkPlanner"/> (direct or multistage) when one fits the budget; for a
/// stored input, the target grid read straight from the store (before the on-disk route when each stored chunk feeds at
/// most <see cref="CheapRereads"/> target chunks, after it otherwise); the on-disk intermediate when one of its tasks
/// fits. The scheduler takes the first with which the whole graph fits.
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

        var stored = FromStore(input, Grid);
        if (stored is { Node: var reread } && (Grid.MaxChunkElements * DataType.Size) + reread.HeldBytes(new long[Grid.Rank]) > budget)
        {
            stored = null; // one task (its output, the largest, and the read's buffers) does not fit
        }

        if (stored is not null && stored.Value.Decodes <= CheapRereads)
        {
            routes.Add(stored.Value.Node);
        }

        var onDisk = OnDisk(input, Grid, context.TemporaryDirectory, out long taskBytes);
        if (taskBytes <= budget)
        {
            routes.Add(onDisk);
        }

        if (stored is not null && stored.Value.Decodes > CheapRereads)
        {
            routes.Add(stored.Value.Node);
        }

        if (routes.Count == 0 && inMemory is not null)
        {
            throw new RechunkBudgetException(
                $"{(Purpose is null ? "" : Purpose + ": ")}rechunk of '{input.Label}': {inMemory.Message} An on-disk intermediate would still need {ByteSize.Format(taskBytes, exact: true)} for one task.",
                Math.Min(inMemory.RequiredBytes, taskBytes),
                budget);
        }

        return routes;
    }

    /// <summary>
    /// Decoding each stored chunk this many times costs about what the on-disk route's extra pass costs (encoding,
    /// writing, reading and decoding the array once more: LZ4 and Zstd decode several times faster than they encode).
    /// </summary>
    private const long CheapRereads = 4;

    /// <summary>
    /// The rechunk read straight from the store, when the input is a stored array on its own grid in a local store whose
    /// chunks decode in pieces: each target chunk reads its region, decoding every stored chunk it overlaps a piece at a
    /// time and keeping only its part, so a task holds its output and a few blocks whatever the shapes. The price is
    /// <c>Decodes</c>: how many times the most shared stored chunk is decoded (once per target chunk it feeds).
    /// </summary>
    private static (ZarrSourceNode Node, long Decodes)? FromStore(ArrayNode input, ChunkGrid target)
    {
        if (input is not ZarrSourceNode { Array: var array } source || array.IsRemote || !array.DecodesInPieces
            || !source.Grid.Equals(ChunkGrid.Regular(array.Shape, array.ChunkShape)))
        {
            return null;
        }

        long decodes = 1;
        for (int d = 0; d < target.Rank; d++)
        {
            long most = 1, off = 0;
            foreach (int size in source.Grid.Sizes(d))
            {
                if (size > 0)
                {
                    most = Math.Max(most, target.ChunkOf(d, off + size - 1) - target.ChunkOf(d, off) + 1);
                }

                off += size;
            }

            decodes = decodes > long.MaxValue / most ? long.MaxValue : decodes * most;
        }

        return (new ZarrSourceNode(array, target), decodes);
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
