using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;

namespace ChunkCompute.Tests.Scheduler;

/// <summary>Sources computed through the scheduler return exactly their data, on regular and irregular grids.</summary>
public sealed class SourceComputeTests
{
    [Fact]
    public void Compute_FromArrayIrregularGrid_ReturnsData()
    {
        var data = Enumerable.Range(0, 7 * 5).Select(i => (double)i).ToArray();
        var grid = ChunkGrid.FromSizes([[3, 1, 3], [2, 3]]);
        var result = ChunkedArray.FromArray(data, grid).Compute(new ComputeOptions { MemoryBudget = 1 << 20 });
        Assert.Equal(data, result.ToArray());
        Assert.Equal([7L, 5L], result.Shape);
        Assert.Equal(6, result.Statistics.Tasks);
        Assert.True(result.Statistics.PeakMemoryBytes > 0 && result.Statistics.PeakMemoryBytes <= 1 << 20);
    }

    [Fact]
    public void Compute_ZarrSource_ReadsStoredArray()
    {
        using var store = ZarrStore.InMemory();
        var stored = store.CreateArray<int>("x", [100, 30], [16, 16]);
        var values = Enumerable.Range(0, 3000).ToArray();
        stored.Write(values);
        Assert.Equal(values, store.Open<int>("x").Compute().ToArray());
    }

    [Fact]
    public void Generators_MatchClosedForms_AndDoNotDependOnChunking()
    {
        Assert.Equal(Enumerable.Range(0, 10).Select(i => 2.0 + (0.5 * i)), ChunkedArray.Arange<double>(2, 7, 0.5, 3).Compute().ToArray());
        Assert.Equal([0.0, 0.25, 0.5, 0.75, 1.0], ChunkedArray.Linspace<double>(0, 1, 5, 2).Compute().ToArray());
        Assert.All(ChunkedArray.Full<float>([4, 4], [3, 3], 2.5f).Compute().ToArray(), v => Assert.Equal(2.5f, v));
        var a = ChunkedArray.Random.Normal<double>([1000], [7], seed: 42).Compute().ToArray();
        var b = ChunkedArray.Random.Normal<double>([1000], [1000], seed: 42).Compute().ToArray();
        Assert.Equal(a, b);
        Assert.InRange(a.Average(), -0.15, 0.15);
        var u = ChunkedArray.Random.Uniform<double>([10000], [999], seed: 1, low: 2, high: 3).Compute().ToArray();
        Assert.All(u, v => Assert.InRange(v, 2.0, 3.0));
        Assert.NotEqual(u, ChunkedArray.Random.Uniform<double>([10000], [999], seed: 2, low: 2, high: 3).Compute().ToArray());
    }
}
