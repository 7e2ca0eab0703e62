using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Stores;
using ChunkCompute.Tests.Interop;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Scheduler;

/// <summary>
/// <c>Persist</c> computes once: later computations over the result read nothing of the original (counted at the store);
/// a result within half the budget stays in memory, a larger one is spilled to a temporary Zarr array, which disposing
/// deletes; values equal a direct computation.
/// </summary>
public sealed class PersistTests
{
    [Theory]
    [InlineData(64L << 20, true)]
    [InlineData(256L << 10, false)]
    public void Persist_ComputesOnce_InMemoryOrSpilled_AndLaterComputationsReuseIt(long budget, bool inMemory)
    {
        var inner = new MemoryStore();
        var values = Enumerable.Range(0, 300 * 100).Select(i => Math.Sqrt(i)).ToArray();
        using (var setup = new ZarrStore(inner))
        {
            setup.CreateArray<double>("x", [300, 100], [64, 50]).Write(values);
        }

        var counted = new LatencyStore(inner, TimeSpan.Zero);
        using var zarr = new ZarrStore(counted);
        var y = (zarr.Open<double>("x") * 2.0) + 1.0;
        using var tmp = new TempDirectory("cc-persist");
        var options = new ComputeOptions { MemoryBudget = budget, TemporaryDirectory = tmp.Path };

        string? spill;
        using (var persisted = y.Persist(options))
        {
            Assert.Equal(inMemory, persisted.IsInMemory);
            spill = persisted.SpillDirectory;
            Assert.Equal(inMemory, spill is null);
            int reads = counted.ReadsByKey.Values.Sum();

            double mean = persisted.Array.Mean().ComputeScalar(options);
            var all = persisted.Array.Compute(new ComputeOptions { MemoryBudget = 64L << 20 }).ToArray();

            Assert.Equal(reads, counted.ReadsByKey.Values.Sum());
            Assert.Equal(values.Select(v => (v * 2.0) + 1.0).Average(), mean, 1e-9);
            Assert.Equal(values.Select(v => (v * 2.0) + 1.0).ToArray(), all);
            Assert.Equal(y.Shape, persisted.Array.Shape);
            if (spill is not null)
            {
                Assert.StartsWith(tmp.Path, spill, StringComparison.Ordinal);
                Assert.True(Directory.Exists(spill));
            }
        }

        if (spill is not null)
        {
            Assert.False(Directory.Exists(spill));
        }
    }
}
