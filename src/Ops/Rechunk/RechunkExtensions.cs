using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>
/// Rechunking lazy arrays. <c>Rechunk</c> records the target grid only; the route (one direct step, several in-memory
/// stages from <see cref="RechunkPlanner"/>, or a temporary on-disk Zarr array) is chosen when the computation is
/// planned, within its <c>ComputeOptions.MemoryBudget</c> and counting what the rechunk's consumers hold.
/// </summary>
public static class RechunkExtensions
{
    /// <summary>Rechunks to a regular grid of <paramref name="chunks"/> (<c>-1</c>: the whole dimension).</summary>
    /// <exception cref="ArgumentException">Wrong number of sizes, or a size that is zero or below -1.</exception>
    public static ChunkedArray<T> Rechunk<T>(this ChunkedArray<T> array, int[] chunks)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        return array.Rechunk(RechunkPlanner.TargetGrid(array.Shape, chunks));
    }

    /// <summary>
    /// Rechunks the named dimensions to regular chunks of the given sizes (<c>-1</c>: the whole dimension), keeping the
    /// other dimensions' chunks — xarray's <c>x.chunk({"time": 1024})</c>, here <c>x.Rechunk(("time", 1024))</c>.
    /// </summary>
    /// <exception cref="ArgumentException">A name is not one of the array's dimension names, or a size is zero or below -1.</exception>
    public static ChunkedArray<T> Rechunk<T>(this ChunkedArray<T> array, params (string Dim, int Size)[] chunks)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentNullException.ThrowIfNull(chunks);
        var grid = array.Chunks;
        var sizes = Enumerable.Range(0, grid.Rank).Select(grid.Sizes).ToArray();
        foreach (var (dim, size) in chunks)
        {
            int axis = array.AxisOf(dim);
            var regular = Enumerable.Range(0, grid.Rank).Select(d => d == axis ? size : -1).ToArray();
            sizes[axis] = RechunkPlanner.TargetGrid(array.Shape, regular).Sizes(axis);
        }

        return array.Rechunk(ChunkGrid.FromSizes(sizes));
    }

    /// <summary>Rechunks to irregular per-dimension chunk sizes (Dask's tuple of tuples).</summary>
    /// <exception cref="ArgumentException">The sizes do not add up to the shape.</exception>
    public static ChunkedArray<T> Rechunk<T>(this ChunkedArray<T> array, IReadOnlyList<IReadOnlyList<int>> chunkSizes)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        return array.Rechunk(ChunkGrid.FromSizes(chunkSizes));
    }

    /// <summary>Rechunks to <paramref name="target"/> (the array itself when it already has that grid).</summary>
    /// <exception cref="ArgumentException">The target's shape differs from the array's.</exception>
    /// <remarks>
    /// Nothing is planned here. When the computation is planned, the rechunk runs in memory if the whole plan fits
    /// the budget that way (directly, or through intermediate chunkings when one direct task would not fit), and
    /// otherwise through a temporary Zarr array in <c>ComputeOptions.TemporaryDirectory</c>, deleted when the last
    /// chunk has been read back. When not even one on-disk task fits, planning raises
    /// <see cref="RechunkBudgetException"/> before anything runs.
    /// </remarks>
    public static ChunkedArray<T> Rechunk<T>(this ChunkedArray<T> array, ChunkGrid target)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentNullException.ThrowIfNull(target);
        if (!array.Chunks.Shape.SequenceEqual(target.Shape))
        {
            throw new ArgumentException($"cannot rechunk shape [{string.Join(", ", array.Shape)}] to a grid of shape [{string.Join(", ", target.Shape)}]", nameof(target));
        }

        return array.Chunks.Equals(target) ? array : new ChunkedArray<T>(new PlannedRechunkNode(array.Node, target));
    }

    /// <summary>
    /// A rechunk made by another operation (<paramref name="purpose"/>, e.g. "sort along axis 1 gathers each lane into
    /// one chunk"): the same planned rechunk, whose refusal says what it was for.
    /// </summary>
    internal static ChunkedArray<T> RechunkFor<T>(this ChunkedArray<T> array, IReadOnlyList<IReadOnlyList<int>> chunkSizes, string purpose)
        where T : unmanaged
    {
        var target = ChunkGrid.FromSizes(chunkSizes);
        return array.Chunks.Equals(target) ? array : new ChunkedArray<T>(new PlannedRechunkNode(array.Node, target) { Purpose = purpose });
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
