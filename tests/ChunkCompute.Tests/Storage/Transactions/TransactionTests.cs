using System.Text.Json.Nodes;
using ChunkCompute.Storage;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Storage.Transactions;

/// <summary>Commit, abort, read-your-writes, atomicity, snapshots and optimistic concurrency within one process.</summary>
public sealed class TransactionTests : IDisposable
{
    private readonly TempDirectory _dir = new("cc-tx");

    private string StorePath => _dir.Combine("s.zarr");

    public void Dispose() => _dir.Dispose();

    private static double[] Seq(int n, double offset) => Enumerable.Range(0, n).Select(i => offset + i).ToArray();

    [Fact]
    public void Commit_PublishesEverything_AndAbortDiscardsEverything()
    {
        using var store = ZarrStore.Open(StorePath);
        long v0 = store.Version!.Value;
        using (var tx = store.BeginTransaction())
        {
            var a = tx.CreateArray<double>("a", [10], [4]);
            a.Write(Seq(10, 1));
            tx.CreateGroup("g", new JsonObject { ["k"] = 1 });
            Assert.Equal(Seq(10, 1), tx.OpenArray<double>("a").Read()); // read-your-writes
            Assert.Null(store.GetNodeKind("a"));                         // invisible outside until commit
            long v = tx.Commit();
            Assert.True(v > v0);
        }

        Assert.Equal(Seq(10, 1), store.OpenArray<double>("a").Read());
        Assert.Equal(1, store.OpenGroup("g").Attributes["k"]!.GetValue<int>());

        using (var tx = store.BeginTransaction())
        {
            tx.OpenArray<double>("a").Write(Seq(10, 100));
            tx.Delete("g");
            tx.CreateArray<int>("b", [3], [3]).Write([1, 2, 3]);
            tx.Abort();
        }

        using (var tx = store.BeginTransaction())
        {
            tx.OpenArray<double>("a").Write(Seq(10, 200));
            // disposed without commit
        }

        using var reopened = ZarrStore.OpenExisting(StorePath);
        Assert.Equal(Seq(10, 1), reopened.OpenArray<double>("a").Read());
        Assert.Equal(NodeKind.Group, reopened.GetNodeKind("g"));
        Assert.Null(reopened.GetNodeKind("b"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(StorePath, ".chunkcompute", "staging")));
    }

    [Fact]
    public void CommittedTransaction_CannotBeUsedAgain()
    {
        using var store = ZarrStore.Open(StorePath);
        var tx = store.BeginTransaction();
        var a = tx.CreateArray<float>("a", [4], [4]);
        tx.Commit();
        Assert.Throws<InvalidOperationException>(() => tx.Commit());
        var ex = Assert.Throws<InvalidOperationException>(() => a.Read());
        Assert.Contains("committed", ex.Message);
        tx.Dispose();
    }

    [Fact]
    public void SnapshotIsolation_OpenArrayKeepsItsVersion_RefreshMovesOn()
    {
        using (var setup = ZarrStore.Open(StorePath))
        {
            setup.CreateArray<double>("x", [8], [2]).Write(Seq(8, 0));
        }

        using var reader = ZarrStore.OpenExisting(StorePath);
        var x = reader.OpenArray<double>("x");
        long readerVersion = x.Version!.Value;

        using (var writer = ZarrStore.OpenExisting(StorePath))
        {
            writer.Transact(tx =>
            {
                var w = tx.OpenArray<double>("x");
                w.Write(Seq(8, 50));
                w.Append(Seq(4, 90));
                tx.Delete("nothing-here");
                tx.CreateArray<int>("y", [2], [2]).Write([7, 8]);
            });
        }

        // The open array, and new arrays from the same handle, still read the old version.
        Assert.Equal(Seq(8, 0), x.Read());
        Assert.Equal(8, x.Shape[0]);
        Assert.Equal(Seq(8, 0), reader.OpenArray<double>("x").Read());
        Assert.Null(reader.GetNodeKind("y"));
        Assert.Equal(readerVersion, reader.Version);

        reader.Refresh();
        Assert.True(reader.Version > readerVersion);
        var now = reader.OpenArray<double>("x");
        Assert.Equal(Seq(8, 50).Concat(Seq(4, 90)), now.Read());
        Assert.Equal([7, 8], reader.OpenArray<int>("y").Read());
        Assert.Equal(Seq(8, 0), x.Read()); // the old handle still sees its snapshot
    }

    [Fact]
    public async Task MultiArrayCommit_IsAtomicForReaders()
    {
        using var store = ZarrStore.Open(StorePath);
        store.Transact(tx =>
        {
            tx.CreateArray<long>("a", [64], [8]).Write(Enumerable.Repeat(0L, 64).ToArray());
            tx.CreateArray<long>("b", [64], [8]).Write(Enumerable.Repeat(0L, 64).ToArray());
        });

        var writer = Task.Run(() =>
        {
            using var w = ZarrStore.OpenExisting(StorePath);
            for (long g = 1; g <= 30; g++)
            {
                w.Transact(tx =>
                {
                    tx.OpenArray<long>("a").Write(Enumerable.Repeat(g, 64).ToArray());
                    tx.OpenArray<long>("b").Write(Enumerable.Repeat(-g, 64).ToArray());
                });
            }
        });

        int checks = 0;
        while (!writer.IsCompleted || checks < 5)
        {
            using var r = ZarrStore.OpenExisting(StorePath);
            var a = r.OpenArray<long>("a").Read();
            var b = r.OpenArray<long>("b").Read();
            long g = a[0];
            Assert.All(a, v => Assert.Equal(g, v));
            Assert.All(b, v => Assert.Equal(-g, v));
            checks++;
        }

        await writer;
    }

    [Fact]
    public void DisjointChunks_BothCommit_OverlappingChunks_Conflict()
    {
        using (var setup = ZarrStore.Open(StorePath))
        {
            setup.CreateArray<int>("x", [8], [4]).Write(new int[8]);
        }

        using var s1 = ZarrStore.OpenExisting(StorePath);
        using var s2 = ZarrStore.OpenExisting(StorePath);
        var t1 = s1.BeginTransaction();
        var t2 = s2.BeginTransaction();
        t1.OpenArray<int>("x").Write(new ArraySubset([0], [4]), [1, 1, 1, 1]);
        t2.OpenArray<int>("x").Write(new ArraySubset([4], [4]), [2, 2, 2, 2]);
        t1.Commit();
        t2.Commit(); // disjoint chunks, same (unchanged) metadata
        s1.Refresh();
        Assert.Equal([1, 1, 1, 1, 2, 2, 2, 2], s1.OpenArray<int>("x").Read());

        var t3 = s1.BeginTransaction();
        var t4 = s2.BeginTransaction();
        t3.OpenArray<int>("x").Write(new ArraySubset([1], [1]), [3]);
        t4.OpenArray<int>("x").Write(new ArraySubset([2], [1]), [4]); // same chunk 0
        long winner = t3.Commit();
        var ex = Assert.Throws<ConflictException>(() => t4.Commit());
        Assert.Equal("x", ex.Array);
        Assert.Equal("x/c/0", ex.Key);
        Assert.Equal(winner, ex.ConflictingVersion);
        Assert.Contains("x/c/0", ex.Message);
        using var check = ZarrStore.OpenExisting(StorePath);
        Assert.Equal([1, 3, 1, 1, 2, 2, 2, 2], check.OpenArray<int>("x").Read()); // as the winner left it
    }

    [Fact]
    public void MetadataChangedByAnotherCommit_Conflicts()
    {
        using (var setup = ZarrStore.Open(StorePath))
        {
            setup.CreateArray<int>("x", [8], [4]).Write(new int[8]);
        }

        using var s1 = ZarrStore.OpenExisting(StorePath);
        using var s2 = ZarrStore.OpenExisting(StorePath);
        var t1 = s1.BeginTransaction();
        var t2 = s2.BeginTransaction();
        t1.OpenArray<int>("x").Append([5, 5, 5, 5]);
        t2.OpenArray<int>("x").Append([6, 6, 6, 6]);
        t1.Commit();
        var ex = Assert.Throws<ConflictException>(() => t2.Commit());
        Assert.Equal("x/zarr.json", ex.Key);

        // The retry helper re-runs the body on the latest version: both appends land.
        int runs = 0;
        s2.Transact(tx =>
        {
            runs++;
            tx.OpenArray<int>("x").Append([6, 6, 6, 6]);
        });
        Assert.Equal(1, runs);
        s1.Refresh();
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, 5, 5, 5, 5, 6, 6, 6, 6], s1.OpenArray<int>("x").Read());
    }

    [Fact]
    public void Transact_RetriesConflictsFromConcurrentThreads()
    {
        using (var setup = ZarrStore.Open(StorePath))
        {
            setup.CreateArray<long>("counter", [1], [1]).Write([0L]);
        }

        const int Threads = 4;
        const int Increments = 10;
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, _ =>
        {
            using var s = ZarrStore.OpenExisting(StorePath);
            for (int i = 0; i < Increments; i++)
            {
                s.Transact(
                    tx =>
                    {
                        var c = tx.OpenArray<long>("counter");
                        long v = c.Read()[0];
                        c.Write([v + 1]);
                    },
                    retries: 1000);
            }
        });

        using var check = ZarrStore.OpenExisting(StorePath);
        Assert.Equal(Threads * Increments, check.OpenArray<long>("counter").Read()[0]); // no lost update
    }

    [Fact]
    public void AutoCommittedWrites_FromThreads_ToOneArray_LoseNothing()
    {
        using var store = ZarrStore.Open(StorePath);
        var x = store.CreateArray<int>("x", [100], [8]);
        Parallel.For(0, 100, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            // each region straddles chunk boundaries, so writers read-modify-write the same chunks
            x.Write(new ArraySubset([i], [1]), [i + 1]);
        });

        Assert.Equal(Enumerable.Range(1, 100).ToArray(), x.Read()); // the writing handle reads all its writes
        store.Refresh();
        Assert.Equal(Enumerable.Range(1, 100).ToArray(), store.OpenArray<int>("x").Read());
    }

    [Fact]
    public void Overwrite_InTransaction_ReplacesNodeAtomically()
    {
        using var store = ZarrStore.Open(StorePath);
        store.CreateArray<double>("x", [6], [2]).Write(Seq(6, 1));
        using var reader = ZarrStore.OpenExisting(StorePath);
        var old = reader.OpenArray<double>("x");
        store.Transact(tx => tx.CreateArray<float>("x", [3], [3], new ArrayOptions { Overwrite = true }).Write([9f, 8f, 7f]));
        Assert.Equal(Seq(6, 1), old.Read()); // the old snapshot still reads the replaced array
        reader.Refresh();
        Assert.Equal([9f, 8f, 7f], reader.OpenArray<float>("x").Read());
        Assert.Equal(1, reader.OpenArray("x").StoredChunkCount());
    }

    [Fact]
    public void PlainStores_RefuseTransactionsWithAClearError()
    {
        using var mem = ZarrStore.InMemory();
        var ex = Assert.Throws<NotSupportedException>(() => mem.BeginTransaction());
        Assert.Contains("not transactional", ex.Message);
        Assert.False(mem.IsTransactional);
        Assert.Null(mem.Version);
    }
}
