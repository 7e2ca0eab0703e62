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
    public static ChunkedArray<T> Rechunk<T>(this ChunkedArray<T> array, ChunkGrid target, long? memoryBudget = null)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentNullException.ThrowIfNull(target);
        var plan = RechunkPlanner.Plan(array.Chunks, target, array.DataType.Size, memoryBudget ?? RechunkPlanner.DefaultBudget);
        return new ChunkedArray<T>(Apply(array.Node, plan));
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
