using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;

namespace ChunkCompute.Tests.Scheduler;

/// <summary>The workload that most often runs Dask out of memory: several reductions over shared stored inputs.</summary>
public sealed class MultiOutputTests
{
    [Fact]
    public void Compute_MeansOfQuadraticQuantities_OnePassUnderSmallBudget()
    {
        using var store = ZarrStore.InMemory();
        const int N = 1 << 20, Chunk = 1 << 14; // 64 chunks of 128 KiB per array
        var u0 = store.CreateArray<double>("u", [N], [Chunk]);
        var v0 = store.CreateArray<double>("v", [N], [Chunk]);
        var uData = Enumerable.Range(0, N).Select(i => Math.Sin(i * 1e-3)).ToArray();
        var vData = Enumerable.Range(0, N).Select(i => Math.Cos(i * 1e-3) + 0.5).ToArray();
        u0.Write(uData);
        v0.Write(vData);

        var u = store.Open<double>("u");
        var v = store.Open<double>("v");
        long budget = 16L * Chunk * sizeof(double) * 3; // a handful of chunks with scratch: far less than one array (8 MiB)
        var (mu, mv, muv) = Computation.Compute(u.Mean(), v.Mean(), (u * v).Mean(), new ComputeOptions { MemoryBudget = budget });

        Assert.Equal(uData.Average(), mu.Value, 1e-12);
        Assert.Equal(vData.Average(), mv.Value, 1e-12);
        Assert.Equal(uData.Zip(vData, (a, b) => a * b).Average(), muv.Value, 1e-12);
        Assert.True(mu.Statistics.PeakMemoryBytes <= budget, $"peak {mu.Statistics.PeakMemoryBytes} > {budget}");
        Assert.True(mu.Statistics.PeakMemoryBytes < N * sizeof(double), "the peak must be far below one whole array");
    }

    [Fact]
    public void Compute_StdOfStoredArrayUnderBudget_MatchesTwoPassReference()
    {
        using var store = ZarrStore.InMemory();
        var data = Enumerable.Range(0, 300_000).Select(i => (float)Math.Round(Math.Sin(i) * 100, 2)).ToArray();
        store.CreateArray<float>("x", [300_000], [10_000]).Write(data);
        var std = store.Open<float>("x").Std().Compute(new ComputeOptions { MemoryBudget = 1 << 20 });
        double mean = data.Average(v => (double)v);
        double expected = Math.Sqrt(data.Average(v => (v - mean) * (v - mean)));
        Assert.Equal(expected, std.Value, expected * 1e-6);
        Assert.True(std.Statistics.PeakMemoryBytes <= 1 << 20);
    }
}
