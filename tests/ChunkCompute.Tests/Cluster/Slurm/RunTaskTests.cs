using ChunkCompute.Cluster.Slurm;
using ChunkCompute.Scheduler;
using ChunkCompute.Tests.Cli;
using ChunkCompute.Tests.Interop;
using ChunkCompute.Tests.Scheduler.Cluster;
using Xunit;

namespace ChunkCompute.Tests.Cluster.Slurm;

/// <summary>
/// <c>chunkcompute run-task</c>, the worker side of the Slurm transport, without Slurm: the reply it writes for a real
/// task equals the in-process worker's; unreadable task bytes give a failed reply (exit 0); bad folders and indices are
/// refused (exit 2); a missing task file is exit 1.
/// </summary>
public sealed class RunTaskTests : IDisposable
{
    private readonly TempDirectory _tmp = new("cc-run-task");

    public RunTaskTests()
    {
        ClusterTestJobs.Register();
        ClusterTestJobs.CreateSource(_tmp.Combine("src.zarr"));
    }

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public void RunTask_WritesTheReplyTheInProcessWorkerGives()
    {
        var job = new ClusterJob("test-stats", [_tmp.Combine("src.zarr")]);
        using var context = ClusterJobs.CreateContext(job);
        var arrays = ClusterTestJobs.Stats(context);
        using var local = new LocalWorkers(1, 64L << 20);
        var recording = new RecordingWorkers(local);
        Computation.Compute(arrays[0], arrays[1], new ComputeOptions { Cluster = new ClusterOptions(recording, job) });
        var (task, expected) = recording.Runs[5];

        string dir = _tmp.Combine("array");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, SlurmTaskRunner.MarkerFileName), string.Empty);
        File.WriteAllBytes(SlurmTaskRunner.TaskFile(dir, 3), task);
        File.WriteAllBytes(SlurmTaskRunner.TaskFile(dir, 4), [1, 2, 3]);

        var run = CliHarness.Expect(0, "run-task", dir, "--index", "3");
        var reply = RemoteTaskReply.FromBytes(File.ReadAllBytes(SlurmTaskRunner.ReplyFile(dir, 3)));
        Assert.True(reply.Succeeded, reply.Error);
        Assert.Equal(expected.Data, reply.Data);
        Assert.NotEmpty(expected.Data);
        Assert.StartsWith("run-task:3@", reply.Worker, StringComparison.Ordinal);
        Assert.Contains("done in", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(4, Directory.GetFiles(dir).Length); // marker, two tasks, one reply: no temporary file left

        // Bytes that are not a task: a failed reply (a data error, not retried), exit 0.
        CliHarness.Expect(0, "run-task", dir, "--index", "4");
        var failed = RemoteTaskReply.FromBytes(File.ReadAllBytes(SlurmTaskRunner.ReplyFile(dir, 4)));
        Assert.False(failed.Succeeded);
        Assert.True(failed.IsDataError);

        CliHarness.Expect(1, "run-task", dir, "--index", "9"); // no task file
        CliHarness.Expect(2, "run-task", dir, "--index", "-1");
        CliHarness.Expect(2, "run-task", dir, "--index", "1000001");
        CliHarness.Expect(2, "run-task", _tmp.Path, "--index", "0"); // not an array folder
        CliHarness.Expect(2, "run-task", Path.Combine(dir, "..", "missing"), "--index", "0");
    }

    [Fact]
    public void ArraySpec_JoinsConsecutiveIndicesIntoRanges()
    {
        Assert.Equal("0-2,5,7-8", SlurmCommands.ArraySpec([8, 0, 1, 2, 5, 7, 1]));
        Assert.Equal("4", SlurmCommands.ArraySpec([4]));
    }

    [Fact]
    public void WorkerCommand_IsRequiredOutsideTheChunkcomputeTool()
    {
        var ex = Assert.Throws<ArgumentException>(() => new SlurmWorkers(new SlurmWorkersOptions(_tmp.Combine("work"))));
        Assert.Contains("WorkerCommand", ex.Message, StringComparison.Ordinal);
    }

    private sealed class RecordingWorkers(IChunkWorkers inner) : IChunkWorkers
    {
        public List<(byte[] Task, RemoteTaskReply Reply)> Runs { get; } = [];

        public string Name => inner.Name;

        public long WorkerMemoryBudget => inner.WorkerMemoryBudget;

        public int MaxTasksInFlight => 1;

        public async Task<RemoteTaskReply> RunAsync(RemoteTask task, IReadOnlySet<string> avoid, CancellationToken cancellationToken)
        {
            var reply = await inner.RunAsync(task, avoid, cancellationToken);
            lock (Runs)
            {
                Runs.Add((task.ToBytes(), reply));
            }

            return reply;
        }
    }
}
