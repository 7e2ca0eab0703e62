using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ChunkCompute.Cluster.Orleans;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Tests.Interop;
using ChunkCompute.Tests.Scheduler.Cluster;
using ChunkCompute.Tests.Storage.Transactions;
using Xunit;

namespace ChunkCompute.Tests.Cluster.Orleans;

/// <summary>
/// Two worker processes on 127.0.0.1 (the TestWorker's orleans-worker mode, one joining the other), a coordinator here,
/// and one worker SIGKILLed in the middle of a write: the job completes on the other, published once, every value exact.
/// </summary>
[Collection(OrleansTestCluster.Collection)]
public sealed class OrleansWorkerProcessTests : IDisposable
{
    private readonly TempDirectory _tmp = new("cc-orleans-proc");
    private readonly List<Process> _processes = [];

    public OrleansWorkerProcessTests()
    {
        OrleansTestJobs.Register();
        ClusterTestJobs.CreateSource(Source);
    }

    private string Source => _tmp.Combine("src.zarr");

    public void Dispose()
    {
        foreach (var p in _processes)
        {
            try
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                    p.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            p.Dispose();
        }

        _tmp.Dispose();
    }

    [Fact]
    public async Task WorkerProcessKilledMidWrite_JobCompletesOnTheOther_PublishedOnceAndExact()
    {
        var cancellation = TestContext.Current.CancellationToken;
        int portA = FreePortPair();
        int portB = FreePortPair(portA);
        var a = StartWorker(portA, null);
        await a.Listening.WaitAsync(TimeSpan.FromSeconds(60), cancellation);
        var b = StartWorker(portB, $"127.0.0.1:{portA}");
        await b.Listening.WaitAsync(TimeSpan.FromSeconds(60), cancellation);

        await using var workers = await OrleansWorkers.ConnectAsync([$"127.0.0.1:{portA}", $"127.0.0.1:{portB}"], cancellationToken: cancellation);
        for (int i = 0; i < 100 && workers.Silos.Count < 2; i++)
        {
            await Task.Delay(200, cancellation);
            await workers.RefreshAsync(cancellation);
        }

        Assert.Equal(new[] { $"127.0.0.1:{portA}", $"127.0.0.1:{portB}" }.Order(StringComparer.Ordinal), workers.Silos);
        Assert.Equal(2 * 2 * 2, workers.MaxTasksInFlight);
        Assert.Equal(64L << 20, workers.WorkerMemoryBudget);

        var job = new ClusterJob(OrleansTestJobs.SlowRechunk, [Source, "150"]);
        using var context = ClusterJobs.CreateContext(job);
        var y = OrleansTestJobs.Slow(context);
        string target = _tmp.Combine("dst.zarr");
        using var store = ZarrStore.Open(target);
        long before = store.Version ?? 0;
        using var write = y.ToStore(store, "y", chunks: [100, 50]);
        var clock = Stopwatch.StartNew();
        var running = Task.Run(() => write.Compute(new ComputeOptions { Cluster = new ClusterOptions(workers, job) }, cancellation), cancellation);

        await b.RanFive.WaitAsync(TimeSpan.FromSeconds(60), cancellation);
        Assert.False(running.IsCompleted, "the job finished before the worker could be killed");
        b.Process.Kill(); // SIGKILL: no goodbye to the cluster
        ComputeStatistics statistics;
        try
        {
            statistics = await running.WaitAsync(TimeSpan.FromSeconds(90), cancellation);
        }
        catch (TimeoutException)
        {
            await workers.RefreshAsync(cancellation);
            throw new TimeoutException($"the job did not finish: silos now {string.Join(", ", workers.Silos)}, worker A ran {a.Ran} chunks, B {b.Ran}");
        }

        string nameB = $"127.0.0.1:{portB}";
        Assert.Equal(OrleansTestJobs.SlowChunks, statistics.Workers.Sum(w => w.Tasks));
        Assert.True(statistics.Workers.Single(w => w.Address == nameB).Retried > 0, string.Join(", ", statistics.Workers));
        Assert.True(statistics.Workers.Single(w => w.Address == $"127.0.0.1:{portA}").Tasks > OrleansTestJobs.SlowChunks / 2, string.Join(", ", statistics.Workers));
        using var reader = ZarrStore.OpenExisting(target);
        Assert.Equal(before + 1, reader.Version); // one commit, whatever the killed worker had staged
        Assert.Equal(ClusterTestJobs.Values(), reader.OpenArray<double>("y").Read());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), clock.Elapsed.ToString());
    }

    private WorkerProcess StartWorker(int port, string? join)
    {
        var p = join is null
            ? Worker.Start("orleans-worker", port.ToString(System.Globalization.CultureInfo.InvariantCulture))
            : Worker.Start("orleans-worker", port.ToString(System.Globalization.CultureInfo.InvariantCulture), join);
        _processes.Add(p);
        var w = new WorkerProcess(p);
        p.ErrorDataReceived += (_, _) => { };
        p.BeginErrorReadLine();
        _ = Task.Run(async () =>
        {
            while (await p.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("worker listening on ", StringComparison.Ordinal))
                {
                    w.ListeningSource.TrySetResult();
                }
                else if (line == "ran" && Interlocked.Increment(ref w.Ran) == 5)
                {
                    w.RanFiveSource.TrySetResult();
                }
            }

            w.ListeningSource.TrySetException(new InvalidOperationException($"worker on port {port} exited before listening"));
            w.RanFiveSource.TrySetException(new InvalidOperationException($"worker on port {port} exited"));
        });
        return w;
    }

    // A port P with P + 1 free too (the gateway and the silo port), other than the ones already taken.
    private static int FreePortPair(int taken = 0)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            using var first = new TcpListener(IPAddress.Loopback, 0);
            first.Start();
            int port = ((IPEndPoint)first.LocalEndpoint).Port;
            if (port >= 65534 || Math.Abs(port - taken) < 2)
            {
                continue;
            }

            try
            {
                using var second = new TcpListener(IPAddress.Loopback, port + 1);
                second.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken: try another.
            }
        }

        throw new InvalidOperationException("no free pair of ports");
    }

    private sealed class WorkerProcess(Process process)
    {
        public int Ran;

        public Process Process { get; } = process;

        public TaskCompletionSource ListeningSource { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource RanFiveSource { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Listening => ListeningSource.Task;

        public Task RanFive => RanFiveSource.Task;
    }
}
