using System.Globalization;
using ChunkCompute.Storage;
using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>
/// Plans a rechunk within a memory budget, after rechunker's multistage algorithm (as used by Cubed).
/// </summary>
/// <remarks>
/// <para>A direct rechunk task for target chunk j reads every source chunk overlapping j, so its footprint is those
/// chunks plus j. Going from short-fat to tall-skinny chunks, one task can need the whole array. When the largest
/// direct task does not fit the budget, the planner inserts intermediate regular chunkings whose chunk shapes are
/// log-spaced between the (consolidated) source chunks and the target chunks, and takes the plan with the fewest
/// stages (at most <see cref="MaxStages"/>) whose every task fits. Like rechunker, it tries the read chunks both as
/// they are and consolidated (merged along the dimensions where the target chunks are larger).</para>
/// <para>The stages' intermediates live in memory. So besides its tasks, a plan is bounded below by
/// <see cref="RechunkPlan.MinimumLiveBytes"/>: until the first target chunk is complete, all data read for it (whole
/// source chunks) must stay in memory somewhere. When that bound exceeds the budget no in-memory plan can work and the
/// planner says so at once. For an all-to-all rechunk (e.g. rows to columns) the bound is the whole array. A lazy
/// <c>Rechunk</c> is planned with this planner when its computation is planned: the scheduler then checks the whole
/// graph's simulated peak and falls back to a single on-disk intermediate when the in-memory route does not fit.</para>
/// </remarks>
public static class RechunkPlanner
{
    /// <summary>The default budget: 1 GiB, the scheduler's default memory budget.</summary>
    public const long DefaultBudget = 1L << 30;

    /// <summary>The most direct steps a plan may have.</summary>
    public const int MaxStages = 32;

    private const long ExactEnumerationLimit = 1 << 20;

    /// <summary>
    /// The target grid for per-dimension chunk sizes: <c>-1</c> means the whole dimension; sizes larger than the
    /// dimension are clamped to it.
    /// </summary>
    /// <exception cref="ArgumentException">Wrong number of dimensions, or a size that is zero or below -1.</exception>
    public static ChunkGrid TargetGrid(IReadOnlyList<long> shape, IReadOnlyList<int> chunks)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(chunks);
        if (chunks.Count != shape.Count)
        {
            throw new ArgumentException($"the array has {shape.Count} dimensions but {chunks.Count} chunk sizes were given: [{string.Join(", ", chunks)}]", nameof(chunks));
        }

        var c = new int[shape.Count];
        for (int d = 0; d < shape.Count; d++)
        {
            if (chunks[d] == 0 || chunks[d] < -1)
            {
                throw new ArgumentException($"chunk size {chunks[d]} of dimension {d} must be positive or -1 (whole dimension)", nameof(chunks));
            }

            long whole = Math.Max(1, shape[d]);
            c[d] = (int)Math.Min(chunks[d] == -1 ? whole : chunks[d], Math.Min(whole, int.MaxValue));
        }

        return ChunkGrid.Regular(shape, c);
    }

    /// <summary>
    /// Plans the rechunk of an array of <paramref name="elementSize"/>-byte elements so that every task fits
    /// <paramref name="memoryBudget"/>. With <paramref name="requireInMemory"/> (the default) it also refuses when
    /// <see cref="RechunkPlan.MinimumLiveBytes"/> exceeds the budget, since then no in-memory plan can run; pass
    /// false to see the task-bounded stages alone (what an executor with on-disk intermediates would run).
    /// </summary>
    /// <exception cref="ArgumentException">The grids' shapes differ.</exception>
    /// <exception cref="RechunkBudgetException">No plan fits <paramref name="memoryBudget"/>.</exception>
    public static RechunkPlan Plan(ChunkGrid source, ChunkGrid target, int elementSize, long memoryBudget = DefaultBudget, bool requireInMemory = true)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(elementSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(memoryBudget);
        if (!source.Shape.SequenceEqual(target.Shape))
        {
            throw new ArgumentException($"cannot rechunk shape [{string.Join(", ", source.Shape)}] to a grid of shape [{string.Join(", ", target.Shape)}]", nameof(target));
        }

        if (source.Equals(target))
        {
            return new RechunkPlan([source], [], 0, memoryBudget);
        }

        long floor = MinimumLiveBytes(source, target, elementSize);
        if (requireInMemory && floor > memoryBudget)
        {
            throw new RechunkBudgetException(
                string.Create(CultureInfo.InvariantCulture, $"cannot rechunk [{string.Join(", ", source.Shape)}] from chunks {source} to {target} within {Format(memoryBudget)}: ") +
                $"every in-memory plan must hold at least {Format(floor)} at once (the whole source chunks the first finished target chunk needs, plus that chunk). " +
                "Rechunk then goes through an on-disk intermediate; to stay in memory, raise the budget or choose target chunks that overlap fewer source chunks.",
                floor,
                memoryBudget);
        }

        var direct = Evaluate([source, target], elementSize);
        if (direct.Max <= memoryBudget)
        {
            return new RechunkPlan([source, target], direct.Bytes, floor, memoryBudget);
        }

        (List<ChunkGrid> Grids, long[] Bytes, long Max) best = ([source, target], direct.Bytes, direct.Max);
        var read = Nominal(source);
        var write = Nominal(target);
        var consolidated = Consolidate(source.Shape, read, write, elementSize, memoryBudget);
        for (int n = 2; n <= MaxStages; n++)
        {
            (List<ChunkGrid> Grids, long[] Bytes, long Max)? fit = null;
            foreach (var grids in new[] { Stages(source, target, read, write, n, null), Stages(source, target, consolidated, write, n - 1, consolidated) })
            {
                var e = Evaluate(grids, elementSize);
                if (e.Max < best.Max)
                {
                    best = (grids, e.Bytes, e.Max);
                }

                if (e.Max <= memoryBudget && (fit is null || e.Max < fit.Value.Max))
                {
                    fit = (grids, e.Bytes, e.Max);
                }
            }

            if (fit is { } f)
            {
                return new RechunkPlan(f.Grids, f.Bytes, floor, memoryBudget);
            }
        }

        throw new RechunkBudgetException(
            $"cannot rechunk [{string.Join(", ", source.Shape)}] from chunks {source} to {target} within {Format(memoryBudget)}: " +
            $"the direct rechunk's largest task holds {Format(direct.Max)} (inputs plus output), and the best plan found with up to {MaxStages} stages " +
            $"({string.Join(" → ", best.Grids.Select(g => "(" + string.Join(", ", g.NominalChunkShape) + ")"))}) still needs {Format(best.Max)} for one task. " +
            "Raise the budget or choose smaller source or target chunks.",
            best.Max,
            memoryBudget);
    }

    /// <summary>Bytes of the largest task of a direct rechunk from <paramref name="from"/> to <paramref name="to"/>: overlapping inputs plus output.</summary>
    public static long LargestTaskBytes(ChunkGrid from, ChunkGrid to, int elementSize)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        return Extreme(from, to, elementSize, largest: true);
    }

    /// <summary>
    /// A lower bound on the bytes any in-memory rechunk from <paramref name="from"/> to <paramref name="to"/> holds
    /// at once: the inputs plus output of the cheapest direct task.
    /// </summary>
    public static long MinimumLiveBytes(ChunkGrid from, ChunkGrid to, int elementSize)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        return Extreme(from, to, elementSize, largest: false);
    }

    private static (long[] Bytes, long Max) Evaluate(List<ChunkGrid> grids, int elementSize)
    {
        var bytes = new long[grids.Count - 1];
        for (int i = 0; i + 1 < grids.Count; i++)
        {
            bytes[i] = LargestTaskBytes(grids[i], grids[i + 1], elementSize);
        }

        return (bytes, bytes.Length == 0 ? 0 : bytes.Max());
    }

    private static List<ChunkGrid> Stages(ChunkGrid source, ChunkGrid target, int[] from, int[] to, int steps, int[]? first)
    {
        var shape = source.Shape;
        var grids = new List<ChunkGrid> { source };
        void Add(ChunkGrid g)
        {
            if (!g.Equals(grids[^1]))
            {
                grids.Add(g);
            }
        }

        if (first is not null)
        {
            Add(ChunkGrid.Regular(shape, first));
        }

        for (int k = 1; k < steps; k++)
        {
            double t = (double)k / steps;
            var c = new int[shape.Count];
            for (int d = 0; d < shape.Count; d++)
            {
                double v = Math.Exp(((1 - t) * Math.Log(from[d])) + (t * Math.Log(to[d])));
                c[d] = (int)Math.Clamp(Math.Round(v), 1, Math.Max(1, Math.Min(shape[d], int.MaxValue)));
            }

            Add(ChunkGrid.Regular(shape, c));
        }

        Add(target);
        return grids;
    }

    /// <summary>Read chunks grown (by whole multiples) along the dimensions where the target chunks are larger, up to a quarter of the budget.</summary>
    private static int[] Consolidate(IReadOnlyList<long> shape, int[] read, int[] write, int elementSize, long budget)
    {
        var c = (int[])read.Clone();
        long limit = budget / 4;
        for (int d = shape.Count - 1; d >= 0; d--)
        {
            if (write[d] <= read[d])
            {
                continue;
            }

            long others = elementSize;
            for (int x = 0; x < shape.Count; x++)
            {
                others *= x == d ? 1 : c[x];
            }

            long maxMultiple = Math.Max(1, limit / Math.Max(1, others * read[d]));
            long grown = Math.Min(read[d] * Math.Min(maxMultiple, (write[d] + read[d] - 1) / read[d]), Math.Min(shape[d], int.MaxValue));
            c[d] = (int)Math.Max(read[d], grown);
        }

        return c;
    }

    private static int[] Nominal(ChunkGrid grid) => Enumerable.Range(0, grid.Rank).Select(d => Math.Max(1, grid.Sizes(d).Max())).ToArray();

    /// <summary>The largest or smallest (inputs + output) bytes over the target chunks of a direct rechunk.</summary>
    private static long Extreme(ChunkGrid from, ChunkGrid to, int elementSize, bool largest)
    {
        if (to.ElementCount == 0)
        {
            return 0;
        }

        // Per dimension, the distinct (span of overlapping inputs, output size) pairs over the target chunks.
        var pairs = new (long Span, long Size)[to.Rank][];
        for (int d = 0; d < to.Rank; d++)
        {
            var set = new HashSet<(long, long)>();
            var sizes = to.Sizes(d);
            long off = 0;
            foreach (int s in sizes)
            {
                long c0 = from.ChunkOf(d, off), c1 = from.ChunkOf(d, off + s - 1);
                set.Add((from.Offset(d, c1) + from.Size(d, c1) - from.Offset(d, c0), s));
                off += s;
            }

            pairs[d] = [.. set];
        }

        double combinations = pairs.Aggregate(1.0, (a, p) => a * p.Length);
        if (combinations > ExactEnumerationLimit)
        {
            // A bound: products of per-dimension extremes (above the true maximum, below the true minimum).
            long a = 1, b = 1;
            foreach (var p in pairs)
            {
                a *= largest ? p.Max(x => x.Span) : p.Min(x => x.Span);
                b *= largest ? p.Max(x => x.Size) : p.Min(x => x.Size);
            }

            return (a + b) * elementSize;
        }

        long best = largest ? 0 : long.MaxValue;
        var index = new int[to.Rank];
        while (true)
        {
            long a = 1, b = 1;
            for (int d = 0; d < to.Rank; d++)
            {
                a *= pairs[d][index[d]].Span;
                b *= pairs[d][index[d]].Size;
            }

            long v = (a + b) * elementSize;
            best = largest ? Math.Max(best, v) : Math.Min(best, v);
            int k = to.Rank - 1;
            for (; k >= 0; k--)
            {
                if (++index[k] < pairs[k].Length)
                {
                    break;
                }

                index[k] = 0;
            }

            if (k < 0)
            {
                return best;
            }
        }
    }

    private static string Format(long bytes) => ByteSize.Format(bytes, exact: true);
}
