using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Stores;
using Xunit;

namespace ChunkCompute.Tests.Ops.Structure;

/// <summary>
/// A rechunk of an array stored in a local directory whose chunks decode in pieces can read the target grid straight
/// from the store (each target chunk decodes the stored chunks it overlaps a piece at a time): chosen over the on-disk
/// intermediate when no in-memory plan fits and each stored chunk feeds at most four target chunks, after it otherwise
/// (then taken only when the intermediate's tasks do not fit).
/// </summary>
public sealed class StoredRechunkRouteTests
{
    [Fact]
    public void SquareChunksToColumnBands_OverBudgetInMemory_ReadsFromTheStoreWithinBudget_NoIntermediate()
    {
        // 1024² float32 in 256² chunks (256 KiB each) to full-height bands 64 wide (256 KiB): a band needs a column
        // of four chunks (1 MiB) plus itself, over the 768 KiB budget; each stored chunk feeds 4 bands.
        using var dir = new Interop.TempDirectory();
        string temp = SpillFolder(dir);
        using var store = FileStore(dir);
        const int N = 1024;
        var values = WriteGrid(store, N, i => (i % 1013) * 0.5f);

        long budget = 768L << 10;
        var options = new ComputeOptions { MemoryBudget = budget, TemporaryDirectory = temp };
        var bands = store.Open<float>("g").Rechunk([N, 64]);
        var plan = ExecutionPlan.Create([bands.Node], options);
        var route = Assert.IsType<ZarrSourceNode>(plan.Routes.Values.Single());
        Assert.Equal([N, 64], route.Grid.NominalChunkShape);
        Assert.True(plan.ProjectedPeakBytes <= budget, $"projected {plan.ProjectedPeakBytes}");

        var r = bands.Compute(options);
        Assert.Equal(values, r.ToArray());
        Assert.True(r.Statistics.PeakMemoryBytes <= budget, $"peak {r.Statistics.PeakMemoryBytes}");
        Assert.Empty(Directory.GetFileSystemEntries(temp)); // nothing was spilled

        // Written to another store band by band, the bytes are the same.
        using var outStore = new ZarrStore(new DirectoryStore(Path.Combine(dir.Path, "o")));
        var stats = bands.ToStore(outStore, "bands").Compute(options);
        Assert.True(stats.PeakMemoryBytes <= budget, $"peak {stats.PeakMemoryBytes}");
        var written = outStore.OpenArray<float>("bands");
        Assert.Equal([N, 64], written.ChunkShape);
        Assert.Equal(values, written.Read());
    }

    [Fact]
    public void EachStoredChunkFeedsManyTargets_OnDiskComesFirst()
    {
        // 256 KiB chunks to bands 8 wide: each stored chunk would be decoded 32 times, so the intermediate is cheaper.
        using var dir = new Interop.TempDirectory();
        string temp = SpillFolder(dir);
        using var store = FileStore(dir);
        const int N = 512;
        var values = WriteGrid(store, N, i => i % 769);

        var roomy = new ComputeOptions { MemoryBudget = 1L << 20, TemporaryDirectory = temp };
        var bands = store.Open<float>("g").Rechunk([N, 8]);
        var plan = ExecutionPlan.Create([bands.Node], roomy);
        Assert.IsNotType<ZarrSourceNode>(plan.Routes.Values.Single());
        Assert.Equal(values, bands.Compute(roomy).ToArray());
    }

    [Fact]
    public void StoreHeldInMemory_NoStoreRoute_GoesThroughDisk()
    {
        // Without files to read blocks from, every partly read chunk's whole value is held: the store route is not
        // offered under a budget it cannot keep, and the on-disk route is taken as before.
        string temp = Path.Combine(Path.GetTempPath(), "cc-stored-route-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(temp);
        try
        {
            using var store = ZarrStore.InMemory(new ZarrStoreOptions { ChunkCacheBytes = 0 });
            const int N = 1024;
            var values = WriteGrid(store, N, i => i % 101);
            var options = new ComputeOptions { MemoryBudget = 700L << 10, TemporaryDirectory = temp };
            var bands = store.Open<float>("g").Rechunk([N, 64]);
            Assert.IsNotType<ZarrSourceNode>(ExecutionPlan.Create([bands.Node], options).Routes.Values.Single());
            Assert.Equal(values, bands.Compute(options).ToArray());
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    private static string SpillFolder(Interop.TempDirectory dir) => Directory.CreateDirectory(Path.Combine(dir.Path, "tmp")).FullName;

    private static ZarrStore FileStore(Interop.TempDirectory dir) =>
        new(new DirectoryStore(Path.Combine(dir.Path, "s")), new ZarrStoreOptions { ChunkCacheBytes = 0 });

    // "g": n × n float32 in 256² Blosc chunks, value(i) at flat index i; returns the values written.
    private static float[] WriteGrid(ZarrStore store, int n, Func<int, float> value)
    {
        var values = Enumerable.Range(0, n * n).Select(value).ToArray();
        store.CreateArray<float>("g", [n, n], [256, 256], new ArrayOptions { Compression = Compression.Blosc() }).Write(values);
        return values;
    }
}
