using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Stores;
using ChunkCompute.Tests.Interop;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Ops;

/// <summary>
/// Issue 20's operations over a stored array four times the memory budget (4 MiB of float64 in 32 KiB chunks, a 1 MiB
/// budget): each runs with its measured peak (and projected peak) within the budget, and its result equals a direct
/// computation by loops here (or, for the stencils, the same operation under a budget the whole array fits). And the
/// refusals: a sort along an axis whose lane cannot fit, and a map_overlap whose chunk plus halo cannot fit, are
/// refused before any chunk is read (counted at the store), by an exception naming the budget.
/// </summary>
public sealed class OpsMemoryBudgetTests
{
    private const int Rows = 1024;
    private const int Cols = 512;
    private const long Budget = 1L << 20; // a quarter of the 4 MiB array
    private static readonly ComputeOptions Small = new() { MemoryBudget = Budget };
    private static readonly ComputeOptions Large = new() { MemoryBudget = 1L << 30 };

    // Small integers as float64: sums in any order are exact, so loops here are an exact reference.
    private static readonly double[] Values = Enumerable.Range(0, Rows * Cols).Select(i => (double)(((i * 7919L) % 201) - 100)).ToArray();

    private static ChunkedArray<double> Stored(ZarrStore store)
    {
        store.CreateArray<double>("x", [Rows, Cols], [32, 128]).Write(Values);
        return store.Open<double>("x");
    }

    private static double At(int r, int c) => Values[(r * Cols) + c];

    private static void AssertWithinBudget(ComputeStatistics statistics)
    {
        Assert.InRange(statistics.PeakMemoryBytes, 1, Budget);
        Assert.InRange(statistics.ProjectedPeakBytes, 1, Budget);
    }

    [Fact]
    public void CumSum_AlongTheLongAxis_StaysWithinTheBudget_AndEqualsARunningSum()
    {
        using var store = ZarrStore.InMemory();
        var result = Stored(store).CumSum(0).Compute(Small);

        AssertWithinBudget(result.Statistics);
        var expected = new double[Rows * Cols];
        for (int r = 0; r < Rows; r++)
        {
            for (int c = 0; c < Cols; c++)
            {
                expected[(r * Cols) + c] = At(r, c) + (r > 0 ? expected[((r - 1) * Cols) + c] : 0);
            }
        }

        Assert.Equal(expected, result.ToArray());
    }

    [Fact]
    public void MovingMean_StaysWithinTheBudget_AndEqualsTheWindowMeans()
    {
        using var store = ZarrStore.InMemory();
        const int Window = 40; // spans two 32-row chunks
        var result = Stored(store).MovingMean(Window, 0).Compute(Small);

        AssertWithinBudget(result.Statistics);
        var y = result.ToArray();
        for (int r = 0; r < Rows; r += 7)
        {
            for (int c = 0; c < Cols; c += 61)
            {
                double expected = r < Window - 1 ? double.NaN : Enumerable.Range(r - Window + 1, Window).Sum(k => At(k, c)) / Window;
                Assert.Equal(expected, y[(r * Cols) + c], 1e-12);
            }
        }

        Assert.Equal(Stored(ZarrStore.InMemory()).MovingMean(Window, 0).Compute(Large).ToArray(), y);
    }

    [Fact]
    public void MapOverlap_StaysWithinTheBudget_AndEqualsTheSameStencilWithTheWholeArrayInBudget()
    {
        using var store = ZarrStore.InMemory();
        var x = Stored(store);
        var small = x.MapOverlap<double, double>([3, 5], OverlapBoundary.Nearest, PredecessorSum).Compute(Small);

        AssertWithinBudget(small.Statistics);
        Assert.Equal(x.MapOverlap<double, double>([3, 5], OverlapBoundary.Nearest, PredecessorSum).Compute(Large).ToArray(), small.ToArray());

        // Away from the array's edges the stencil is the element plus its predecessors along each axis.
        var y = small.ToArray();
        foreach (var (r, c) in new[] { (1, 1), (32, 128), (33, 127), (500, 300), (1023, 511) })
        {
            Assert.Equal(At(r, c) + At(r - 1, c) + At(r, c - 1), y[(r * Cols) + c]);
        }
    }

    [Fact]
    public void Take_AndCompress_StayWithinTheBudget_AndEqualDirectGathers()
    {
        using var store = ZarrStore.InMemory();
        var x = Stored(store);

        // Rows in order with repeats and gaps (each output chunk reads a few neighbouring input chunks).
        var rows = Enumerable.Range(0, 683).Select(i => (long)(i * 3 / 2)).ToArray();
        var taken = x.Take(rows, 0).Compute(Small);
        AssertWithinBudget(taken.Statistics);
        Assert.Equal(rows.SelectMany(r => Enumerable.Range(0, Cols).Select(c => At((int)r, c))).ToArray(), taken.ToArray());

        var mask = Enumerable.Range(0, Cols).Select(c => c % 3 != 1).ToArray();
        var compressed = x.Compress(mask, 1).Compute(Small);
        AssertWithinBudget(compressed.Statistics);
        var kept = Enumerable.Range(0, Cols).Where(c => mask[c]).ToArray();
        Assert.Equal(Enumerable.Range(0, Rows).SelectMany(r => kept.Select(c => At(r, c))).ToArray(), compressed.ToArray());
    }

    [Fact]
    public void Sort_AndMedian_AlongAnAxisWhoseLanesFit_StayWithinTheBudget_AndEqualSortedRows()
    {
        using var store = ZarrStore.InMemory();
        var x = Stored(store);

        var sorted = x.Sort(1).Compute(Small);
        AssertWithinBudget(sorted.Statistics);
        var median = x.Median(1).Compute(Small);
        AssertWithinBudget(median.Statistics);

        var expectedSorted = new double[Rows * Cols];
        var expectedMedian = new double[Rows];
        for (int r = 0; r < Rows; r++)
        {
            var row = Values.AsSpan(r * Cols, Cols).ToArray();
            Array.Sort(row);
            row.CopyTo(expectedSorted, r * Cols);
            expectedMedian[r] = (row[(Cols / 2) - 1] + row[Cols / 2]) / 2;
        }

        Assert.Equal(expectedSorted, sorted.ToArray());
        Assert.Equal(expectedMedian, median.ToArray());
    }

    [Fact]
    public void TopK_AlongTheLongAxis_StaysWithinTheBudget_AndEqualsTheLargestOfEachColumn()
    {
        using var store = ZarrStore.InMemory();
        var result = Stored(store).TopK(5, 0).Compute(Small);

        AssertWithinBudget(result.Statistics);
        Assert.Equal([5L, Cols], result.Shape);
        var y = result.ToArray();
        for (int c = 0; c < Cols; c++)
        {
            var top = Enumerable.Range(0, Rows).Select(r => At(r, c)).OrderDescending().Take(5).ToArray();
            Assert.Equal(top, Enumerable.Range(0, 5).Select(k => y[(k * Cols) + c]).ToArray());
        }
    }

    [Fact]
    public void Unique_StaysWithinTheBudget_AndEqualsGroupedCounts()
    {
        using var store = ZarrStore.InMemory();
        var accountant = new MemoryAccountant(Budget);

        var (values, counts) = Stored(store).UniqueCounts(new ComputeOptions { MemoryBudget = Budget, SharedMemory = accountant });

        Assert.InRange(accountant.Peak, 1, Budget);
        var expected = Values.GroupBy(v => v).OrderBy(g => g.Key).ToArray();
        Assert.Equal(expected.Select(g => g.Key), values);
        Assert.Equal(expected.Select(g => (long)g.Count()), counts);
    }

    [Fact]
    public void Persist_Spilled_StaysWithinTheBudget_AndLaterComputationsSeeTheSameValues()
    {
        using var store = ZarrStore.InMemory();
        using var tmp = new TempDirectory("cc-persist-budget");
        var options = new ComputeOptions { MemoryBudget = Budget, TemporaryDirectory = tmp.Path };

        using var persisted = ((Stored(store) * 2.0) + 1.0).Persist(options);

        Assert.False(persisted.IsInMemory); // 4 MiB cannot stay in half of a 1 MiB budget: spilled
        AssertWithinBudget(persisted.Statistics);
        var again = persisted.Array.Compute(Large).ToArray();
        Assert.Equal(Values.Select(v => (v * 2.0) + 1.0).ToArray(), again);
        var columnSums = persisted.Array.Sum(0).Compute(Small);
        AssertWithinBudget(columnSums.Statistics);
        Assert.Equal(Enumerable.Range(0, Cols).Select(c => Enumerable.Range(0, Rows).Sum(r => (At(r, c) * 2.0) + 1.0)).ToArray(), columnSums.ToArray());
    }

    // --- refusals: before any chunk is read, naming the budget ---

    // Sorts only: quantiles and medians of lanes larger than the budget are computed by histogram passes on main
    // (3af8611), not refused, so they have no refusal to test.
    public static TheoryData<string> LaneOps() => ["Sort", "ArgSort"];

    [Theory]
    [MemberData(nameof(LaneOps))]
    public void AlongAnAxisWhoseLaneCannotFit_IsRefusedBeforeReading(string op)
    {
        // 8 lanes of 2^17 float64 (1 MiB each) along axis 1, in 128 KiB chunks; a 512 KiB budget cannot hold one lane.
        var (counted, x) = CountedStore([8, 1 << 17], [1, 1 << 14]);
        long budget = 512L << 10;
        ChunkedArray<double> Build() => op == "Sort" ? x.Sort(1) : x.ArgSort(1).AsType<double>();
        int before = ChunkReads(counted);

        // Refused by the rechunk that gathers each lane into one chunk: the message names the sort that asked for it,
        // the budget, the array and the one-chunk lane it could not gather.
        var e = Assert.Throws<RechunkBudgetException>(() => Build().Compute(new ComputeOptions { MemoryBudget = budget }));

        Assert.Equal(budget, e.BudgetBytes);
        Assert.True(e.RequiredBytes > budget, $"required {e.RequiredBytes}");
        Assert.StartsWith($"{op.ToLowerInvariant()} along axis 1 holds each lane of 131072 elements in one chunk: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("within 512 KiB", e.Message, StringComparison.Ordinal);
        Assert.Contains("cannot rechunk [8, 131072]", e.Message, StringComparison.Ordinal);
        Assert.Contains("(131072)", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, ChunkReads(counted));

        // And a budget the lanes fit computes it (the same lane gathered: 1 MiB plus its chunks).
        Assert.Equal(8 << 17, Build().Compute(new ComputeOptions { MemoryBudget = 64L << 20 }).ToArray().Length);
        Assert.True(ChunkReads(counted) > before, "the reads are counted (so none before the refusal means none)");
    }

    [Fact]
    public void MapOverlap_WhoseChunkPlusHaloCannotFit_IsRefusedBeforeReading()
    {
        // 128 KiB chunks; a depth of 3 chunks on each side along axis 0 makes each extended block 7 chunks (896 KiB,
        // and as much again of scratch for the kernel).
        var (counted, x) = CountedStore([4096, 64], [256, 64]);
        long budget = 1L << 20;
        var overlapped = x.MapOverlap<double, double>([768, 0], OverlapBoundary.None, PredecessorSum);
        int before = ChunkReads(counted);

        var e = Assert.Throws<MemoryPlanRefusedException>(() => overlapped.Compute(new ComputeOptions { MemoryBudget = budget }));

        Assert.Equal(budget, e.BudgetBytes);
        Assert.True(e.RequiredBytes > budget, $"required {e.RequiredBytes}");
        Assert.Contains("map-overlap", e.Message, StringComparison.Ordinal);
        Assert.Contains("1 MiB", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, ChunkReads(counted));

        // A depth within one chunk fits the same budget.
        var fits = x.MapOverlap<double, double>([16, 0], OverlapBoundary.None, PredecessorSum).Compute(new ComputeOptions { MemoryBudget = budget });
        Assert.InRange(fits.Statistics.PeakMemoryBytes, 1, budget);
        Assert.True(ChunkReads(counted) > before, "the reads are counted (so none before the refusal means none)");
    }

    private static (LatencyStore Counted, ChunkedArray<double> Array) CountedStore(long[] shape, int[] chunks)
    {
        var inner = new MemoryStore();
        long n = shape[0] * shape[1];
        using (var setup = new ZarrStore(inner))
        {
            setup.CreateArray<double>("x", shape, chunks).Write(Enumerable.Range(0, checked((int)n)).Select(i => (double)(i % 1000)).ToArray());
        }

        var counted = new LatencyStore(inner, TimeSpan.Zero);
        return (counted, new ZarrStore(counted).Open<double>("x"));
    }

    private static int ChunkReads(LatencyStore store) => store.ReadsByKey.Where(kv => kv.Key.Contains("/c/", StringComparison.Ordinal)).Sum(kv => kv.Value);

    // The element plus its predecessor along each axis within the extended block.
    private static void PredecessorSum(ReadOnlySpan<double> block, Span<double> output, ChunkInfo info)
    {
        int cols = info.ChunkShape[1];
        for (int e = 0; e < block.Length; e++)
        {
            int r = e / cols;
            int c = e % cols;
            output[e] = block[e] + (r > 0 ? block[e - cols] : 0) + (c > 0 ? block[e - 1] : 0);
        }
    }
}
