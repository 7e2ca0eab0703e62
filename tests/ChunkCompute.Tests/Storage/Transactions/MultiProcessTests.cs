using System.Globalization;
using ChunkCompute.Storage;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Storage.Transactions;

/// <summary>Snapshots and optimistic concurrency across separate processes.</summary>
public sealed class MultiProcessTests : IDisposable
{
    private readonly TempDirectory _dir = new("cc-mp");

    private string StorePath => _dir.Combine("s.zarr");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ReaderProcess_SumEqualsItsSnapshot_WhileWriterProcessAppendsAndOverwrites()
    {
        double initial;
        long initialVersion;
        using (var store = ZarrStore.Open(StorePath))
        {
            var values = Enumerable.Range(0, 20_000).Select(i => (double)(i % 97)).ToArray();
            store.CreateArray<double>("x", [values.Length], [100]).Write(values);
            initial = values.Sum();
            initialVersion = store.Version!.Value;
        }

        var ct = TestContext.Current.CancellationToken;
        var writer = Worker.RunAsync(["write-loop", StorePath, "4"], ct);
        var reader = Worker.RunAsync(["sum-loop", StorePath, "4"], ct);
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
        foreach (var (v, s) in sums)
        {
            Assert.True(truth.ContainsKey(v), $"the reader saw version {v}, which the writer never reported");
            Assert.Equal(truth[v], s);
        }

        Assert.Contains(sums, p => p.Version > initialVersion); // the reader did run while commits landed
    }

    private static (long Version, double Sum) Parse(string line)
    {
        var parts = line.Split(' ');
        return (long.Parse(parts[1], CultureInfo.InvariantCulture), double.Parse(parts[3], CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task ConcurrentProcesses_IncrementingOneCounter_LoseNoUpdate()
    {
        using (var store = ZarrStore.Open(StorePath))
        {
            store.CreateArray<long>("counter", [1], [1]).Write([0L]);
        }

        var ct = TestContext.Current.CancellationToken;
        await Task.WhenAll(
            Worker.RunAsync(["increment", StorePath, "25"], ct),
            Worker.RunAsync(["increment", StorePath, "25"], ct));
        using var check = ZarrStore.OpenExisting(StorePath);
        Assert.Equal(50L, check.OpenArray<long>("counter").Read()[0]);
        Assert.True(check.Verify().IsSound);
    }
}
