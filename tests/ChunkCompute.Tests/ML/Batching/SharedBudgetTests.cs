using ChunkCompute.Graph;
using ChunkCompute.ML;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using Xunit;

namespace ChunkCompute.Tests.ML.Batching;

/// <summary>
/// Batch streams and computations given one <see cref="MemoryAccountant"/> (<c>SharedMemory</c>) hold at most its
/// budget together: the stream leases its buffers, each computation reserves its projected peak.
/// </summary>
public sealed class SharedBudgetTests
{
    private const int Rows = 256;
    private const int Cols = 64;

    /// <summary>(r, c) = r * 1000 + c, in row blocks of 16 rows.</summary>
    private static ChunkedArray<double> Indexed()
    {
        var data = new double[Rows * Cols];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = ((i / Cols) * 1000) + (i % Cols);
        }

        return ChunkedArray.FromArray(data, [Rows, Cols], [16, Cols]);
    }

    /// <summary>A stored 160 × 128 float64 array in one chunk: reading it holds at least that chunk (160 KiB).</summary>
    private static (ChunkedArray<double> Array, double[] Data) Big(ZarrStore store)
    {
        var data = Enumerable.Range(0, 160 * 128).Select(i => (double)(i % 977)).ToArray();
        store.CreateArray<double>("big", [160, 128], [160, 128]).Write(data, TestContext.Current.CancellationToken);
        return (store.Open<double>("big"), data);
    }

    [Fact]
    public void StreamAndComputation_OneSharedAccountant_RunTogetherWithinItsBudget()
    {
        using var store = ZarrStore.InMemory();
        var (big, data) = Big(store);
        long need = ExecutionPlan.Create([big.Node]).ProjectedPeakBytes;
        var x = Indexed();
        var options = new BatchOptions { Prefetch = 2 };
        long lease = (x + x).Batches(32, options).BufferBoundBytes;

        // Room for the stream's buffers, the computation's peak and some block reads, but not much more.
        var shared = new MemoryAccountant(lease + need + (64L << 10));
        var stream = (x + x).Batches(32, new BatchOptions { Prefetch = 2, SharedMemory = shared });
        long rows = 0;
        bool computed = false;
        foreach (var batch in stream.ToEnumerable(TestContext.Current.CancellationToken))
        {
            using (batch)
            {
                Assert.Equal(lease, shared.LeasedBytes);
                var span = batch.Span;
                for (int i = 0; i < batch.Rows; i++)
                {
                    Assert.Equal(2.0 * batch.RowIndices[i] * 1000, span[i * Cols]);
                }

                rows += batch.Rows;
                if (!computed)
                {
                    // A computation on the same accountant while the stream holds its buffers and reads ahead.
                    var r = big.Compute(new ComputeOptions { SharedMemory = shared });
                    Assert.Equal(data, r.ToArray());
                    computed = true;
                }
            }
        }

        Assert.Equal(Rows, rows);
        Assert.True(shared.Peak <= shared.Budget, $"peak {shared.Peak} > {shared.Budget}");
        Assert.True(shared.Peak >= lease + need, $"peak {shared.Peak}: the stream's {lease} and the computation's {need} were held together");
        Assert.Equal(0, shared.InUse);
        Assert.Equal(0, shared.LeasedBytes);
    }

    [Fact]
    public void Computation_NeedingMoreThanTheStreamLeaves_RefusedAtOnceThenRunsAfterTheStream()
    {
        using var store = ZarrStore.InMemory();
        var (big, data) = Big(store);
        long need = ExecutionPlan.Create([big.Node]).ProjectedPeakBytes;
        var x = Indexed();
        long lease = (x + x).Batches(32, new BatchOptions { Prefetch = 2 }).BufferBoundBytes;

        // The computation fits the budget alone, not next to the stream's lease.
        var shared = new MemoryAccountant(need + (lease / 2));
        var options = new ComputeOptions { SharedMemory = shared };
        var stream = (x + x).Batches(32, new BatchOptions { Prefetch = 2, SharedMemory = shared });
        int batches = 0;
        foreach (var batch in stream.ToEnumerable(TestContext.Current.CancellationToken))
        {
            using (batch)
            {
                if (batches++ == 0)
                {
                    var e = Assert.Throws<MemoryPlanRefusedException>(() => big.Compute(options));
                    Assert.Equal(need, e.RequiredBytes);
                    Assert.Equal(shared.Budget - lease, e.BudgetBytes);
                    Assert.Contains("leased", e.Message, StringComparison.Ordinal);
                }
            }
        }

        Assert.Equal(Rows / 32, batches);
        Assert.Equal(0, shared.InUse);
        var r = big.Compute(options);
        Assert.Equal(data, r.ToArray());
        Assert.True(r.Statistics.PeakMemoryBytes <= need);
        Assert.True(shared.Peak <= shared.Budget);
    }

    [Fact]
    public void Stream_BuffersOverTheSharedBudget_RefusedNamingIt()
    {
        var x = Indexed();
        var shared = new MemoryAccountant(16L << 10);
        var e = Assert.Throws<ArgumentException>(() => x.Batches(32, new BatchOptions { SharedMemory = shared, MemoryBudget = 1L << 30 }));
        Assert.Contains("BatchOptions.SharedMemory", e.Message, StringComparison.Ordinal);
        Assert.Contains("does not fit", e.Message, StringComparison.Ordinal);
    }
}
