using System.Diagnostics;
using ChunkCompute.Cluster.Orleans;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Tests.Interop;
using ChunkCompute.Tests.Scheduler.Cluster;
using Xunit;

namespace ChunkCompute.Tests.Cluster.Orleans;

/// <summary>
/// The Orleans transport on an in-process cluster of three silos (<see cref="OrleansTestCluster"/>): the cases of
/// <see cref="LocalClusterTests"/> — reductions, rechunk into memory, ToStore published once — give the in-process
/// executor's results with tasks spread over several silos.
/// </summary>
[Collection(OrleansTestCluster.Collection)]
public sealed class OrleansWorkersTests : IClassFixture<OrleansTestCluster>, IDisposable
{
    private readonly OrleansTestCluster _fixture;
    private readonly TempDirectory _tmp = new("cc-orleans");

    public OrleansWorkersTests(OrleansTestCluster fixture)
    {
        _fixture = fixture;
        OrleansTestJobs.Register();
        ClusterTestJobs.CreateSource(Source);
    }

    private string Source => _tmp.Combine("src.zarr");

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public async Task Workers_AreTheSilos_WithTheirBudgetAndSlots()
    {
        await using var workers = new OrleansWorkers(_fixture.Cluster.Client);
        await workers.RefreshAsync(TestContext.Current.CancellationToken);

        var gateways = _fixture.Cluster.Silos.Select(s => s.GatewayAddress.Endpoint.ToString()).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(gateways, workers.Silos);
        Assert.Equal(OrleansTestCluster.Budget, workers.WorkerMemoryBudget);
        Assert.Equal(3 * 2 * 2, workers.MaxTasksInFlight);
    }

    [Fact]
    public async Task Reductions_OnThreeSilos_EqualTheLocalExecutorAndTheReference()
    {
        var job = new ClusterJob("test-stats", [Source]);
        using var context = ClusterJobs.CreateContext(job);
        var arrays = ClusterTestJobs.Stats(context);
        await using var workers = new OrleansWorkers(_fixture.Cluster.Client);

        var (mean, std) = await Task.Run(() => Computation.Compute(arrays[0], arrays[1], new ComputeOptions { Cluster = new ClusterOptions(workers, job) }), TestContext.Current.CancellationToken);
        var (localMean, localStd) = Computation.Compute(arrays[0], arrays[1]);

        Assert.Equal(ClusterTestJobs.Values().Average(), mean.Value, 1e-9);
        Assert.Equal(localMean.Value, mean.Value);
        Assert.Equal(localStd.ToArray(), std.ToArray());
        Assert.Equal(48, mean.Statistics.Workers.Sum(w => w.Tasks));
        Assert.True(mean.Statistics.Workers.Count(w => w.Tasks > 0) > 1, string.Join(", ", mean.Statistics.Workers));
        Assert.All(mean.Statistics.Workers, w => Assert.Equal(0, w.Retried));
        Assert.Subset(workers.Silos.ToHashSet(), mean.Statistics.Workers.Select(w => w.Address).ToHashSet());
    }

    [Fact]
    public async Task Rechunk_IntoMemory_OnSilos_EqualsTheStoredValues()
    {
        var job = new ClusterJob("test-rechunk", [Source]);
        using var context = ClusterJobs.CreateContext(job);
        var y = ClusterTestJobs.Rechunked(context);
        await using var workers = new OrleansWorkers(_fixture.Cluster.Client);

        var result = await Task.Run(() => y.Compute(new ComputeOptions { Cluster = new ClusterOptions(workers, job) }), TestContext.Current.CancellationToken);

        Assert.Equal(ClusterTestJobs.Values(), result.ToArray());
        Assert.Equal(16, result.Statistics.Workers.Sum(w => w.Tasks));
        Assert.True(result.Statistics.Workers.Count > 1, string.Join(", ", result.Statistics.Workers));
    }

    [Fact]
    public async Task ToStore_OnSilos_PublishesOnceInTheWritesTransaction()
    {
        var job = new ClusterJob("test-rechunk", [Source]);
        using var context = ClusterJobs.CreateContext(job);
        var y = ClusterTestJobs.Rechunked(context);
        await using var workers = new OrleansWorkers(_fixture.Cluster.Client);
        string target = _tmp.Combine("dst.zarr");
        long before;
        using (var store = ZarrStore.Open(target))
        {
            before = store.Version ?? 0;
            using var write = y.ToStore(store, "y", chunks: [300, 50]);
            var statistics = await Task.Run(() => write.Compute(new ComputeOptions { Cluster = new ClusterOptions(workers, job) }), TestContext.Current.CancellationToken);
            Assert.Equal(16, statistics.Workers.Sum(w => w.Tasks));
            Assert.True(statistics.Workers.Count > 1, string.Join(", ", statistics.Workers));
        }

        using var reader = ZarrStore.OpenExisting(target);
        Assert.Equal(before + 1, reader.Version);
        Assert.Equal(ClusterTestJobs.Values(), reader.OpenArray<double>("y").Read());
    }

    [Fact]
    public async Task Cancelling_TheCoordinator_CancelsTheRemoteTasks()
    {
        // Kernels of 1.2 s, cancelled at 0.6 s: the tasks waiting for a slot could only start at 1.2 s, which leaves the
        // cancellation 0.6 s to reach the silos even on a loaded machine (with 0.4 s kernels a full-suite run once let 4
        // waiting tasks start before it arrived).
        var job = new ClusterJob(OrleansTestJobs.SlowRechunk, [Source, "1200"]);
        using var context = ClusterJobs.CreateContext(job);
        var y = OrleansTestJobs.Slow(context);
        await using var workers = new OrleansWorkers(_fixture.Cluster.Client);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(600));
        int runsBefore = OrleansTestJobs.KernelRuns;
        int runsAtCancel = -1;
        using var onCancel = cts.Token.Register(() => runsAtCancel = OrleansTestJobs.KernelRuns);
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Task.Run(() => y.Compute(new ComputeOptions { Cluster = new ClusterOptions(workers, job) }, cts.Token)));
        var cancelled = clock.Elapsed;

        // After the cancellation only the chunks already running (6 slots) finish: if the silos ignored it, the 12 tasks
        // in flight (MaxTasksInFlight: 6 running, 6 waiting for a slot) would all run, the last ones ending at 2.4 s.
        await Task.Delay(2500, TestContext.Current.CancellationToken);
        int after = OrleansTestJobs.KernelRuns - runsAtCancel;
        Assert.True(runsAtCancel >= runsBefore, "not cancelled");
        // Measured on loaded runs: up to 10 (the 6 running and some that were waiting for a slot when the cancellation
        // reached their silo); ignoring it runs all 12 in flight.
        Assert.True(after < 12, $"{after} chunks ran after cancelling at {cancelled}");
        // Prompt: well before the 9.6 s the whole job takes (48 chunks of 1.2 s on 6 slots), on a loaded machine too.
        Assert.True(cancelled < TimeSpan.FromSeconds(5), cancelled.ToString());
    }
}
