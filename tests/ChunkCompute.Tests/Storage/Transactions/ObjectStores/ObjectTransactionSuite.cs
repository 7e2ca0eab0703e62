using System.Text.Json.Nodes;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Stores;
using Xunit;

namespace ChunkCompute.Tests.Storage.Transactions.ObjectStores;

/// <summary>
/// The transaction suite of a directory store, run on an object store's log (no rename, no lock: conditional writes
/// only): commit/abort, read-your-writes, multi-array atomicity for readers, conflicts, retries from threads, append and
/// resize, snapshots across handles, collection and verification. Subclasses give the store (in memory, Azurite).
/// </summary>
public abstract class ObjectTransactionSuite
{
    /// <summary>The raw store every handle opens (what a plain Zarr reader sees).</summary>
    protected abstract IStore Raw { get; }

    /// <summary>A new handle onto the same store, as another process would open it.</summary>
    protected virtual ZarrStore OpenHandle() => ZarrStore.Open(Raw);

    /// <summary>False for a store opened with <see cref="ZarrStoreOptions.SingleWriter"/>: no two handles write at once.</summary>
    protected virtual bool ConcurrentWriters => true;

    /// <summary>
    /// False for a server whose writes are not atomic for readers (s3rver writes an object in place, so a concurrent GET
    /// can see it partly written; S3 and Azure cannot).
    /// </summary>
    protected virtual bool AtomicWrites => true;

    private static double[] Seq(int n, double offset) => Enumerable.Range(0, n).Select(i => offset + i).ToArray();

    [Fact]
    public void Commit_PublishesEverything_AbortDiscardsEverything_AndRestIsPlainZarr()
    {
        using var store = OpenHandle();
        Assert.True(store.IsTransactional);
        using (var tx = store.BeginTransaction())
        {
            var a = tx.CreateArray<double>("a", [10], [4]);
            a.Write(Seq(10, 1));
            tx.CreateGroup("g", new JsonObject { ["k"] = 1 });
            Assert.Equal(Seq(10, 1), tx.OpenArray<double>("a").Read()); // read-your-writes
            Assert.Null(store.GetNodeKind("a"));                         // invisible outside until commit
            Assert.Null(Raw.Get("a/zarr.json"));                         // nothing live yet
            tx.Commit();
        }

        Assert.Equal(Seq(10, 1), store.OpenArray<double>("a").Read());
        using (var tx = store.BeginTransaction())
        {
            tx.OpenArray<double>("a").Write(Seq(10, 100));
            tx.Delete("g");
            tx.CreateArray<int>("b", [3], [3]).Write([1, 2, 3]);
            tx.Abort();
        }

        using (var tx = store.BeginTransaction())
        {
            tx.OpenArray<double>("a").Write(Seq(10, 200)); // disposed without commit
        }

        using var other = OpenHandle();
        Assert.Equal(Seq(10, 1), other.OpenArray<double>("a").Read());
        Assert.Equal(1, other.OpenGroup("g").Attributes["k"]!.GetValue<int>());
        Assert.Null(other.GetNodeKind("b"));
        Assert.DoesNotContain(other.ListNodes(), n => n.Path.StartsWith(".chunkcompute", StringComparison.Ordinal));

        // At rest the live keys are plain Zarr: a reader without the log (zarr-python, a non-transactional handle) reads
        // the committed values, and no staged value is left behind.
        using var plain = new ZarrStore(Raw);
        Assert.Equal(Seq(10, 1), plain.OpenArray<double>("a").Read());
        Assert.Empty(Raw.List(".chunkcompute/staging/"));
    }

    [Fact]
    public void Snapshot_OfAnotherHandle_KeepsItsVersion_WhileAWriterAppendsAndOverwrites_RefreshMovesOn()
    {
        using (var setup = OpenHandle())
        {
            setup.CreateArray<double>("x", [8], [2]).Write(Seq(8, 0));
        }

        using var reader = OpenHandle();
        var x = reader.OpenArray<double>("x");
        long v = reader.Version!.Value;
        using (var writer = OpenHandle())
        {
            writer.Transact(tx =>
            {
                var w = tx.OpenArray<double>("x");
                w.Write(Seq(8, 100));
                w.Append(Seq(4, 500));
            });
            writer.OpenArray<double>("x").Write(Seq(12, 1000));
        }

        Assert.Equal(v, reader.Version);
        Assert.Equal(Seq(8, 0), x.Read());                            // the array keeps its version
        Assert.Equal(Seq(8, 0), reader.OpenArray<double>("x").Read()); // so does the handle
        reader.Refresh();
        Assert.Equal(Seq(12, 1000), reader.OpenArray<double>("x").Read());
    }

    [Fact]
    public async Task MultiArrayCommit_IsAtomicForReadersOfOtherHandles()
    {
        Assert.SkipUnless(AtomicWrites, "this server's writes are not atomic for concurrent readers");
        const int n = 64;
        using (var setup = OpenHandle())
        {
            setup.Transact(tx =>
            {
                tx.CreateArray<long>("a", [n], [8]).Write(new long[n]);
                tx.CreateArray<long>("b", [n], [8]).Write(new long[n]);
            });
        }

        using var cts = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            using var w = OpenHandle();
            for (long g = 1; g <= 12; g++)
            {
                w.Transact(tx =>
                {
                    tx.OpenArray<long>("a").Write(Enumerable.Repeat(g, n).ToArray());
                    tx.OpenArray<long>("b").Write(Enumerable.Repeat(-g, n).ToArray());
                });
            }
        });

        int reads = 0;
        while (!writer.IsCompleted || reads == 0)
        {
            using var r = OpenHandle();
            var a = r.OpenArray<long>("a").Read();
            var b = r.OpenArray<long>("b").Read();
            Assert.All(a, v => Assert.Equal(a[0], v));
            Assert.All(b, v => Assert.Equal(-a[0], v));
            reads++;
        }

        await writer;
        using var last = OpenHandle();
        Assert.All(last.OpenArray<long>("a").Read(), v => Assert.Equal(12, v));
    }

    [Fact]
    public void DisjointChunks_BothCommit_OverlappingChunks_Conflict_MetadataChanges_Conflict()
    {
        using var store = OpenHandle();
        store.CreateArray<int>("x", [8], [2]).Write(new int[8]);
        using var other = OpenHandle();

        using (var t1 = store.BeginTransaction())
        using (var t2 = other.BeginTransaction())
        {
            t1.OpenArray<int>("x").Write(new ArraySubset([0], [2]), [1, 1]);
            t2.OpenArray<int>("x").Write(new ArraySubset([4], [2]), [2, 2]);
            t1.Commit();
            t2.Commit(); // other chunks: both succeed
        }

        using (var t1 = store.BeginTransaction())
        using (var t2 = other.BeginTransaction())
        {
            t1.OpenArray<int>("x").Write(new ArraySubset([0], [2]), [3, 3]);
            t2.OpenArray<int>("x").Write(new ArraySubset([0], [2]), [4, 4]);
            t1.Commit();
            var ex = Assert.Throws<ConflictException>(() => t2.Commit());
            Assert.Equal("x/c/0", ex.Key);
        }

        using (var t1 = store.BeginTransaction())
        using (var t2 = other.BeginTransaction())
        {
            t1.OpenArray<int>("x").Resize([10]);
            t2.OpenArray<int>("x").Write(new ArraySubset([6], [2]), [5, 5]);
            t1.Commit();
            Assert.Throws<ConflictException>(() => t2.Commit()); // it read the metadata t1 changed
        }

        using var check = OpenHandle();
        Assert.Equal([3, 3, 0, 0, 2, 2, 0, 0, 0, 0], check.OpenArray<int>("x").Read());
    }

    [Fact]
    public void Transact_FromConcurrentHandles_LosesNoIncrement()
    {
        Assert.SkipUnless(ConcurrentWriters, "a single-writer store has no concurrent writers");
        using (var setup = OpenHandle())
        {
            setup.CreateArray<long>("counter", [1], [1]).Write([0]);
        }

        const int threads = 4, each = 5;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
        {
            using var h = OpenHandle();
            for (int i = 0; i < each; i++)
            {
                h.Transact(tx =>
                {
                    var c = tx.OpenArray<long>("counter");
                    c.Write([c.Read()[0] + 1]);
                }, retries: 100);
            }
        });

        using var check = OpenHandle();
        Assert.Equal(threads * each, check.OpenArray<long>("counter").Read()[0]);
    }

    [Fact]
    public void AppendAndResize_InTransactions_ThenCollect_AndVerify()
    {
        using var store = OpenHandle();
        store.CreateArray<float>("t", [0, 3], [4, 3]);
        var expected = new List<float>();
        for (int g = 0; g < 5; g++)
        {
            var rows = Enumerable.Range(0, 6 * 3).Select(i => (float)((g * 100) + i)).ToArray();
            store.Transact(tx => tx.OpenArray<float>("t").Append(rows));
            expected.AddRange(rows);
        }

        using var old = OpenHandle();
        var oldT = old.OpenArray<float>("t");
        store.Transact(tx => tx.OpenArray<float>("t").Resize([5, 3]));
        Assert.Equal(expected.Take(15), store.OpenArray<float>("t").Read());
        Assert.Equal(expected, oldT.Read()); // an older snapshot still reads through pre-images

        var gc = store.CollectGarbage();
        Assert.True(gc.ChunksBeyondShape > 0);
        Assert.Equal(expected, oldT.Read()); // its pin holds back what it reads
        var report = store.Verify();
        Assert.True(report.IsSound, string.Join("; ", report.Problems));
    }
}
