using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>Rechunking lazy arrays within a memory budget (see <see cref="RechunkPlanner"/>).</summary>
public static class RechunkExtensions
{
    /// <summary>
    /// Rechunks to a regular grid of <paramref name="chunks"/> (<c>-1</c>: the whole dimension), planned so that no
    /// task exceeds <paramref name="memoryBudget"/> (default <see cref="RechunkPlanner.DefaultBudget"/>); pass the
    /// same budget to <c>Compute</c>.
    /// </summary>
    /// <exception cref="RechunkBudgetException">No in-memory plan fits the budget.</exception>
    public static ChunkedArray<T> Rechunk<T>(this ChunkedArray<T> array, int[] chunks, long? memoryBudget = null)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        return array.Rechunk(RechunkPlanner.TargetGrid(array.Shape, chunks), memoryBudget);
    }

    /// <summary>Rechunks to irregular per-dimension chunk sizes (Dask's tuple of tuples), within the budget.</summary>
    /// <exception cref="ArgumentException">The sizes do not add up to the shape.</exception>
    /// <exception cref="RechunkBudgetException">No in-memory plan fits the budget.</exception>
    public static ChunkedArray<T> Rechunk<T>(this ChunkedArray<T> array, IReadOnlyList<IReadOnlyList<int>> chunkSizes, long? memoryBudget = null)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        return array.Rechunk(ChunkGrid.FromSizes(chunkSizes), memoryBudget);
    }

    /// <summary>Rechunks to <paramref name="target"/>, within the budget.</summary>
    /// <exception cref="ArgumentException">The target's shape differs from the array's.</exception>
    /// <exception cref="RechunkBudgetException">No in-memory plan fits the budget.</exception>
    /// <remarks>
    /// When no in-memory plan fits (e.g. short-fat to tall-skinny chunks over an array larger than the budget), the
    /// rechunk goes through a temporary Zarr array in <paramref name="temporaryDirectory"/> (default: the system temp
    /// directory), deleted when the last chunk has been read back.
    /// </remarks>
    public static ChunkedArray<T> Rechunk<T>(this ChunkedArray<T> array, ChunkGrid target, long? memoryBudget = null, string? temporaryDirectory = null)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentNullException.ThrowIfNull(target);
        long budget = memoryBudget ?? RechunkPlanner.DefaultBudget;
        RechunkPlan plan;
        try
        {
            plan = RechunkPlanner.Plan(array.Chunks, target, array.DataType.Size, budget);
        }
        catch (RechunkBudgetException inMemory)
        {
            return new ChunkedArray<T>(OnDisk(array.Node, target, budget, temporaryDirectory, inMemory));
        }

        // Every task of the in-memory plan fits; the whole plan must too, in the order the scheduler will run it
        // (a rows-to-columns rechunk holds every row band until the first column band is done).
        var inMemoryNode = Apply(array.Node, plan);
        if (plan.Stages.Count > 1)
        {
            var (peak, _) = TaskSchedule.SimulatePeak(TaskSchedule.Order(TaskGraph.Build([inMemoryNode])));
            if (peak > budget)
            {
                var tooBig = new RechunkBudgetException(
                    $"the in-memory rechunk plan holds {peak} bytes at its peak, more than the budget of {budget} bytes.",
                    peak,
                    budget);
                return new ChunkedArray<T>(OnDisk(array.Node, target, budget, temporaryDirectory, tooBig));
            }
        }

        return new ChunkedArray<T>(inMemoryNode);
    }

    /// <summary>
    /// The out-of-core rechunk (the rechunker algorithm with one intermediate): every source chunk is written into a
    /// temporary Zarr array whose chunks are the element-wise minimum of the source and target chunks, then every
    /// target chunk reads its region back. Each task holds one chunk plus one intermediate chunk's worth of codec
    /// scratch, whatever the shapes, at the cost of writing and reading the array once more.
    /// </summary>
    private static ArrayNode OnDisk(ArrayNode input, ChunkGrid target, long budget, string? temporaryDirectory, RechunkBudgetException inMemory)
    {
        int rank = target.Rank;
        var intermediate = Enumerable.Range(0, rank)
            .Select(d => Math.Max(1, Math.Min(input.Grid.Sizes(d).Max(), target.Sizes(d).Max())))
            .ToArray();
        var store = new IntermediateStore(input.DataType, input.Grid.Shape.ToArray(), intermediate, temporaryDirectory);
        long interBytes = 2L * intermediate.Aggregate(1L, (a, b) => a * b) * input.DataType.Size;
        long write = (input.Grid.MaxChunkElements * input.DataType.Size) + interBytes;
        long read = (target.MaxChunkElements * input.DataType.Size) + interBytes;
        if (Math.Max(write, read) > budget)
        {
            throw new RechunkBudgetException(
                inMemory.Message + $" An on-disk intermediate would still need {Math.Max(write, read)} bytes for one task.",
                Math.Max(write, read),
                budget);
        }

        var spill = new IntermediateWriteNode(input, store);
        var barrier = new BarrierNode(spill);
        return new IntermediateReadNode(barrier, store, input.DataType, target);
    }

    /// <summary>Builds the nodes of <paramref name="plan"/> over <paramref name="input"/>.</summary>
    internal static ArrayNode Apply(ArrayNode input, RechunkPlan plan)
    {
        var node = input;
        foreach (var grid in plan.Stages.Skip(1))
        {
            node = new RechunkNode(node, grid);
        }

        return node;
    }
}
