using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Ops.Structure;

/// <summary>
/// <c>TopK</c>/<c>ArgTopK</c> against a reference (each lane ranked whole: value, NaN largest, then lower index first) on
/// random irregular grids with ties, NaN and |k| larger than the chunks; over an axis far larger than the budget.
/// </summary>
public sealed class TopKTests
{
    [Fact]
    public void TopK_OnRandomGrids_EqualsRankingEachLane()
    {
        var random = new Random(21);
        for (int trial = 0; trial < 40; trial++)
        {
            int rank = random.Next(1, 4);
            var shape = Enumerable.Range(0, rank).Select(_ => (long)random.Next(1, 10)).ToArray();
            var sizes = shape.Select(n => OpsFixtures.RandomSizes(random, (int)n)).ToList();
            var values = Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(_ => random.Next(8) == 0 ? double.NaN : random.Next(-5, 6)).ToArray();
            var x = ChunkedArray.FromArray(values, ChunkGrid.FromSizes(sizes));
            int axis = random.Next(rank);
            int k = random.Next(1, (int)shape[axis] + 1) * (random.Next(2) == 0 ? 1 : -1);

            var (expectedValues, expectedIndices) = Reference(values, shape, axis, k);
            var top = x.TopK(k, axis).Compute().ToArray();
            var at = x.ArgTopK(k, axis).Compute().ToArray();

            Assert.Equal(expectedValues, top);
            Assert.Equal(expectedIndices, at);
        }
    }

    [Fact]
    public void TopK_OverAnAxisLargerThanTheBudget_RunsAsATree()
    {
        using var store = ZarrStore.InMemory();
        var values = Enumerable.Range(0, 1 << 20).Select(i => (double)((i * 48271L) % 1_000_003)).ToArray();
        store.CreateArray<double>("x", [1 << 20], [1 << 14]).Write(values);
        long budget = 1L << 20; // the array is 8 MiB

        var result = store.Open<double>("x").TopK(5).Compute(new ComputeOptions { MemoryBudget = budget });

        Assert.True(result.Statistics.PeakMemoryBytes <= budget, $"peak {result.Statistics.PeakMemoryBytes}");
        Assert.Equal(values.OrderDescending().Take(5), result.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Open<double>("x").TopK(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Open<double>("x").ArgTopK((1 << 20) + 1));
    }

    private static (double[] Values, long[] Indices) Reference(double[] values, long[] shape, int axis, int k)
    {
        long inner = shape.Skip(axis + 1).Aggregate(1L, (a, b) => a * b);
        long outer = shape.Take(axis).Aggregate(1L, (a, b) => a * b);
        long length = shape[axis];
        int n = Math.Abs(k);
        var outValues = new double[outer * n * inner];
        var outIndices = new long[outer * n * inner];
        for (long o = 0; o < outer; o++)
        {
            for (long c = 0; c < inner; c++)
            {
                var lane = Enumerable.Range(0, (int)length).Select(i => (Value: values[(((o * length) + i) * inner) + c], Index: (long)i));
                var ranked = k > 0
                    ? lane.OrderByDescending(e => double.IsNaN(e.Value)).ThenByDescending(e => double.IsNaN(e.Value) ? 0 : e.Value).ThenBy(e => e.Index)
                    : lane.OrderBy(e => double.IsNaN(e.Value)).ThenBy(e => double.IsNaN(e.Value) ? 0 : e.Value).ThenBy(e => e.Index);
                int j = 0;
                foreach (var e in ranked.Take(n))
                {
                    outValues[(((o * n) + j) * inner) + c] = e.Value;
                    outIndices[(((o * n) + j) * inner) + c] = e.Index;
                    j++;
                }
            }
        }

        return (outValues, outIndices);
    }
}
