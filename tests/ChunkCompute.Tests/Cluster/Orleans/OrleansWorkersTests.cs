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
        // The running kernels wait for a gate the test opens only well after the cancellation, so the tasks waiting for a
        // slot on the silos could start only then: none may start if the silos honoured the cancellation. (Kernels of a
        // fixed length raced the cancellation's way to the silos, which a loaded full-suite run once lost.)
        var job = new ClusterJob(OrleansTestJobs.SlowRechunk, [Source, OrleansTestJobs.GateArgument]);
        using var context = ClusterJobs.CreateContext(job);
        var y = OrleansTestJobs.Slow(context);
        await using var workers = new OrleansWorkers(_fixture.Cluster.Client);
        using var cts = new CancellationTokenSource();
        OrleansTestJobs.Gate.Reset();
        int startsBefore = OrleansTestJobs.KernelStarts;
        try
        {
            var compute = Task.Run(() => y.Compute(new ComputeOptions { Cluster = new ClusterOptions(workers, job) }, cts.Token), TestContext.Current.CancellationToken);

            // Every slot busy (MaxTasksInFlight: 6 running, 6 more sent and waiting for a slot).
            var waited = Stopwatch.StartNew();
            while (OrleansTestJobs.KernelStarts - startsBefore < 6 && waited.Elapsed < TimeSpan.FromSeconds(20) && !compute.IsCompleted)
            {
                await Task.Delay(20, TestContext.Current.CancellationToken);
            }

            int running = OrleansTestJobs.KernelStarts - startsBefore;
            Assert.Equal(6, running);

            var clock = Stopwatch.StartNew();
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => compute);
            var cancelled = clock.Elapsed;

            // Time for the cancellation to reach the silos, then the running kernels end: a waiting task that ignored
            // it would take a freed slot and start now.
            await Task.Delay(2000, TestContext.Current.CancellationToken);
            OrleansTestJobs.Gate.Set();
            await Task.Delay(1000, TestContext.Current.CancellationToken);
            int started = OrleansTestJobs.KernelStarts - startsBefore;
            Assert.True(started == running, $"{started - running} waiting chunks started after cancelling (the coordinator gave up {cancelled} after the cancellation)");

            // Prompt: the coordinator does not wait for the running kernels (held until the gate opens).
            Assert.True(cancelled < TimeSpan.FromSeconds(5), cancelled.ToString());
        }
        finally
        {
            OrleansTestJobs.Gate.Set();
        }
    }
}
