using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;

namespace ChunkCompute.Tests.Scheduler;

/// <summary>The README's "C# API in 20 lines", at a small size, with its results checked.</summary>
public sealed class ReadmeTourTests
{
    [Fact]
    public void Tour_RunsAndComputesTheRightValues()
    {
        string dir = Path.Combine(Path.GetTempPath(), "cc-readme-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var store = ZarrStore.Open(dir);
            var x = store.CreateArray<float>("x", shape: [1000, 16], chunks: [128, 16]);
            var firstRows = Enumerable.Range(0, 1000 * 16).Select(i => (float)(i % 7)).ToArray();
            x.Write(new ArraySubset([0, 0], [1000, 16]), firstRows);
            float[] block = x.Read(new ArraySubset([100, 0], [50, 16]));
            Assert.Equal(firstRows.Skip(1600).Take(800), block);

            var data = store.Open<float>("x");
            var options = new ComputeOptions { MemoryBudget = 4L << 20 };
            float total = data.Sum().ComputeScalar(options);
            Assert.Equal(firstRows.Sum(), total);
            var colMeans = data.Rechunk([256, 16]).Mean(axis: 0).Compute(options).ToArray();
            Assert.Equal(16, colMeans.Length);
            Assert.Equal(Enumerable.Range(0, 1000).Average(r => firstRows[r * 16]), colMeans[0], 1e-5);
            var (mu, sigma, second) = Computation.Compute(data.Mean(), data.Std(), (data * data).Mean(), options);
            Assert.Equal(second.Value - (mu.Value * mu.Value), sigma.Value * sigma.Value, 1e-3);
            ((data - mu.Value) / sigma.Value).ToStore(store, "x_scaled").Compute(options);
            var scaled = store.Open<float>("x_scaled");
            Assert.Equal(0, scaled.Mean().ComputeScalar(options), 1e-5);
            Assert.Equal(1, scaled.Std().ComputeScalar(options), 1e-4);
            Assert.Contains("projected peak", data.Std(axis: 0).Explain(options), StringComparison.Ordinal);

            var moreRows = Enumerable.Repeat(2f, 3 * 16).ToArray();
            x.Append(moreRows);
            Assert.Equal([1003L, 16L], x.Shape);
            var ids = store.CreateArray<long>("ids", shape: [0], chunks: [64]);
            store.Transact(tx =>
            {
                tx.OpenArray<float>("x").Append(Enumerable.Repeat(3f, 16).ToArray());
                tx.OpenArray<long>("ids").Append([42L]);
            });
            store.Refresh();
            Assert.Equal(firstRows.Sum() + (2f * 48) + (3f * 16), store.Open<float>("x").Sum().ComputeScalar(options));
            Assert.Equal([42L], store.OpenArray<long>("ids").Read());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
