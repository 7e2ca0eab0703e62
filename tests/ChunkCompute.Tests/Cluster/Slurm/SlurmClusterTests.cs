using ChunkCompute.Cluster.Slurm;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Tests.Interop;
using ChunkCompute.Tests.Scheduler.Cluster;
using Xunit;

namespace ChunkCompute.Tests.Cluster.Slurm;

/// <summary>
/// The cluster path on a real (single-node) Slurm cluster: tasks become job arrays whose array tasks run the test worker
/// (tests/ChunkCompute.TestWorker run-task, which registers the cluster test jobs), results equal the in-process
/// executor's; an array task that exits without a reply is resubmitted; one that always fails fails the job naming the
/// task and its log; cancelling scancels the arrays in flight.
/// </summary>
public sealed class SlurmClusterTests : IClassFixture<SlurmFixture>, IDisposable
{
    private readonly SlurmFixture _slurm;
    private readonly TempDirectory _tmp = new("cc-slurm");

    public SlurmClusterTests(SlurmFixture slurm)
    {
        _slurm = slurm;
        Assert.SkipWhen(slurm.SkipReason is not null, slurm.SkipReason ?? string.Empty);
        ClusterTestJobs.Register();
        ClusterTestJobs.CreateSource(Source);
    }

    private string Source => _tmp.Combine("src.zarr");

    private string Work => _tmp.Combine("work");

    public void Dispose() => _tmp.Dispose();

    private SlurmWorkers Workers(Dictionary<string, string>? environment = null, int maxResubmits = 2) =>
        new(new SlurmWorkersOptions(Work)
        {
            WorkerCommand = ["dotnet", Path.Combine(AppContext.BaseDirectory, "ChunkCompute.TestWorker.dll")],
            MemoryBudget = 64L << 20,
            MemoryOverhead = 256L << 20,
            MaxResubmits = maxResubmits,
            PollInterval = TimeSpan.FromMilliseconds(100),
            ReplyGrace = TimeSpan.FromMilliseconds(300),
            Environment = new Dictionary<string, string>(environment ?? []) { ["SLURM_CONF"] = _slurm.SlurmConf },
        });

    [Fact]
    public void Reductions_AsJobArrays_EqualTheLocalExecutorAndTheReference()
    {
        var job = new ClusterJob("test-stats", [Source]);
        using var context = ClusterJobs.CreateContext(job);
        var arrays = ClusterTestJobs.Stats(context);
        using var workers = Workers();

        var (mean, std) = Computation.Compute(arrays[0], arrays[1], new ComputeOptions { Cluster = new ClusterOptions(workers, job) });
        var (localMean, localStd) = Computation.Compute(arrays[0], arrays[1]);

        Assert.Equal(ClusterTestJobs.Values().Average(), mean.Value, 1e-9);
        Assert.Equal(localMean.Value, mean.Value);
        Assert.Equal(localStd.ToArray(), std.ToArray());
        Assert.Equal(48, mean.Statistics.Workers.Sum(w => w.Tasks)); // 24 partials of each reduction
        Assert.All(mean.Statistics.Workers, w => Assert.Equal("slurm@localhost", w.Address));
        Assert.Equal(0, mean.Statistics.Workers.Sum(w => w.Retried));
        Assert.InRange(workers.ArraysSubmitted, 1, 48);
        Assert.Equal(0, workers.Resubmissions);
        Assert.Empty(Directory.GetFileSystemEntries(Work)); // finished arrays leave nothing behind
    }

    [Fact]
    public void ToStore_AsJobArrays_PublishesOnceInTheWritesTransaction()
    {
        var job = new ClusterJob("test-rechunk", [Source]);
        using var context = ClusterJobs.CreateContext(job);
        var y = ClusterTestJobs.Rechunked(context);
        using var workers = Workers();
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
        Assert.Equal(ClusterTestJobs.Values(), reader.OpenArray<double>("y").Read());
    }

    [Fact]
    public void ArrayTaskExitingWithoutAReply_IsResubmitted_AndTheResultIsExact()
    {
        var job = new ClusterJob("test-rechunk", [Source]);
        using var context = ClusterJobs.CreateContext(job);
        var y = ClusterTestJobs.Rechunked(context);
        using var workers = Workers(new() { ["TESTWORKER_FAIL_ONCE_INDEX"] = "0" });

        var result = y.Compute(new ComputeOptions { Cluster = new ClusterOptions(workers, job) });

        Assert.Equal(ClusterTestJobs.Values(), result.ToArray());
        Assert.Equal(16, result.Statistics.Workers.Sum(w => w.Tasks));
        Assert.InRange(workers.Resubmissions, 1, workers.ArraysSubmitted); // index 0 of each array failed once
        Assert.Equal(0, result.Statistics.Workers.Sum(w => w.Retried)); // resubmitted by the transport, not lost
    }

    [Fact]
    public void ArrayTaskFailingEveryTime_FailsTheJobNamingTheTaskAndItsLog_AfterBoundedSubmissions()
    {
        var job = new ClusterJob("test-rechunk", [Source]);
        using var context = ClusterJobs.CreateContext(job);
        var y = ClusterTestJobs.Rechunked(context);
        using var workers = Workers(new() { ["TESTWORKER_FAIL_ALWAYS_CHUNK"] = "1,3" }, maxResubmits: 1);

        var ex = Assert.ThrowsAny<ChunkComputeException>(() => y.Compute(new ComputeOptions { Cluster = new ClusterOptions(workers, job) { MaxAttempts = 2 } }));

        Assert.Contains("chunk [1, 3]", ex.Message, StringComparison.Ordinal);
        Assert.Contains("rechunk", ex.Message, StringComparison.Ordinal);
        var log = System.Text.RegularExpressions.Regex.Match(ex.Message, @"its log: (\S+log-\d+\.txt)");
        Assert.True(log.Success, ex.Message);
        Assert.Contains("fails on purpose", File.ReadAllText(log.Groups[1].Value), StringComparison.Ordinal);

        // The first attempt was submitted twice (one resubmission), the coordinator's retry once: three in all.
        int failures = Directory.GetFiles(Work, "log-*.txt", SearchOption.AllDirectories)
            .Sum(f => File.ReadAllLines(f).Count(l => l.Contains("fails on purpose", StringComparison.Ordinal)));
        Assert.Equal(3, failures);
    }

    [Fact]
    public async Task CliStats_WithSlurm_RunsItsOwnRunTask_AndEqualsTheLocalRun()
    {
        string work = _tmp.Combine("cli-work");
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.Environment["SLURM_CONF"] = _slurm.SlurmConf;
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "chunkcompute.dll"), "stats", Source, "--array", "x", "--op", "std", "--axis", "1", "--json", "--memory", "64MiB", "--slurm", "--slurm-dir", work })
        {
            info.ArgumentList.Add(a);
        }

        using var process = System.Diagnostics.Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        string stdout = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {stdout} {await stderr}");

        var cluster = System.Text.Json.Nodes.JsonNode.Parse(stdout)!;
        var local = System.Text.Json.Nodes.JsonNode.Parse(Tests.Cli.CliHarness.Expect(0, "stats", Source, "--array", "x", "--op", "std", "--axis", "1", "--json").Stdout)!;
        Assert.Equal(local["value"]!.ToJsonString(), cluster["value"]!.ToJsonString());
        var workers = cluster["workers"]!.AsArray();
        Assert.Equal(24, workers.Sum(w => w!["tasks"]!.GetValue<int>()));
        Assert.All(workers, w => Assert.Equal("slurm@localhost", w!["address"]!.GetValue<string>()));
        Assert.Empty(Directory.GetFileSystemEntries(work));
    }

    [Fact]
    public async Task Cancellation_ScancelsTheArraysInFlight()
    {
        var job = new ClusterJob("test-rechunk", [Source]);
        using var context = ClusterJobs.CreateContext(job);
        var y = ClusterTestJobs.Rechunked(context);
        using var workers = Workers(new() { ["TESTWORKER_SLEEP_SECONDS"] = "60" });
        using var cts = new CancellationTokenSource();

        var run = y.ComputeAsync(new ComputeOptions { Cluster = new ClusterOptions(workers, job) }, cts.Token);
        IReadOnlyList<string> jobs = [];
        for (int i = 0; i < 200 && !(jobs.Count > 0 && _slurm.Client("squeue", "-h", "-r", "-t", "RUNNING", "-j", string.Join(',', jobs)).Trim().Length > 0); i++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
            jobs = workers.JobsInFlight;
        }

        Assert.NotEmpty(jobs);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        // Nothing of ours is left queued or running.
        string left = "?";
        for (int i = 0; i < 100 && left.Length > 0; i++)
        {
            left = _slurm.Client("squeue", "-h", "-j", string.Join(',', jobs)).Trim();
            if (left.Length > 0)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }

        Assert.Equal(string.Empty, left);
        Assert.Contains("CANCELLED", _slurm.Client("squeue", "-h", "-r", "--states=all", "-o", "%T", "-j", string.Join(',', jobs)), StringComparison.Ordinal);
    }
}
