using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using Xunit;

namespace ChunkCompute.Tests.Ops.Structure;

/// <summary>
/// rechunk_2d at a small size: square stored chunks to full-height column bands, written to a store. A band needs one
/// column of source chunks, so the direct plan fits the budget only if each chunk column is consumed (its bands built
/// and written) before the next one is read.
/// </summary>
public sealed class RechunkBandsTests
{
    private const int Rows = 8192, Cols = 4096, Chunk = 1024, Band = 128;
    private const long Budget = 64L << 20; // the array is 128 MiB; one chunk column is 32 MiB

    [Fact]
    public void RechunkSquareChunksToBands_ToStore_DirectPlanWithinBudgetAndExact()
    {
        using var store = ZarrStore.InMemory();
        var data = new float[Rows * Cols];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (i % 9973) * 0.5f;
        }

        store.CreateArray<float>("x", [Rows, Cols], [Chunk, Chunk]).Write(data);
        var y = store.Open<float>("x").Rechunk([Rows, Band]);
        Assert.Equal([Rows, Band], y.Chunks.NominalChunkShape);

        // The planner keeps the direct in-memory rechunk (no spill to disk) and the scheduler accepts it.
        string plan = y.Explain(new ComputeOptions { MemoryBudget = Budget });
        Assert.DoesNotContain("rechunk-spill", plan, StringComparison.Ordinal);

        var options = new ComputeOptions { MemoryBudget = Budget };
        var stats = y.ToStore(store, "bands").Compute(options);
        Assert.True(stats.ProjectedPeakBytes <= Budget, $"projected peak {stats.ProjectedPeakBytes} > {Budget}\n{plan}");
        Assert.True(stats.PeakMemoryBytes <= Budget, $"accounted peak {stats.PeakMemoryBytes} > {Budget}");

        // One chunk column (8 × 4 MiB) + one band (4 MiB) + the write's encoder staging (the 4 MiB band as one stored
        // chunk: 4 MiB + 1/16 + 2 MiB of block slack, in the pool's 512 KiB size class: 6.5 MiB): 42.5 MiB, not the
        // whole array.
        Assert.Equal(85L << 19, stats.ProjectedPeakBytes);
        var written = store.OpenArray<float>("bands");
        Assert.Equal([Rows, Band], written.ChunkShape);
        Assert.Equal(data, written.Read());

        // Computed into memory as well (the result array is not counted in the budget).
        var r = y.Compute(options);
        Assert.Equal(data, r.ToArray());
        Assert.True(r.Statistics.PeakMemoryBytes <= Budget);
    }

    [Fact]
    public void Order_ColumnConsumers_PicksDepthFirstOverSweep()
    {
        // The same graph without data: the sweep reads source chunks in C order, so no band is ready before the last
        // chunk row is in and the whole array is live; the depth-first order holds one chunk column.
        using var store = ZarrStore.InMemory();
        store.CreateArray<float>("x", [Rows, Cols], [Chunk, Chunk]);
        var y = store.Open<float>("x").Rechunk([Rows, Band]);
        using var write = y.ToStore(store, "bands");
        var graph = ExecutionPlan.Create([write.Node], new ComputeOptions { MemoryBudget = long.MaxValue / 4 }).Graph;
        long sweep = TaskSchedule.SimulatePeak(TaskSchedule.SweepOrder(graph)).PeakBytes;
        long depthFirst = TaskSchedule.SimulatePeak(TaskSchedule.DepthFirstOrder(graph)).PeakBytes;
        Assert.True(sweep >= (long)Rows * Cols * sizeof(float) * 7 / 8, $"sweep peak {sweep}"); // nearly all of it
        Assert.Equal(85L << 19, depthFirst);
        Assert.Equal(depthFirst, TaskSchedule.SimulatePeak(TaskSchedule.Order(graph)).PeakBytes);
        Assert.Equal(depthFirst, ExecutionPlan.Create(graph, Budget).ProjectedPeakBytes);
    }
}
