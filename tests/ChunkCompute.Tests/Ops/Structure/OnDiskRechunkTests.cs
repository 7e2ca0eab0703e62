using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;

namespace ChunkCompute.Tests.Ops.Structure;

/// <summary>Rechunks that no in-memory plan can bound go through an on-disk intermediate within the budget.</summary>
public sealed class OnDiskRechunkTests
{
    [Fact]
    public void Rechunk_ShortFatToTallSkinny_64MiBUnder16MiB_RoundTripsThroughDisk()
    {
        // The classic case (Dask issue 6552): 4096 × 4096 float32 from row bands to column bands. Every column band
        // needs every row band, so in memory the whole 64 MiB array would have to be held at once.
        string temp = Path.Combine(Path.GetTempPath(), "cc-ondisk-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(temp);
        try
        {
            const int N = 4096;
            var data = new float[N * N];
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = i % 9973;
            }

            long budget = 16L << 20;
            var x = ChunkedArray.FromArray(data, [N, N], [64, N]);
            var options = new ComputeOptions { MemoryBudget = budget, TemporaryDirectory = temp };
            var y = x.Rechunk(RechunkPlanner.TargetGrid([N, N], [N, 64]));
            Assert.Contains("rechunk-spill", y.Explain(options), StringComparison.Ordinal);
            var r = y.Compute(options);
            Assert.Equal(data, r.ToArray());
            Assert.True(r.Statistics.PeakMemoryBytes <= budget, $"peak {r.Statistics.PeakMemoryBytes}");
            Assert.Empty(Directory.GetFileSystemEntries(temp)); // the intermediate is deleted after the last read

            // The same lazy array computes again (the intermediate is recreated).
            Assert.Equal(data[12345], y.Compute(options).ToArray()[12345]);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    [Fact]
    public void RechunkToStore_ArrayLargerThanBudget_WritesBandByBandWithinBudget()
    {
        // Spill, then read each column band back and write it to a store: the bands must be written as they are read
        // (depth-first after the barrier), not all read first.
        string temp = Path.Combine(Path.GetTempPath(), "cc-ondisk-store-" + Guid.NewGuid().ToString("N"));
        try
        {
            const int N = 1024;
            var data = Enumerable.Range(0, N * N).Select(i => (float)(i % 977)).ToArray();
            long budget = 1L << 20; // the array is 4 MiB
            using var store = ChunkCompute.Storage.ZarrStore.Open(temp);
            var y = ChunkedArray.FromArray(data, [N, N], [16, N]).Rechunk(RechunkPlanner.TargetGrid([N, N], [N, 16]));
            var stats = y.ToStore(store, "bands").Compute(new ComputeOptions { MemoryBudget = budget, TemporaryDirectory = temp });
            Assert.True(stats.PeakMemoryBytes <= budget, $"peak {stats.PeakMemoryBytes}");
            Assert.Equal(data, store.OpenArray<float>("bands").Read());
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    [Fact]
    public void Rechunk_InMemoryPlanWhoseWholePeakExceedsBudget_GoesToDisk()
    {
        // Row bands to column bands of an 8 MiB array under 2 MiB: every task may fit, the whole plan cannot.
        const int N = 1024;
        var data = Enumerable.Range(0, N * 2 * N).Select(i => (float)i).ToArray();
        long budget = 2L << 20;
        var y = ChunkedArray.FromArray(data, [N, 2 * N], [64, 2 * N]).Rechunk([N, 64]);
        Assert.Contains("rechunk-spill", y.Explain(new ComputeOptions { MemoryBudget = budget }), StringComparison.Ordinal);
        var r = y.Compute(new ComputeOptions { MemoryBudget = budget });
        Assert.Equal(data, r.ToArray());
    }
}
