using ChunkCompute.Graph;
using ChunkCompute.Ops;

namespace ChunkCompute.Scheduler;

/// <summary>
/// Indexing by lazy arrays: NumPy's <c>compress</c> with a computed mask, <c>x[mask]</c> (<see cref="Extract{T}"/>) and
/// <c>take</c> with computed indices. The result's length depends on the data, so a counting pass runs now, within the
/// budget, and the result is again a lazy array with known chunks. When the selection takes at most half the budget it
/// is kept from that pass (the data is not read twice); otherwise the result reads the input and mask again when
/// computed, one output chunk from at most a few input chunks.
/// </summary>
public static class SelectionExtensions
{
    /// <summary>
    /// The rows along <paramref name="axis"/> where the 1-D <paramref name="mask"/> is true, in order (NumPy's
    /// <c>compress(mask, x, axis)</c>); a mask shorter than the axis selects only among the first rows. Runs the
    /// counting pass now.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    /// <exception cref="ArgumentException">The mask is not 1-D, or is longer than the axis.</exception>
    public static ChunkedArray<T> Compress<T>(this ChunkedArray<T> x, ChunkedArray<bool> mask, int axis = 0, ComputeOptions? options = null, CancellationToken cancellationToken = default)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(mask);
        int a = axis < 0 ? axis + x.Rank : axis;
        if (a < 0 || a >= x.Rank)
        {
            throw new ArgumentOutOfRangeException(nameof(axis), $"axis {axis} is out of range for an array of {x.Rank} dimensions");
        }

        if (mask.Rank != 1)
        {
            throw new ArgumentException($"the mask must be 1-D; it has shape [{string.Join(", ", mask.Shape)}]", nameof(mask));
        }

        if (mask.Shape[0] > x.Shape[a])
        {
            throw new ArgumentException($"the mask has {mask.Shape[0]} elements, more than axis {axis}'s length {x.Shape[a]}", nameof(mask));
        }

        options ??= new ComputeOptions();
        return Select(x, mask, a, options, cancellationToken);
    }

    /// <summary>The rows along the dimension named <paramref name="dim"/> where <paramref name="mask"/> is true (see <see cref="Compress{T}(ChunkedArray{T}, ChunkedArray{bool}, int, ComputeOptions?, CancellationToken)"/>).</summary>
    /// <exception cref="ArgumentException">No dimension has that name, or the mask is not 1-D or is longer than the dimension.</exception>
    public static ChunkedArray<T> Compress<T>(this ChunkedArray<T> x, ChunkedArray<bool> mask, string dim, ComputeOptions? options = null, CancellationToken cancellationToken = default)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.Compress(mask, x.AxisOf(dim), options, cancellationToken);
    }

    /// <summary>The rows <paramref name="indices"/> along the dimension named <paramref name="dim"/> (see <see cref="Take{T}(ChunkedArray{T}, ChunkedArray{long}, int, ComputeOptions?, CancellationToken)"/>).</summary>
    /// <exception cref="ArgumentException">No dimension has that name, or the indices are not 1-D.</exception>
    /// <exception cref="MemoryPlanRefusedException">The indices take more than half the budget.</exception>
    public static ChunkedArray<T> Take<T>(this ChunkedArray<T> x, ChunkedArray<long> indices, string dim, ComputeOptions? options = null, CancellationToken cancellationToken = default)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(x);
        return x.Take(indices, x.AxisOf(dim), options, cancellationToken);
    }

    /// <summary>
    /// The elements where <paramref name="mask"/> (the shape of <paramref name="x"/>) is true, as a 1-D array in C order:
    /// NumPy's <c>x[mask]</c> (and <c>extract(mask, x)</c>). Both are flattened (as Dask does) and compressed; the
    /// counting pass runs now.
    /// </summary>
    /// <exception cref="ArgumentException">The mask's shape differs from the array's.</exception>
    public static ChunkedArray<T> Extract<T>(this ChunkedArray<T> x, ChunkedArray<bool> mask, ComputeOptions? options = null, CancellationToken cancellationToken = default)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(mask);
        if (!x.Shape.SequenceEqual(mask.Shape))
        {
            throw new ArgumentException($"the mask's shape [{string.Join(", ", mask.Shape)}] differs from the array's [{string.Join(", ", x.Shape)}]", nameof(mask));
        }

        options ??= new ComputeOptions();
        if (x.Rank == 1)
        {
            return Select(x, mask, 0, options, cancellationToken);
        }

        // Flattening needs every chunk to be whole rows: chunks span the trailing dimensions, as many rows as x's chunks hold.
        long n = x.Chunks.ElementCount;
        long row = x.Shape.Skip(1).Aggregate(1L, (p, s) => p * s);
        long nominal = x.Chunks.NominalChunkShape.Aggregate(1L, (p, s) => p * s);
        var rows = Enumerable.Repeat(-1, x.Rank).ToArray();
        rows[0] = (int)Math.Clamp(nominal / Math.Max(1, row), 1, Math.Max(1, x.Shape[0]));
        return Select(x.Rechunk(rows).Reshape(n), mask.Rechunk(rows).Reshape(n), 0, options, cancellationToken);
    }

    /// <summary>
    /// The rows <paramref name="indices"/> (1-D, computed now) along <paramref name="axis"/>, in that order: NumPy's
    /// <c>take</c> with an index array that is itself lazy. The indices are held in memory (8 bytes each), so they must
    /// take at most half the budget.
    /// </summary>
    /// <exception cref="ArgumentException">The indices are not 1-D.</exception>
    /// <exception cref="MemoryPlanRefusedException">The indices take more than half the budget.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The axis, or an index, is out of range.</exception>
    public static ChunkedArray<T> Take<T>(this ChunkedArray<T> x, ChunkedArray<long> indices, int axis = 0, ComputeOptions? options = null, CancellationToken cancellationToken = default)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Rank != 1)
        {
            throw new ArgumentException($"the indices must be 1-D; they have shape [{string.Join(", ", indices.Shape)}]", nameof(indices));
        }

        options ??= new ComputeOptions();
        long bytes = indices.Shape[0] * sizeof(long);
        if (bytes > options.EffectiveBudget / 2)
        {
            throw new MemoryPlanRefusedException("take", bytes * 2, options.EffectiveBudget, $"The {indices.Shape[0]} indices are held in memory and may take half the budget; raise MemoryBudget or take fewer rows at once.");
        }

        return x.Take(indices.Compute(options, cancellationToken).ToArray(), axis);
    }

    private static ChunkedArray<T> Select<T>(ChunkedArray<T> x, ChunkedArray<bool> mask, int axis, ComputeOptions options, CancellationToken cancellationToken)
        where T : unmanaged
    {
        bool filter = mask.Shape[0] == x.Shape[axis] && FilterCountNode.Applies(x.Node, mask.Node);

        // The mask chunked as x along the axis (cut at the mask's end); x's chunks past the mask are never read.
        long length = mask.Shape[0];
        var axisSizes = new List<int>();
        for (long c = 0, offset = 0; offset < length; c++)
        {
            int size = (int)Math.Min(x.Chunks.Size(axis, c), length - offset);
            axisSizes.Add(size);
            offset += size;
        }

        if (!mask.Chunks.Sizes(0).SequenceEqual(axisSizes))
        {
            mask = length == 0 ? mask : mask.Rechunk([axisSizes]);
        }

        var countGrid = ChunkGrid.FromSizes(Enumerable.Range(0, x.Rank).Select(d => d == axis ? x.Chunks.Sizes(d).Take(axisSizes.Count).ToList() : x.Chunks.Sizes(d)).ToArray());
        var counts = new long[axisSizes.Count];
        var kept = new Dictionary<long, byte[]>();
        long keptBytes = 0;
        bool keeping = true;
        long keepLimit = options.EffectiveBudget / 2;
        var gate = new object();
        if (length > 0 && x.Chunks.ElementCount > 0)
        {
            ArrayNode count = filter ? new FilterCountNode(x.Node, mask.Node) : new CompressCountNode(x.Node, mask.Node, axis, countGrid);
            new Computation.PassRunner(options).Run(count, (chunkIndex, data) =>
            {
                long selected = BitConverter.ToInt64(data);
                long used = selected * (countGrid.ChunkElements(chunkIndex) / Math.Max(1, countGrid.Size(axis, chunkIndex[axis]))) * x.Node.DataType.Size;
                bool keep;
                lock (gate)
                {
                    counts[chunkIndex[axis]] = selected;
                    keep = keeping && keptBytes + used <= keepLimit;
                    if (keep)
                    {
                        keptBytes += used;
                    }
                    else if (keeping)
                    {
                        keeping = false;
                        kept.Clear();
                    }
                }

                if (keep)
                {
                    // Copied outside the lock (the workers' copies run in parallel), then filed unless keeping stopped.
                    var block = GC.AllocateUninitializedArray<byte>((int)used);
                    data.Slice(sizeof(long), (int)used).CopyTo(block);
                    lock (gate)
                    {
                        if (keeping)
                        {
                            kept[countGrid.Linear(chunkIndex)] = block;
                        }
                    }
                }
            }, cancellationToken);
        }

        ChunkedArray<T> result;
        if (!keeping || length == 0 || x.Chunks.ElementCount == 0)
        {
            int nominal = Math.Max(1, x.Chunks.Sizes(axis).DefaultIfEmpty(1).Max());
            var (sizes, groups) = CompressNode.Group(counts, nominal);
            var grid = ChunkGrid.FromSizes(Enumerable.Range(0, x.Rank).Select(d => d == axis ? sizes : x.Chunks.Sizes(d)).ToArray());
            result = new ChunkedArray<T>(new CompressNode(x.Node, mask.Node, axis, grid, groups));
        }
        else
        {
            result = new ChunkedArray<T>(KeptChunksNode.Create(x.Node.DataType, countGrid, axis, counts, kept));
        }

        return x.DimensionNames is { } names ? result.WithDims([.. names]) : result;
    }
}
