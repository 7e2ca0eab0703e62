using System.Text.Json.Nodes;
using Xunit;
using ChunkCompute.ML;
using ChunkCompute.Storage;
using ChunkCompute.Tests.Interop;

namespace ChunkCompute.Tests.ML.Ragged;

/// <summary>Ragged appends are atomic: one commit per append, joined transactions, aborts leave nothing.</summary>
public sealed class RaggedTransactionTests : IDisposable
{
    private readonly TempDirectory _dir = new("cc-ragged-tx");

    private string StorePath => _dir.Combine("s.zarr");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void EachAppend_IsOneCommit_OfValuesOffsetsAndShapes()
    {
        using var store = ZarrStore.Open(StorePath);
        var ragged = RaggedArray<int>.Create(store, "r", recordRank: 2, valuesChunk: 8);
        long before = store.Version!.Value;
        ragged.Append([1, 2, 3, 4, 5, 6], [2, 3]);
        Assert.Equal(before + 1, store.Version);
        Assert.Equal(before + 1, ragged.Version);

        var log = Path.Combine(StorePath, ".chunkcompute", "log", store.Version!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".json");
        var keys = JsonNode.Parse(File.ReadAllText(log))!["entries"]!.AsArray().Select(e => e!["key"]!.GetValue<string>()).ToList();
        Assert.Contains("r/values/zarr.json", keys);
        Assert.Contains("r/offsets/zarr.json", keys);
        Assert.Contains("r/shapes/zarr.json", keys);

        ragged.AppendMany([new RaggedRecord<int>([7], [1, 1]), new RaggedRecord<int>([8, 9], [1, 2])]);
        Assert.Equal(before + 2, store.Version); // all of AppendMany in one commit
        Assert.Equal(3, ragged.Count);
    }

    [Fact]
    public void ReaderOpenedBefore_SeesOldCount_UntilRefresh()
    {
        using var store = ZarrStore.Open(StorePath);
        var writer = RaggedArray<float>.Create(store, "r", valuesChunk: 4);
        writer.AppendMany([[1f, 2f], [3f]]);

        using var readerStore = ZarrStore.OpenExisting(StorePath);
        var reader = RaggedArray<float>.Open(readerStore, "r");
        Assert.Equal(2, reader.Count);

        using (var tx = store.BeginTransaction())
        {
            var inTx = RaggedArray<float>.Open(tx, "r");
            inTx.Append([4f, 5f, 6f]);
            inTx.Append([7f]);
            Assert.Equal(4, inTx.Count);                 // the transaction reads its own writes
            Assert.Equal([7f], inTx[-1].Values);
            using (var other = ZarrStore.OpenExisting(StorePath))
            {
                Assert.Equal(2, RaggedArray<float>.Open(other, "r").Count); // uncommitted: invisible to other handles
            }

            tx.Commit();
        }

        Assert.Equal(2, reader.Count);                   // a snapshot: still the version it was opened at
        Assert.Equal([3f], reader[-1].Values);
        reader.Refresh();
        Assert.Equal(4, reader.Count);
        Assert.Equal([4f, 5f, 6f], reader[2].Values);
        Assert.Equal([7f], reader[-1].Values);
    }

    [Fact]
    public void AbortedAppend_LeavesNothing()
    {
        using var store = ZarrStore.Open(StorePath);
        var ragged = RaggedArray<double>.Create(store, "r", recordRank: 2, valuesChunk: 4);
        ragged.Append([1, 2], [1, 2]);
        long version = store.Version!.Value;
        long chunks = ragged.Values.StoredChunkCount();

        using (var tx = store.BeginTransaction())
        {
            var inTx = RaggedArray<double>.Open(tx, "r");
            inTx.Append([3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [5, 2]);
            Assert.Equal(2, inTx.Count);
            tx.Abort();
        }

        using var fresh = ZarrStore.OpenExisting(StorePath);
        var after = RaggedArray<double>.Open(fresh, "r");
        Assert.Equal(version, fresh.Version);
        Assert.Equal(1, after.Count);
        Assert.Equal([2L], after.Values.Shape);
        Assert.Equal([2L], after.Offsets.Shape);
        Assert.Equal([1L, 2L], after.Shapes!.Shape);
        Assert.Equal(chunks, after.Values.StoredChunkCount());
        Assert.Equal([1.0, 2.0], after[0].Values);
    }

    [Fact]
    public void AppendMany_FailingMidway_CommitsNothing()
    {
        using var store = ZarrStore.Open(StorePath);
        var ragged = RaggedArray<int>.Create(store, "r", valuesChunk: 4096);
        ragged.Append([1]);
        long version = store.Version!.Value;

        static IEnumerable<int[]> Failing()
        {
            for (int i = 0; i < 30_000; i++)   // 90,000 values: at least one batch is appended before the failure
            {
                yield return [i, i + 1, i + 2];
            }

            throw new IOException("source broke");
        }

        Assert.Throws<IOException>(() => ragged.AppendMany(Failing()));
        Assert.Equal(1, ragged.Count);
        using var fresh = ZarrStore.OpenExisting(StorePath);
        Assert.Equal(version, fresh.Version);
        var after = RaggedArray<int>.Open(fresh, "r");
        Assert.Equal(1, after.Count);
        Assert.Equal([1L], after.Values.Shape);
    }

    [Fact]
    public void CreateAndAppend_InOneTransaction_ViaTransact()
    {
        using var store = ZarrStore.Open(StorePath);
        long version = store.Version!.Value;
        store.Transact(tx =>
        {
            var ragged = RaggedArray<byte>.Create(tx, "bytes", valuesChunk: 3);
            ragged.Append([1, 2, 3, 4]);
            ragged.Append([]);
            ragged.Append([5]);
        });
        Assert.Equal(version + 1, store.Version);
        var back = RaggedArray<byte>.Open(store, "bytes");
        Assert.Equal([4L, 0L, 1L], back.Lengths());
        Assert.Equal(new byte[] { 5 }, back[2].Values);
    }

    [Fact]
    public void TwoHandles_AppendingInTurn_LoseNothing()
    {
        using var a = ZarrStore.Open(StorePath);
        var ra = RaggedArray<long>.Create(a, "r", valuesChunk: 5);
        using var b = ZarrStore.OpenExisting(StorePath);
        var rb = RaggedArray<long>.Open(b, "r");
        ra.Append([1, 1]);
        rb.Append([2, 2, 2]);   // rb's snapshot is older: the append reads the latest offsets in its own commit
        ra.Append([3]);
        ra.Refresh();
        Assert.Equal([[1L, 1L], [2L, 2L, 2L], [3L]], ra.ReadRange(0, 3).Select(r => r.Values));
        Assert.Equal([0L, 2L, 5L, 6L], ra.Offsets.Read<long>());
    }
}
