using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.ML;
using ChunkCompute.Ops;
using ChunkCompute.Storage;

namespace ChunkCompute.Tests.ML.Batching;

using Batching = ChunkCompute.ML.Batching;

/// <summary>Mini-batches over rows: coverage, order, reproducibility, lockstep alignment, memory and cancellation.</summary>
public sealed class BatchingTests
{
    /// <summary>A (rows × cols) array whose element (r, c) is r * 1000 + c, so every row says which row it is.</summary>
    private static ChunkedArray<double> Indexed(int rows, int cols, ChunkGrid grid)
    {
        var data = new double[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                data[(r * cols) + c] = (r * 1000) + c;
            }
        }

        return ChunkedArray.FromArray(data, grid);
    }

    private static ChunkedArray<double> Indexed(int rows, int cols, int rowChunk, int colChunk) =>
        Indexed(rows, cols, ChunkGrid.Regular([rows, cols], [rowChunk, colChunk]));

    /// <summary>Checks every batch's rows against its row indices and returns the row order.</summary>
    private static List<long> Rows(BatchStream<Batch<double>> stream, int cols, List<int>? sizes = null)
    {
        var order = new List<long>();
        foreach (var batch in stream.ToEnumerable())
        {
            using (batch)
            {
                Assert.Equal([batch.Rows, cols], batch.Shape);
                var span = batch.Span;
                for (int i = 0; i < batch.Rows; i++)
                {
                    long row = batch.RowIndices[i];
                    for (int c = 0; c < cols; c++)
                    {
                        Assert.Equal((row * 1000) + c, span[(i * cols) + c]);
                    }

                    order.Add(row);
                }

                sizes?.Add(batch.Rows);
            }
        }

        return order;
    }

    [Fact]
    public void Batches_InOrder_EveryRowOnceInOrderWithShortLastBatch()
    {
        var x = Indexed(103, 7, 10, 3);
        var sizes = new List<int>();
        var stream = x.Batches(16);
        var order = Rows(stream, 7, sizes);
        Assert.Equal(Enumerable.Range(0, 103).Select(i => (long)i), order);
        Assert.Equal([16, 16, 16, 16, 16, 16, 7], sizes);
        Assert.Equal(7, stream.BatchCount);
        Assert.Equal(0, stream.CurrentBufferBytes);
    }

    [Fact]
    public void Batches_DropLast_DropsOnlyTheShortBatch()
    {
        var x = Indexed(103, 2, 25, 2);
        var sizes = new List<int>();
        var stream = x.Batches(16, new BatchOptions { DropLast = true });
        var order = Rows(stream, 2, sizes);
        Assert.Equal(Enumerable.Range(0, 96).Select(i => (long)i), order);
        Assert.All(sizes, s => Assert.Equal(16, s));
        Assert.Equal(6, stream.BatchCount);

        var shuffled = Rows(x.Batches(16, new BatchOptions { DropLast = true, Shuffle = 3 }), 2);
        Assert.Equal(96, shuffled.Count);
        Assert.Equal(96, shuffled.Distinct().Count());
    }

    [Fact]
    public void Batches_Shuffled_EveryRowOncePerEpoch_SameSeedSameOrder_OtherSeedOtherOrder()
    {
        var x = Indexed(500, 3, 37, 2);
        var a = Rows(x.Batches(32, new BatchOptions { Shuffle = 7 }), 3);
        var b = Rows(x.Batches(32, new BatchOptions { Shuffle = 7 }), 3);
        var c = Rows(x.Batches(32, new BatchOptions { Shuffle = 8 }), 3);
        var nextEpoch = Rows(x.Batches(32, new BatchOptions { Shuffle = 7, Epoch = 1 }), 3);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => (long)i), a.Order());
        Assert.Equal(Enumerable.Range(0, 500).Select(i => (long)i), c.Order());
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(a, nextEpoch);
        Assert.NotEqual(a.Order(), a); // actually shuffled

        // The same stream enumerated twice is the same epoch.
        var stream = x.Batches(32, new BatchOptions { Shuffle = 7 });
        Assert.Equal(Rows(stream, 3), Rows(stream, 3));
    }

    [Fact]
    public void Batches_ShuffleBufferZero_PermutesBlocksOnly()
    {
        var x = Indexed(100, 1, 10, 1);
        var order = Rows(x.Batches(10, new BatchOptions { Shuffle = 1, ShuffleBufferRows = 0 }), 1);
        // Each batch is one whole block, rows in order within it, blocks permuted.
        var blocks = order.Chunk(10).ToList();
        Assert.All(blocks, blk => Assert.Equal(Enumerable.Range((int)blk[0], 10).Select(i => (long)i), blk));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i * 10L), blocks.Select(b => b[0]).Order());
        Assert.NotEqual(Enumerable.Range(0, 10).Select(i => i * 10L), blocks.Select(b => b[0]));
    }

    [Fact]
    public void Batches_ShuffleBuffer_RowMovesAtMostBufferRowsEarlier()
    {
        // tf.data's bound: a row is emitted no earlier than (its position in block order) − buffer size.
        var x = Indexed(400, 1, 400, 1); // one block: block order is the identity
        const int Buffer = 20;
        var order = Rows(x.Batches(7, new BatchOptions { Shuffle = 5, ShuffleBufferRows = Buffer }), 1);
        for (int pos = 0; pos < order.Count; pos++)
        {
            Assert.True(order[pos] <= pos + Buffer, $"row {order[pos]} emitted at {pos}");
        }

        Assert.Equal(400, order.Distinct().Count());
    }

    [Fact]
    public void Batches_IrregularChunksAndRank3_EveryRowOnce()
    {
        var grid = ChunkGrid.FromSizes([[5, 17, 1, 30, 9, 2], [2, 1], [4]]);
        var data = Enumerable.Range(0, 64 * 3 * 4).Select(i => (float)i).ToArray();
        var x = ChunkedArray.FromArray(data, grid);
        var seen = new List<long>();
        foreach (var batch in x.Batches(6, new BatchOptions { Shuffle = 11, ShuffleBufferRows = 8 }).ToEnumerable())
        {
            using (batch)
            {
                Assert.Equal([batch.Rows, 3, 4], batch.Shape);
                for (int i = 0; i < batch.Rows; i++)
                {
                    long row = batch.RowIndices[i];
                    Assert.Equal(data.AsSpan((int)row * 12, 12).ToArray(), batch.Span.Slice(i * 12, 12).ToArray());
                    seen.Add(row);
                }
            }
        }

        Assert.Equal(Enumerable.Range(0, 64).Select(i => (long)i), seen.Order());
    }

    [Fact]
    public async Task Zip_DifferentChunkingsAndTypes_StayAligned()
    {
        const int N = 1000;
        var x = Indexed(N, 4, ChunkGrid.FromSizes([[100, 300, 50, 550], [3, 1]]));
        var y = ChunkedArray.FromArray(Enumerable.Range(0, N).Select(i => (long)i).ToArray(), 64);
        var seen = new List<long>();
        await foreach (var pair in Batching.Zip(x, y).Batches(33, new BatchOptions { Shuffle = 2, Prefetch = 3 }))
        {
            using (pair)
            {
                Assert.Equal(pair.First.Rows, pair.Second.Rows);
                Assert.Equal([pair.Rows], pair.Second.Shape);
                for (int i = 0; i < pair.Rows; i++)
                {
                    long label = pair.Second.Span[i];
                    Assert.Equal(pair.RowIndices[i], label);
                    Assert.Equal(label * 1000, pair.First.Span[i * 4]);
                    Assert.Equal((label * 1000) + 3, pair.First.Span[(i * 4) + 3]);
                    seen.Add(label);
                }
            }
        }

        Assert.Equal(Enumerable.Range(0, N).Select(i => (long)i), seen.Order());
    }

    [Fact]
    public void Zip_StoredArrays_AlignedInOrder()
    {
        using var store = ZarrStore.InMemory();
        const int N = 777;
        var features = Enumerable.Range(0, N * 5).Select(i => (float)i).ToArray();
        store.CreateArray<float>("x", [N, 5], [50, 5]).Write(features);
        store.CreateArray<int>("y", [N], [128]).Write(Enumerable.Range(0, N).ToArray());
        var zip = Batching.Zip(store.Open<float>("x"), store.Open<int>("y"));
        long next = 0;
        foreach (var pair in zip.Batches(64).ToEnumerable())
        {
            using (pair)
            {
                for (int i = 0; i < pair.Rows; i++)
                {
                    Assert.Equal(next, pair.Second.Span[i]);
                    Assert.Equal(next * 5, pair.First.Span[i * 5]);
                    next++;
                }
            }
        }

        Assert.Equal(N, next);
    }

    [Fact]
    public void Zip_StoredAndComputedLanes_ReadThroughStoreAndEngine_Aligned()
    {
        using var store = ZarrStore.InMemory();
        const int N = 500;
        store.CreateArray<double>("x", [N, 3], [40, 2]).Write(Enumerable.Range(0, N * 3).Select(i => (double)(i / 3)).ToArray());
        var x = store.Open<double>("x");
        var labels = (ChunkedArray.Arange<long>(0, N, 1, 64) * 2) + 1; // an expression: read through the engine
        var stream = Batching.Zip(x, labels).Batches(32, new BatchOptions { Shuffle = 6, MemoryBudget = 4 << 20 });
        var seen = new List<long>();
        foreach (var pair in stream.ToEnumerable())
        {
            using (pair)
            {
                for (int i = 0; i < pair.Rows; i++)
                {
                    long row = pair.RowIndices[i];
                    Assert.Equal((2 * row) + 1, pair.Second.Span[i]);
                    Assert.Equal(row, pair.First.Span[(i * 3) + 2]);
                    seen.Add(row);
                }
            }
        }

        Assert.Equal(Enumerable.Range(0, N).Select(i => (long)i), seen.Order());
        Assert.True(stream.PeakReadBytes > 0, "the computed lane goes through the engine");
        Assert.Equal(0, stream.CurrentBufferBytes);
    }

    [Fact]
    public void Batches_MemoryBounded_PeakWithinStatedBoundAndFarBelowArray()
    {
        using var store = ZarrStore.InMemory();
        const int N = 20_000, C = 16;
        store.CreateArray<double>("x", [N, C], [500, 8]).Write(Enumerable.Range(0, N * C).Select(i => (double)i).ToArray());
        var x = store.Open<double>("x");
        var options = new BatchOptions { Shuffle = 4, Prefetch = 2, ShuffleBufferRows = 1000, MemoryBudget = 2L << 20 };
        var stream = x.Batches(128, options);
        long rows = 0;
        foreach (var batch in stream.ToEnumerable())
        {
            using (batch)
            {
                rows += batch.Rows;
            }
        }

        Assert.Equal(N, rows);
        long arrayBytes = (long)N * C * sizeof(double);
        Assert.True(stream.PeakBufferBytes <= stream.BufferBoundBytes, $"peak {stream.PeakBufferBytes} > bound {stream.BufferBoundBytes}");
        Assert.True(stream.BufferBoundBytes + ((options.Prefetch + 1) * stream.PeakReadBytes) <= options.MemoryBudget);
        Assert.True(stream.PeakBufferBytes < arrayBytes / 4, $"peak {stream.PeakBufferBytes} vs array {arrayBytes}");
        Assert.True(stream.PeakBufferBytes >= 1000 * C * sizeof(double), "the shuffle buffer must be counted");
        Assert.Equal(0, stream.CurrentBufferBytes);
        Assert.Equal(40, stream.BlocksRead);
    }

    [Fact]
    public void Batches_UndisposedBatchesAreCounted_AndReleasedOnDispose()
    {
        var x = Indexed(100, 2, 10, 2);
        var stream = x.Batches(10);
        var kept = stream.ToEnumerable().ToList();
        Assert.True(stream.CurrentBufferBytes >= 10 * 10 * (2 * sizeof(double)));
        kept.ForEach(b => b.Dispose());
        Assert.Equal(0, stream.CurrentBufferBytes);
        Assert.Throws<ObjectDisposedException>(() => kept[0].Span.Length);
    }

    [Fact]
    public async Task Batches_Cancellation_StopsTheStreamAndTheReads()
    {
        var x = Indexed(10_000, 2, 10, 2); // 1000 blocks
        var stream = x.Batches(10, new BatchOptions { Prefetch = 2 });
        using var cts = new CancellationTokenSource();
        int batches = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var b in stream.WithCancellation(cts.Token))
            {
                b.Dispose();
                if (++batches == 5)
                {
                    await cts.CancelAsync();
                }
            }
        });

        Assert.Equal(5, batches);
        int read = stream.BlocksRead;
        Assert.True(read <= 5 + 3, $"{read} blocks read after cancelling at the 5th");
        await Task.Delay(100, TestContext.Current.CancellationToken);
        Assert.Equal(read, stream.BlocksRead);
        Assert.Equal(0, stream.CurrentBufferBytes);
    }

    [Fact]
    public void Batches_EarlyBreak_ReleasesEverything()
    {
        var x = Indexed(1000, 2, 10, 2);
        var stream = x.Batches(10, new BatchOptions { Shuffle = 1 });
        foreach (var b in stream.ToEnumerable())
        {
            b.Dispose();
            break;
        }

        Assert.Equal(0, stream.CurrentBufferBytes);
    }

    [Fact]
    public void BadInput_ClearErrors()
    {
        var x = Indexed(10, 2, 5, 2);
        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => x.Batches(0));
        Assert.Contains("batch size must be at least 1, not 0", zero.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Batches(-3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Batching.Zip(x, x).Batches(0));

        var y = ChunkedArray.FromArray(new int[11], 4);
        var mismatch = Assert.Throws<ArgumentException>(() => Batching.Zip(x, y));
        Assert.Contains("10 rows", mismatch.Message, StringComparison.Ordinal);
        Assert.Contains("11", mismatch.Message, StringComparison.Ordinal);

        var tooBig = Assert.Throws<ArgumentException>(() => x.Batches(4, new BatchOptions { MemoryBudget = 100 }));
        Assert.Contains("MemoryBudget", tooBig.Message, StringComparison.Ordinal);

        var split = Batching.TrainTestSplit(11, 0.3, 1);
        var wrongRows = Assert.Throws<ArgumentException>(() => x.Batches(4, new BatchOptions { Rows = split.Train }));
        Assert.Contains("11 rows", wrongRows.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Batching.TrainTestSplit(10, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Batching.TrainTestSplit(10, 1.5, 1));
        Assert.Throws<ArgumentException>(() => Batching.TrainTestSplit(1, 0.5, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Batches(4, new BatchOptions { Prefetch = -1 }));
    }
}
