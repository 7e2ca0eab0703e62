using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Ops.Structure;

/// <summary>
/// <c>Take</c> and <c>Compress</c> against a direct gather (NumPy's definition: output row r is input row indices[r]) on
/// random irregular grids, with repeats, negative indices and scattered orders; scattered indices over a stored array
/// stay within a small budget; out-of-range indices are refused naming them.
/// </summary>
public sealed class TakeTests
{
    [Fact]
    public void Take_OnRandomGrids_GathersTheRowsInOrder()
    {
        var random = new Random(5);
        for (int trial = 0; trial < 40; trial++)
        {
            int rank = random.Next(1, 4);
            var shape = Enumerable.Range(0, rank).Select(_ => (long)random.Next(1, 9)).ToArray();
            var sizes = shape.Select(n => OpsFixtures.RandomSizes(random, (int)n)).ToList();
            var values = Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(i => i * 1.5).ToArray();
            var x = ChunkedArray.FromArray(values, ChunkGrid.FromSizes(sizes));
            int axis = random.Next(rank);
            var indices = Enumerable.Range(0, random.Next(0, 20)).Select(_ => (long)random.Next((int)-shape[axis], (int)shape[axis])).ToArray();

            var taken = x.Take(indices, axis);

            var expectedShape = shape.ToArray();
            expectedShape[axis] = indices.Length;
            Assert.Equal(expectedShape, taken.Shape);
            Assert.Equal(Gather(values, shape, axis, indices.Select(i => i < 0 ? i + shape[axis] : i).ToArray()), taken.Compute().ToArray());
        }
    }

    [Fact]
    public void Compress_SelectsTheMaskedRows_AndAShorterMaskSelectsAmongTheFirst()
    {
        var values = Enumerable.Range(0, 7 * 4).Select(i => (float)i).ToArray();
        var x = ChunkedArray.FromArray(values, ChunkGrid.FromSizes([[3, 3, 1], [2, 2]]));

        var rows = x.Compress([true, false, false, true, true, false, true], axis: 0).Compute().ToArray();
        var cols = x.Compress([false, true, true], axis: 1).Compute().ToArray();

        Assert.Equal(Gather(values, [7, 4], 0, [0, 3, 4, 6]), rows);
        Assert.Equal(Gather(values, [7, 4], 1, [1, 2]), cols);
        Assert.Throws<ArgumentException>(() => x.Compress(new bool[5], axis: 1));
    }

    [Fact]
    public void Take_OfAStoredArray_StreamsOrderedIndices_AndRefusesScatteredOnesThatCannotFit()
    {
        using var store = ZarrStore.InMemory();
        var values = Enumerable.Range(0, 4096 * 64).Select(i => (double)i).ToArray();
        store.CreateArray<double>("x", [4096, 64], [256, 64]).Write(values);
        var x = store.Open<double>("x");

        // Every third row, in order: each output chunk reads one or two input chunks, one after another.
        var ordered = Enumerable.Range(0, 1365).Select(i => 3L * i).ToArray();
        long small = 1L << 20; // half the array
        var result = x.Take(ordered, 0).Compute(new ComputeOptions { MemoryBudget = small });
        Assert.True(result.Statistics.PeakMemoryBytes <= small, $"peak {result.Statistics.PeakMemoryBytes}");
        Assert.Equal(Gather(values, [4096, 64], 0, ordered), result.ToArray());

        // Scattered over the whole axis: every input chunk is needed until the end, so a budget smaller than the array
        // is refused before anything is read, and a larger one computes.
        var random = new Random(11);
        var scattered = Enumerable.Range(0, 3000).Select(_ => (long)random.Next(4096)).ToArray();
        Assert.Throws<MemoryPlanRefusedException>(() => x.Take(scattered, 0).Compute(new ComputeOptions { MemoryBudget = small }));
        Assert.Equal(Gather(values, [4096, 64], 0, scattered), x.Take(scattered, 0).Compute(new ComputeOptions { MemoryBudget = 8L << 20 }).ToArray());
    }

    [Fact]
    public void Take_OutOfRange_IsRefusedNamingTheIndex()
    {
        var x = ChunkedArray.FromArray(new int[10], ChunkGrid.FromSizes([[4, 4, 2]]));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => x.Take([1, 10], 0));
        Assert.Contains("index 10 (at position 1)", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Take([-11], 0));
        Assert.Equal([0L], x.Take([], 0).Shape);
    }

    private static T[] Gather<T>(T[] values, long[] shape, int axis, long[] indices)
    {
        long inner = shape.Skip(axis + 1).Aggregate(1L, (a, b) => a * b);
        long outer = shape.Take(axis).Aggregate(1L, (a, b) => a * b);
        var result = new List<T>();
        for (long o = 0; o < outer; o++)
        {
            foreach (long i in indices)
            {
                for (long k = 0; k < inner; k++)
                {
                    result.Add(values[(((o * shape[axis]) + i) * inner) + k]);
                }
            }
        }

        return [.. result];
    }
}
