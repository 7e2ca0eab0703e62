using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;

namespace ChunkCompute.Tests.Scheduler;

/// <summary>
/// The storage layer's buffers of a run (compressed reads, decode buffers, encoder staging) come from the run's chunk
/// pool, the memory the accountant counts: together with the chunk buffers they never exceed the budget (issue 21:
/// they used to sit in managed pools outside it, ~330 MB over a 256 MiB budget for a convert of 64 MiB chunks).
/// </summary>
public sealed class StorageBufferAccountingTests
{
    [Fact]
    public async Task ReadThenWrite_StorageBuffersComeFromTheRunsPool_AndStayWithinTheBudget()
    {
        string temp = Path.Combine(Path.GetTempPath(), "cc-storage-buffers-" + Guid.NewGuid().ToString("N"));
        try
        {
            const int N = 2048, C = 512; // float64: 32 MiB in 2 MiB chunks
            var data = new double[N * N];
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = Math.Round(Math.Cos(i * 0.0007) * 1000, 1);
            }

            using var store = ZarrStore.Open(temp);
            var options = new ArrayOptions { Format = ZarrFormat.V2, Compression = Compression.Default };
            var source = store.CreateArray("src", DataType.Float64, [N, N], [C, C], options);
            source.Write<double>(data);
            var target = store.CreateArray("dst", DataType.Float64, [N, N], [C, C], options);

            const long budget = 12L << 20; // six chunks' worth: a few read-and-write pairs at once
            var write = new StoreWriteNode(new ZarrSourceNode(source), target);
            var plan = ExecutionPlan.Create(TaskGraph.Build([write]), budget);
            var executor = new ChunkExecutor(plan, new ComputeOptions { MemoryBudget = budget }, (_, _) => { });
            await executor.RunAsync(CancellationToken.None);

            Assert.Equal(data, target.Read<double>());

            // Every task read a ~2 MiB compressed chunk or staged a ~2 MiB frame: from the run's pool.
            Assert.True(executor.PeakStorageBytes >= 2L << 20, $"storage peak {executor.PeakStorageBytes}");

            // Chunk buffers, storage buffers and the blocks the pool kept, together, within the budget.
            Assert.InRange(executor.PeakResidentBytes, executor.PeakStorageBytes, budget);
            Assert.InRange(executor.PeakBytes, 1, budget);
            Assert.Equal(0, executor.InUseBytes);
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }
    }
}
