using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;

namespace ChunkCompute.Tests.Ops.Reductions;

/// <summary>The reduction is a real tree under the memory budget, and errors say what is wrong.</summary>
public sealed class ReductionTreeTests
{
    [Fact]
    public void Sum_64ChunksSplitEvery4_HasThreeCombineLevels()
    {
        var x = ChunkedArray.Arange<double>(0, 640, 1, 10);
        var sum = x.Sum(splitEvery: 4);
        var labels = new List<string>();
        for (ArrayNode? n = sum.Node; n is not null; n = n.Inputs.Count > 0 ? n.Inputs[0] : null)
        {
            labels.Add(n.Label);
        }

        Assert.Equal(["sum", "sum-combine", "sum-combine", "sum-combine", "sum-partial", "arange"], labels);
        var explain = sum.Explain();
        Assert.Equal(3, explain.Split('\n').Count(l => l.Contains("sum-combine", StringComparison.Ordinal)));
        Assert.Contains(" 16 tasks", explain, StringComparison.Ordinal);
        Assert.Equal(639.0 * 640 / 2, sum.ComputeScalar());
        Assert.Equal(639.0 * 640 / 2, x.Sum(splitEvery: 2).ComputeScalar()); // 64 → 32 → … → 1: six levels
    }

    [Fact]
    public void Sum_256ChunksOf64KiB_RunsUnder2MiBBudget()
    {
        const int chunk = 8192; // 64 KiB of float64
        var x = ChunkedArray.Ones<double>([256L * chunk], [chunk]);
        var result = x.Sum().Compute(new ComputeOptions { MemoryBudget = 2 << 20, MaxDegreeOfParallelism = 2 });
        Assert.Equal(256.0 * chunk, result.Value);
        Assert.InRange(result.Statistics.PeakMemoryBytes, 1, 2 << 20);

        // The plan holds about one input chunk plus a few tiny partial states at any time (the executor may run
        // sources ahead up to the budget, so the accounted peak is bounded by the budget, not by the plan): a budget
        // of three chunks is enough.
        Assert.InRange(result.Statistics.ProjectedPeakBytes, 65536, (2 * 65536) + 4096);
        var tight = x.Sum().Compute(new ComputeOptions { MemoryBudget = 3 * 65536, MaxDegreeOfParallelism = 2 });
        Assert.Equal(256.0 * chunk, tight.Value);
        Assert.InRange(tight.Statistics.PeakMemoryBytes, 65536, 3 * 65536);
    }

    [Fact]
    public void Mean_2DAxis0ManyRowChunks_MergesPerColumnChunk()
    {
        var data = Enumerable.Range(0, 40 * 6).Select(i => (double)(i % 7)).ToArray();
        var x = ChunkedArray.FromArray(data, ChunkGrid.FromSizes([Enumerable.Repeat(1, 40).ToArray(), [2, 4]]));
        var m = x.Mean(0, keepDims: true).Compute();
        Assert.Equal([1L, 6L], m.Shape);
        for (int j = 0; j < 6; j++)
        {
            Assert.Equal(Enumerable.Range(0, 40).Average(i => data[(i * 6) + j]), m.ToArray()[j], 12);
        }
    }

    [Fact]
    public void Sum_Int32Overflowing_ReturnsInt64LikeNumPy()
    {
        var x = ChunkedArray.Full([1000L], [7], int.MaxValue);
        Assert.Equal(1000L * int.MaxValue, x.Sum().ComputeScalar());
        var wrap = ChunkedArray.FromArray([long.MaxValue, 1L], 1);
        Assert.Equal(long.MinValue, wrap.Sum().ComputeScalar());
    }

    [Fact]
    public void Sum_Float32ManyTerms_IsCorrectlyRounded()
    {
        var data = Enumerable.Range(0, 1 << 20).Select(i => 0.1f + (i % 3)).ToArray();
        double exact = data.Sum(v => (double)v);
        Assert.Equal((float)exact, ChunkedArray.FromArray(data, 4096).Sum().ComputeScalar());
    }

    [Fact]
    public void Reductions_EmptyAndAllNaN_FollowNumPy()
    {
        var empty = ChunkedArray.FromArray(Array.Empty<double>(), [0L, 3L], [1, 2]);
        Assert.Equal([0.0, 0.0, 0.0], empty.Sum(0).Compute().ToArray());
        Assert.True(double.IsNaN(empty.Mean().ComputeScalar()));
        var e = Assert.Throws<ArgumentException>(() => empty.Min(0));
        Assert.Contains("zero-size", e.Message, StringComparison.Ordinal);
        Assert.Empty(empty.Min(1).Compute().ToArray());
        var nan = ChunkedArray.FromArray([double.NaN, double.NaN, 1.0, double.NaN], [2L, 2L], [1, 1]);
        Assert.Equal([double.NaN, 1.0], nan.NanMax(1).Compute().ToArray());
        Assert.Equal([double.NaN, 1.0], nan.NanMean(1).Compute().ToArray());
        Assert.Equal(0, nan.ArgMax().ComputeScalar());
        Assert.Equal(1, nan.Count(skipNaN: true).ComputeScalar());
    }

    [Fact]
    public void Axes_DuplicateOrOutOfRange_Throw()
    {
        var x = ChunkedArray.Zeros<float>([2, 3, 4], [1, 2, 3]);
        Assert.Throws<ArgumentException>(() => x.Sum([0, -3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Max(3));
        Assert.Throws<ArgumentException>(() => x.Sum([1, 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Sum(splitEvery: 1));
    }

    [Fact]
    public void Bincount_NegativeValue_FailsNamingTheArray()
    {
        var x = ChunkedArray.FromArray([0, 3, 1, -2, 3], 2);
        var failure = Assert.Throws<ChunkTaskFailedException>(() => x.Bincount(5).Compute());
        Assert.Contains("from-array", failure.InnerException!.Message, StringComparison.Ordinal);
        Assert.Contains("[3] is -2", failure.InnerException.Message, StringComparison.Ordinal);
        Assert.Equal([1L, 1, 0, 2], ChunkedArray.FromArray([0, 3, 1, 3], 3).Bincount(4).Compute().ToArray());
    }
}
