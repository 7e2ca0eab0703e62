using System.Globalization;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Azure;
using ChunkCompute.Tests.Storage.Stores.Azure;
using Xunit;

namespace ChunkCompute.Tests.Storage.Transactions.ObjectStores;

/// <summary>Snapshots and optimistic concurrency across separate processes on Azure Blob Storage (Azurite, 127.0.0.1).</summary>
public sealed class AzuriteMultiProcessTests(AzuriteServer server) : IClassFixture<AzuriteServer>
{
    private Dictionary<string, string> Environment => new() { ["AZURE_STORAGE_CONNECTION_STRING"] = server.ConnectionString };

    [Fact]
    public async Task ReaderProcess_SumEqualsItsSnapshot_WhileWriterProcessAppendsAndOverwrites()
    {
        string url = server.NewContainer("mp.zarr");
        double initial;
        long initialVersion;
        using (var store = ZarrStore.Open(new AzureBlobStore(url, server.Options)))
        {
            var values = Enumerable.Range(0, 20_000).Select(i => (double)(i % 97)).ToArray();
            store.CreateArray<double>("x", [values.Length], [1000]).Write(values);
            initial = values.Sum();
            initialVersion = store.Version!.Value;
        }

        var ct = TestContext.Current.CancellationToken;
        var writer = Worker.RunAsync(Environment, ["write-loop", url, "5"], ct);
        var reader = Worker.RunAsync(Environment, ["sum-loop", url, "5"], ct);
        var written = await writer;
        var read = await reader;

        var truth = new Dictionary<long, double> { [initialVersion] = initial };
        foreach (var (v, s) in written.Select(Parse))
        {
            truth[v] = s;
        }

        var sums = read.Select(Parse).ToList();
        Assert.NotEmpty(sums);
        Assert.True(written.Length >= 3, $"the writer committed only {written.Length} times");
        TestContext.Current.TestOutputHelper?.WriteLine($"{written.Length} commits, {read.Length} snapshot sums");
        foreach (var (v, s) in sums)
        {
            Assert.True(truth.ContainsKey(v), $"the reader saw version {v}, which the writer never reported");
            Assert.Equal(truth[v], s);
        }

        Assert.Contains(sums, p => p.Version > initialVersion); // the reader did run while commits landed
    }

    [Fact]
    public async Task ConcurrentProcesses_IncrementingOneCounter_LoseNoUpdate()
    {
        string url = server.NewContainer("counter.zarr");
        using (var store = ZarrStore.Open(new AzureBlobStore(url, server.Options)))
        {
            store.CreateArray<long>("counter", [1], [1]).Write([0L]);
        }

        var ct = TestContext.Current.CancellationToken;
        await Task.WhenAll(
            Worker.RunAsync(Environment, ["increment", url, "15"], ct),
            Worker.RunAsync(Environment, ["increment", url, "15"], ct));
        using var check = ZarrStore.Open(new AzureBlobStore(url, server.Options));
        Assert.Equal(30L, check.OpenArray<long>("counter").Read()[0]);
        Assert.True(check.Verify().IsSound);
    }

    private static (long Version, double Sum) Parse(string line)
    {
        var parts = line.Split(' ');
        return (long.Parse(parts[1], CultureInfo.InvariantCulture), double.Parse(parts[3], CultureInfo.InvariantCulture));
    }
}
