using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Scheduler.Cluster;

/// <summary>
/// The cluster path with workers in this process (<see cref="LocalWorkers"/>): the job rebuilt by name on each worker,
/// reductions merged from returned partials, rechunks returned chunk by chunk, writes staged by workers and published in
/// the write's one transaction; results equal the in-process executor's and the closed-form values; a lost worker's
/// tasks are retried elsewhere; tasks that cannot fit a worker are refused before anything runs.
/// </summary>
public sealed class LocalClusterTests : IDisposable
{
    private readonly TempDirectory _tmp = new("cc-cluster");

    public LocalClusterTests()
    {
        ClusterTestJobs.Register();
        ClusterTestJobs.CreateSource(Source);
    }

    private string Source => _tmp.Combine("src.zarr");

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public void Reductions_OnTwoWorkers_EqualTheLocalExecutorAndTheReference()
    {
        var job = new ClusterJob("test-stats", [Source]);
        using var context = ClusterJobs.CreateContext(job);
        var arrays = ClusterTestJobs.Stats(context);
        using var workers = new LocalWorkers(2, 64L << 20);

        var (mean, std) = Computation.Compute(arrays[0], arrays[1], new ComputeOptions { Cluster = new ClusterOptions(workers, job) });
        var (localMean, localStd) = Computation.Compute(arrays[0], arrays[1]);

        var values = ClusterTestJobs.Values();
        Assert.Equal(values.Average(), mean.Value, 1e-9);
        Assert.Equal(localMean.Value, mean.Value);
        Assert.Equal(localStd.ToArray(), std.ToArray());
        for (int j = 0; j < ClusterTestJobs.Cols; j += 37)
        {
            var column = Enumerable.Range(0, ClusterTestJobs.Rows).Select(i => values[(i * ClusterTestJobs.Cols) + j]).ToArray();
            double m = column.Average();
            Assert.Equal(Math.Sqrt(column.Select(v => (v - m) * (v - m)).Average()), std.ToArray()[j], 1e-9);
        }

        // 24 partials of the mean, 24 of the std: both workers ran some.
        Assert.Equal(48, mean.Statistics.Workers.Sum(w => w.Tasks));
        Assert.Equal(2, mean.Statistics.Workers.Count);
        Assert.All(mean.Statistics.Workers, w => Assert.True(w.Tasks > 0 && w.Retried == 0, w.ToString()));
        Assert.Equal(48, workers.Workers.Sum(w => w.TasksCompleted));
    }

    [Fact]
    public void Rechunk_IntoMemory_OnWorkers_EqualsTheStoredValues()
    {
        var job = new ClusterJob("test-rechunk", [Source]);
        using var context = ClusterJobs.CreateContext(job);
        var y = ClusterTestJobs.Rechunked(context);
        using var workers = new LocalWorkers(2, 64L << 20);

        var result = y.Compute(new ComputeOptions { Cluster = new ClusterOptions(workers, job) });

        Assert.Equal(ClusterTestJobs.Values(), result.ToArray());
        Assert.Equal(16, result.Statistics.Workers.Sum(w => w.Tasks)); // [600, 400] in [300, 50]: 2 x 8 chunks
    }

    [Fact]
    public void ToStore_OnWorkers_PublishesOnceInTheWritesTransaction()
    {
        var job = new ClusterJob("test-rechunk", [Source]);
        using var context = ClusterJobs.CreateContext(job);
        var y = ClusterTestJobs.Rechunked(context);
        using var workers = new LocalWorkers(2, 64L << 20);
        string target = _tmp.Combine("dst.zarr");
        long before;
        using (var store = ZarrStore.Open(target))
        {
            before = store.Version ?? 0;
            using var write = y.ToStore(store, "y", chunks: [300, 50]);
            var statistics = write.Compute(new ComputeOptions { Cluster = new ClusterOptions(workers, job) });
            Assert.Equal(16, statistics.Workers.Sum(w => w.Tasks));
        }

        using var reader = ZarrStore.OpenExisting(target);
        Assert.Equal(before + 1, reader.Version); // one commit: the array with every chunk
        var stored = reader.OpenArray<double>("y");
        Assert.Equal(new[] { 300, 50 }, stored.ChunkShape);
        Assert.Equal(ClusterTestJobs.Values(), stored.Read());
    }

    [Fact]
    public void LostWorker_TasksAreRetriedOnAnother_AndTheResultIsExact()
    {
        var job = new ClusterJob("test-stats", [Source]);
        using var context = ClusterJobs.CreateContext(job);
        var arrays = ClusterTestJobs.Stats(context);
        using var workers = new LocalWorkers(3, 64L << 20);
        int seen = 0;
        workers.BeforeTask = (task, worker) =>
        {
            // The fifth task lands on a worker that dies then: its tasks from there on are lost.
            if (Interlocked.Increment(ref seen) == 5)
            {
                workers.Lose(worker);
                throw new IOException($"connection to {worker} reset");
            }
        };

        var (mean, std) = Computation.Compute(arrays[0], arrays[1], new ComputeOptions { Cluster = new ClusterOptions(workers, job) });

        Assert.Equal(ClusterTestJobs.Values().Average(), mean.Value, 1e-9);
        Assert.Equal(Computation.Compute(arrays[1]).ToArray(), std.ToArray());
        var lost = Assert.Single(mean.Statistics.Workers, w => w.Retried > 0);
        // The failing task, and (under load) the other task then queued on that worker: 6 in flight over 3 workers,
        // least busy first, so at most 2 on one worker.
        Assert.InRange(lost.Retried, 1, 2);
        Assert.Equal(48, mean.Statistics.Workers.Sum(w => w.Tasks));
    }

    [Fact]
    public void TransientErrorInAWorkersKernel_IsRetriedOnAnotherWorker()
    {
        var job = new ClusterJob("test-flaky", [Source]);
        using var context = ClusterJobs.CreateContext(job);
        var sum = ClusterTestJobs.Flaky(context);
        using var workers = new LocalWorkers(2, 64L << 20);
        ClusterTestJobs.FlakyFailuresLeft = 1;

        var result = sum.Compute(new ComputeOptions { Cluster = new ClusterOptions(workers, job) });

        Assert.Equal(sum.Compute().Value, result.Value); // the same tree of partials as in process
        double reference = ClusterTestJobs.Values().Sum();
        Assert.True(Math.Abs(result.Value - reference) <= 1e-12 * Math.Abs(reference), $"{result.Value} vs {reference}");
        Assert.Equal(1, result.Statistics.Workers.Sum(w => w.Retried));
        Assert.Equal(1, workers.Workers.Sum(w => w.TasksFailed));
    }

    [Fact]
    public void DataError_FailsAtOnce_NamingTheWorkerOperationAndChunk()
    {
        var job = new ClusterJob("test-stats", [Source]);
        using var context = ClusterJobs.CreateContext(job);
        var arrays = ClusterTestJobs.Stats(context);
        using var workers = new LocalWorkers(2, 64L << 20);

        // A truncated chunk: every worker would fail on it the same way.
        File.WriteAllBytes(Path.Combine(Source, "x", "c", "2", "1"), [1, 2, 3]);

        var ex = Assert.ThrowsAny<ChunkComputeException>(() => Computation.Compute(arrays[0], arrays[1], new ComputeOptions { Cluster = new ClusterOptions(workers, job) }));
        var failed = Assert.IsType<RemoteTaskFailedException>(ex);
        Assert.StartsWith("local-", failed.Worker, StringComparison.Ordinal);
        Assert.Equal(1, failed.Attempts);
        Assert.Contains("partial", failed.Operation, StringComparison.Ordinal);
        Assert.Contains("[2, 1]", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TaskLargerThanAWorkersBudget_IsRefusedBeforeAnythingRuns()
    {
        var job = new ClusterJob("test-rechunk", [Source]);
        using var context = ClusterJobs.CreateContext(job);
        var y = ClusterTestJobs.Rechunked(context);
        using var workers = new LocalWorkers(2, 64L << 10); // 64 KiB: one [300, 50] chunk is 117 KiB

        var ex = Assert.Throws<MemoryPlanRefusedException>(() => y.Compute(new ComputeOptions { Cluster = new ClusterOptions(workers, job) }));
        Assert.Contains("worker", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, workers.Workers.Sum(w => w.TasksCompleted + w.TasksFailed));
    }

    [Fact]
    public void ComputationThatIsNotTheJob_IsRefusedNamingTheDifference()
    {
        var job = new ClusterJob("test-rechunk", [Source]);
        using var context = ClusterJobs.CreateContext(job);
        var other = context.OpenStore(Source).Open<double>("x").Rechunk([200, 50]);
        using var workers = new LocalWorkers(1, 64L << 20);

        var ex = Assert.Throws<ChunkComputeException>(() => other.Compute(new ComputeOptions { Cluster = new ClusterOptions(workers, job) }));
        Assert.Contains("not what cluster job 'test-rechunk", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, workers.Workers.Sum(w => w.TasksCompleted));
    }

    [Fact]
    public void RemoteTask_RoundTrips_AndHostileBytesAreRefused()
    {
        var task = new RemoteTask("j1", new ClusterJob("a", ["b", "c d"]), 1, 7, "rechunk|float64|(...)", [3, 4], RemoteTaskKind.Stage, 1 << 20)
        {
            StoreLocation = "/data/s.zarr",
            TransactionId = "12-abc",
            ArrayPath = "y",
            Attempt = 2,
        };
        var back = RemoteTask.FromBytes(task.ToBytes());
        Assert.Equal(task.ToString(), back.ToString());
        Assert.Equal(task.ToBytes(), back.ToBytes());

        var bytes = task.ToBytes();
        Assert.Throws<ChunkComputeException>(() => RemoteTask.FromBytes(bytes.AsSpan(0, bytes.Length - 3)));
        Assert.Throws<ChunkComputeException>(() => RemoteTask.FromBytes([2, .. bytes[1..]]));
        Assert.Throws<ChunkComputeException>(() => RemoteTask.FromBytes([.. bytes, 0]));
        Assert.Throws<ChunkComputeException>(() => RemoteTask.FromBytes([]));

        var reply = new RemoteTaskReply("w", [1, 2, 3], ["y/c/0/0"], TimeSpan.FromMilliseconds(5));
        var r = RemoteTaskReply.FromBytes(reply.ToBytes());
        Assert.Equal(new byte[] { 1, 2, 3 }, r.Data);
        Assert.Equal(new[] { "y/c/0/0" }, r.StagedKeys);
        var failed = RemoteTaskReply.FromBytes(RemoteTaskReply.Failed("w", new InvalidDataException("bad chunk"), TimeSpan.Zero).ToBytes());
        Assert.False(failed.Succeeded);
        Assert.True(failed.IsDataError);
        Assert.Contains("bad chunk", failed.Error, StringComparison.Ordinal);
    }
}
