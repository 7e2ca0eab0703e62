using System.Text.Json.Nodes;
using ChunkCompute.Storage;
using ChunkCompute.Tests.Interop;
using ChunkCompute.Tests.Scheduler.Cluster;
using Xunit;

namespace ChunkCompute.Tests.Cli;

/// <summary>
/// The CLI's cluster path with workers in the process (<c>--local-workers</c>): stats and convert build the CLI's own
/// cluster jobs, the results equal the in-process runs and the closed-form values, --json names the workers; the
/// cluster options are refused where they do not apply.
/// </summary>
public sealed class CliClusterTests : IDisposable
{
    private readonly TempDirectory _tmp = new("cc-cli-cluster");

    public CliClusterTests() => ClusterTestJobs.CreateSource(Source);

    private string Source => _tmp.Combine("src.zarr");

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public void Stats_OnLocalWorkers_EqualsTheLocalRun_AndNamesTheWorkers()
    {
        var cluster = JsonNode.Parse(CliHarness.Expect(0, "stats", Source, "--array", "x", "--op", "std", "--axis", "1", "--json", "--local-workers", "2", "--memory", "64MiB").Stdout)!;
        var local = JsonNode.Parse(CliHarness.Expect(0, "stats", Source, "--array", "x", "--op", "std", "--axis", "1", "--json").Stdout)!;

        Assert.Equal(local["value"]!.ToJsonString(), cluster["value"]!.ToJsonString());
        var values = ClusterTestJobs.Values();
        var row = values.Take(ClusterTestJobs.Cols).ToArray();
        double m = row.Average();
        Assert.Equal(Math.Sqrt(row.Select(v => (v - m) * (v - m)).Average()), cluster["value"]![0]!.GetValue<double>(), 1e-9);
        var workers = cluster["workers"]!.AsArray();
        Assert.Equal(2, workers.Count);
        Assert.Equal(24, workers.Sum(w => w!["tasks"]!.GetValue<int>()));
        Assert.All(workers, w => Assert.StartsWith("local-", w!["address"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.Null(local["workers"]);
    }

    [Fact]
    public void Convert_OnLocalWorkers_WritesTheRechunkedArrayInOneCommit()
    {
        string target = _tmp.Combine("dst.zarr");
        var json = JsonNode.Parse(CliHarness.Expect(0, "convert", Source, target, "--array", "x", "--chunks", "300,50", "--json", "--local-workers", "2").Stdout)!;

        Assert.Equal(16, json["workers"]!.AsArray().Sum(w => w!["tasks"]!.GetValue<int>()));
        using var store = ZarrStore.OpenExisting(target);
        var y = store.OpenArray<double>("x");
        Assert.Equal(new[] { 300, 50 }, y.ChunkShape);
        Assert.Equal(ClusterTestJobs.Values(), y.Read());
    }

    [Fact]
    public void ClusterOptions_AreRefusedWhereTheyDoNotApply()
    {
        var both = CliHarness.Expect(2, "stats", Source, "--array", "x", "--op", "mean", "--local-workers", "2", "--slurm");
        Assert.Contains("choose one of", both.Stderr, StringComparison.Ordinal);
        var alone = CliHarness.Expect(2, "stats", Source, "--array", "x", "--op", "mean", "--partition", "debug");
        Assert.Contains("--partition applies to a cluster run", alone.Stderr, StringComparison.Ordinal);
        var unique = CliHarness.Expect(2, "stats", Source, "--array", "x", "--op", "unique", "--local-workers", "1");
        Assert.Contains("unique runs in this process only", unique.Stderr, StringComparison.Ordinal);
        var address = CliHarness.Expect(2, "stats", Source, "--array", "x", "--op", "mean", "--cluster", "127.0.0.1");
        Assert.Contains("is not HOST:PORT", address.Stderr, StringComparison.Ordinal);
        var tooSmall = CliHarness.Expect(1, "stats", Source, "--array", "x", "--op", "mean", "--local-workers", "2", "--worker-memory", "4KiB");
        Assert.Contains("--worker-memory", tooSmall.Stderr, StringComparison.Ordinal);
    }
}
