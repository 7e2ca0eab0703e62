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
            var y = x.Rechunk(RechunkPlanner.TargetGrid([N, N], [N, 64]), budget, temp);
            Assert.Contains("rechunk-spill", y.Explain(new ComputeOptions { MemoryBudget = budget }), StringComparison.Ordinal);
            var r = y.Compute(new ComputeOptions { MemoryBudget = budget });
            Assert.Equal(data, r.ToArray());
            Assert.True(r.Statistics.PeakMemoryBytes <= budget, $"peak {r.Statistics.PeakMemoryBytes}");
            Assert.Empty(Directory.GetFileSystemEntries(temp)); // the intermediate is deleted after the last read

            // The same lazy array computes again (the intermediate is recreated).
            Assert.Equal(data[12345], y.Compute(new ComputeOptions { MemoryBudget = budget }).ToArray()[12345]);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }
}
