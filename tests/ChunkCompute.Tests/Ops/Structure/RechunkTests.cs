using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using Xunit;

namespace ChunkCompute.Tests.Ops.Structure;

/// <summary>Rechunk plans stay within the budget, round-trip the data exactly, and refuse clearly when they cannot fit.</summary>
public sealed class RechunkTests
{
    [Fact]
    public void Rechunk_RandomGridsAndBudgets_RoundTripsWithinBudget()
    {
        var rng = new Random(99);
        int computed = 0, staged = 0, refusedEarly = 0;
        for (int trial = 0; trial < 200; trial++)
        {
            int rank = rng.Next(1, 4);
            var shape = Enumerable.Range(0, rank).Select(_ => (long)(rng.Next(0, 5) switch { 0 => 1, _ => rng.Next(1, 40) })).ToArray();
            var source = rng.Next(2) == 0
                ? StructureTestData.RandomGrid(shape, rng)
                : RechunkPlanner.TargetGrid(shape, shape.Select(s => rng.Next(1, (int)s + 1)).ToArray());
            var target = rng.Next(2) == 0
                ? StructureTestData.RandomGrid(shape, rng)
                : RechunkPlanner.TargetGrid(shape, shape.Select(s => rng.Next(4) == 0 ? -1 : rng.Next(1, (int)s + 2)).ToArray());
            long direct = RechunkPlanner.LargestTaskBytes(source, target, sizeof(int));
            long budget = Math.Max(16, (long)(direct * (0.2 + (1.3 * rng.NextDouble()))));
            var data = StructureTestData.Iota(shape);
            var x = ChunkedArray.FromArray(data, source);
            string what = $"[{string.Join(", ", shape)}] {source} → {target}, budget {budget}";
            // The task-bounded stages alone (what on-disk intermediates would run) must round-trip too.
            try
            {
                var tasksOnly = RechunkPlanner.Plan(source, target, sizeof(int), budget, requireInMemory: false);
                Assert.All(tasksOnly.StageTaskBytes, b => Assert.True(b <= budget, what));
                if (tasksOnly.IntermediateCount > 0)
                {
                    staged++;
                    var z = new ChunkedArray<int>(RechunkExtensions.Apply(x.Node, tasksOnly));
                    Assert.Equal(data, z.Compute(new ComputeOptions { MemoryBudget = 1L << 30 }).ToArray());
                }
            }
            catch (RechunkBudgetException e)
            {
                Assert.True(e.RequiredBytes > budget, what);
            }

            RechunkPlan plan;
            try
            {
                plan = RechunkPlanner.Plan(source, target, sizeof(int), budget);
            }
            catch (RechunkBudgetException e)
            {
                Assert.True(e.RequiredBytes > budget, what);
                Assert.Contains(budget.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
                refusedEarly++;

                // No in-memory plan fits: the rechunk goes through an on-disk intermediate, or planning refuses if
                // even one chunk does not fit; when it runs, the data and the budget must hold.
                var onDisk = x.Rechunk(target);
                try
                {
                    var spilled = onDisk.Compute(new ComputeOptions { MemoryBudget = budget });
                    Assert.Equal(data, spilled.ToArray());
                    Assert.True(spilled.Statistics.PeakMemoryBytes <= budget, $"{what}: on-disk peak {spilled.Statistics.PeakMemoryBytes}");
                }
                catch (RechunkBudgetException tooBig)
                {
                    Assert.True(tooBig.RequiredBytes > budget, what);
                }
                catch (MemoryPlanRefusedException)
                {
                    Assert.Equal(data, onDisk.Compute(new ComputeOptions { MemoryBudget = 1L << 30 }).ToArray());
                }

                continue;
            }

            Assert.Equal(source, plan.Stages[0]);
            Assert.Equal(target, plan.Stages[^1]);
            Assert.All(plan.StageTaskBytes, b => Assert.True(b <= budget, what));
            var y = x.Rechunk(target);
            Assert.Equal(target, y.Chunks);
            try
            {
                var r = y.Compute(new ComputeOptions { MemoryBudget = budget });
                Assert.Equal(data, r.ToArray());
                Assert.True(r.Statistics.PeakMemoryBytes <= budget, $"{what}: peak {r.Statistics.PeakMemoryBytes}");
                computed++;
            }
            catch (MemoryPlanRefusedException)
            {
                // The whole plan's simulated peak is over the budget: refused before running. The stages still
                // have to be right, so check the data under a large budget.
                Assert.Equal(data, y.Compute(new ComputeOptions { MemoryBudget = 1L << 30 }).ToArray());
            }
        }

        Assert.True(computed > 50 && staged > 0 && refusedEarly > 0, $"computed {computed}, staged {staged}, refused {refusedEarly}");
    }

    [Fact]
    public void Plan_ShortFatToTallSkinny_InsertsIntermediateStagesThatFitTasks()
    {
        // 4096 × 4096 float32 (64 MiB) from row bands to column bands: each direct task reads the whole array.
        var source = ChunkGrid.Regular([4096, 4096], [64, 4096]);
        var target = ChunkGrid.Regular([4096, 4096], [4096, 64]);
        Assert.Equal((64L << 20) + (1L << 20), RechunkPlanner.LargestTaskBytes(source, target, 4));
        var plan = RechunkPlanner.Plan(source, target, 4, 16L << 20, requireInMemory: false);
        Assert.True(plan.IntermediateCount >= 1, plan.ToString());
        Assert.All(plan.StageTaskBytes, b => Assert.True(b <= 16L << 20, plan.ToString()));
        Assert.Equal([64, 4096], plan.ChunkShapes[0]);
        Assert.Equal([4096, 64], plan.ChunkShapes[^1]);

        // Held in memory, the first column band needs every row band: no in-memory plan fits 16 MiB.
        var e = Assert.Throws<RechunkBudgetException>(() => RechunkPlanner.Plan(source, target, 4, 16L << 20));
        Assert.Contains("4096, 4096", e.Message, StringComparison.Ordinal);
        Assert.Contains("16 MiB", e.Message, StringComparison.Ordinal);
        Assert.True(e.RequiredBytes >= 64L << 20);
    }

    [Fact]
    public void Rechunk_ShortFatToTallSkinny_UnderBudget_RoundTripsOrRefusesBeforeRunning()
    {
        // A small version of the classic case: 512 × 512 float32 (1 MiB), 8 × 512 row bands to 512 × 8 column bands.
        var data = Enumerable.Range(0, 512 * 512).Select(i => (float)i).ToArray();
        var x = ChunkedArray.FromArray(data, [512, 512], [8, 512]);
        long tooSmall = 512L << 10;
        var e = Assert.Throws<RechunkBudgetException>(() => RechunkPlanner.Plan(x.Chunks, RechunkPlanner.TargetGrid([512, 512], [512, 8]), 4, tooSmall));
        Assert.Contains("512, 512", e.Message, StringComparison.Ordinal);

        // Below what any in-memory plan needs, Rechunk spills to an on-disk intermediate and stays within the budget.
        var spilled = x.Rechunk([512, 8]).Compute(new ComputeOptions { MemoryBudget = tooSmall });
        Assert.Equal(data, spilled.ToArray());
        Assert.True(spilled.Statistics.PeakMemoryBytes <= tooSmall);

        long budget = 3L << 19;
        var y = x.Rechunk([512, 8]);
        var r = y.Compute(new ComputeOptions { MemoryBudget = budget });
        Assert.Equal(data, r.ToArray());
        Assert.True(r.Statistics.PeakMemoryBytes <= budget);
    }

    [Fact]
    public void Rechunk_MultistagePlan_RoundTripsExactly()
    {
        var shape = new long[] { 256, 256 };
        var source = ChunkGrid.Regular(shape, [4, 256]);
        var target = ChunkGrid.Regular(shape, [256, 4]);
        var plan = RechunkPlanner.Plan(source, target, 8, 64L << 10, requireInMemory: false);
        Assert.True(plan.IntermediateCount >= 1, plan.ToString());
        var data = Enumerable.Range(0, 256 * 256).Select(i => (double)i).ToArray();
        var node = RechunkExtensions.Apply(ChunkedArray.FromArray(data, source).Node, plan);
        var r = new ChunkedArray<double>(node).Compute();
        Assert.Equal(data, r.ToArray());
    }

    [Fact]
    public void TargetGrid_MinusOneAndOversize_MeanWholeDimension()
    {
        var g = RechunkPlanner.TargetGrid([10, 7], [-1, 100]);
        Assert.Equal([10], g.Sizes(0));
        Assert.Equal([7], g.Sizes(1));
        Assert.Throws<ArgumentException>(() => RechunkPlanner.TargetGrid([10, 7], [0, 1]));
        Assert.Throws<ArgumentException>(() => RechunkPlanner.TargetGrid([10, 7], [1]));
        var x = ChunkedArray.FromArray(StructureTestData.Iota([10, 7]), [10, 7], [3, 3]);
        Assert.Same(x.Node, x.Rechunk([3, 3]).Node);
        Assert.Equal([5, 5], x.Rechunk([[5, 5], [7]]).Chunks.Sizes(0));
    }
}
