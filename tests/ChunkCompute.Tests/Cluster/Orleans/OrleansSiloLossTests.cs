using ChunkCompute.Cluster.Orleans;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Tests.Interop;
using ChunkCompute.Tests.Scheduler.Cluster;
using Xunit;

namespace ChunkCompute.Tests.Cluster.Orleans;

/// <summary>
/// A silo of an in-process cluster killed while a write runs on it: its tasks are retried on the other silos, the
/// write is published once with every value exact, and the statistics show the retries on the killed silo.
/// </summary>
[Collection(OrleansTestCluster.Collection)]
public sealed class OrleansSiloLossTests : IClassFixture<OrleansTestCluster>, IDisposable
{
    private readonly OrleansTestCluster _fixture;
    private readonly TempDirectory _tmp = new("cc-orleans-kill");

    public OrleansSiloLossTests(OrleansTestCluster fixture)
    {
        _fixture = fixture;
        OrleansTestJobs.Register();
        ClusterTestJobs.CreateSource(Source);
    }

    private string Source => _tmp.Combine("src.zarr");

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public async Task SiloKilledMidWrite_TasksRetriedElsewhere_PublishedOnceAndExact()
    {
        var cancellation = TestContext.Current.CancellationToken;
        var job = new ClusterJob(OrleansTestJobs.SlowRechunk, [Source, "150"]);
        using var context = ClusterJobs.CreateContext(job);
        var y = OrleansTestJobs.Slow(context);
        await using var workers = new OrleansWorkers(_fixture.Cluster.Client);
        var victim = _fixture.Cluster.SecondarySilos[0];
        string victimName = victim.GatewayAddress.Endpoint.ToString();
        string target = _tmp.Combine("dst.zarr");
        using var store = ZarrStore.Open(target);
        long before = store.Version ?? 0;
        int runsBefore = OrleansTestJobs.KernelRuns;
        int startsBefore = OrleansTestJobs.KernelStarts;
        using var write = y.ToStore(store, "y", chunks: [100, 50]);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation); // a failed test stops its job
        using var stopping = new StopOnDispose(stop);
        var running = Task.Run(() => write.Compute(new ComputeOptions { Cluster = new ClusterOptions(workers, job) }, stop.Token), cancellation);
        while (OrleansTestJobs.KernelRuns - runsBefore < 8 && !running.IsCompleted)
        {
            await Task.Delay(10, cancellation);
        }

        Assert.False(running.IsCompleted, "the job finished before the silo could be killed");
        int inFlight = workers.MaxTasksInFlight; // 12 on three silos (8 once the victim is gone)
        await _fixture.Cluster.KillSiloAsync(victim);
        ComputeStatistics statistics;
        try
        {
            statistics = await running.WaitAsync(TimeSpan.FromSeconds(60), cancellation);
        }
        catch (TimeoutException ex)
        {
            // Seen once in a loaded full-suite run: say where it stood, so the next occurrence can be diagnosed.
            throw new TimeoutException(
                $"the job did not finish within 60 s of killing {victimName}: {OrleansTestJobs.KernelRuns - runsBefore} of "
                + $"{OrleansTestJobs.SlowChunks} kernels ran, {OrleansTestJobs.KernelStarts - startsBefore} started; the "
                + $"workers' silos now [{string.Join(", ", workers.Silos)}], {workers.MaxTasksInFlight} tasks in flight allowed",
                ex);
        }

        Assert.Equal(OrleansTestJobs.SlowChunks, statistics.Workers.Sum(w => w.Tasks));
        // The killed silo's tasks were retried; so were the calls in flight to the others when it left (they may have
        // been relayed by its gateway): at most the tasks in flight then.
        Assert.True(statistics.Workers.Single(w => w.Address == victimName).Retried > 0, string.Join(", ", statistics.Workers));
        Assert.True(statistics.Workers.Sum(w => w.Retried) <= inFlight, string.Join(", ", statistics.Workers));
        Assert.True(statistics.Workers.Count(w => w.Tasks > 0) >= 2, string.Join(", ", statistics.Workers));
        using var reader = ZarrStore.OpenExisting(target);
        Assert.Equal(before + 1, reader.Version); // one commit, whatever the killed silo had staged
        Assert.Equal(ClusterTestJobs.Values(), reader.OpenArray<double>("y").Read());
        Assert.DoesNotContain(victimName, workers.Silos);
    }

    private sealed class StopOnDispose(CancellationTokenSource source) : IDisposable
    {
        public void Dispose() => source.Cancel();
    }
}
