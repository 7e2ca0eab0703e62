using ChunkCompute.Storage;
using ChunkCompute.Storage.Stores;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Storage.Transactions;

/// <summary>
/// Writers joined to another handle's open transaction (<see cref="ZarrStore.JoinTransaction"/>): what they stage is
/// invisible until the owner adopts it and commits, then published exactly; aborts leave nothing; keys never written
/// cannot be adopted; hostile or finished ids are refused without touching anything. Every writer is a separate store
/// handle (no in-memory state shared with the owner), as a worker process would open it.
/// </summary>
public abstract class JoinedTransactionSuite
{
    private const string Hex32 = "0123456789abcdef0123456789abcdef";

    /// <summary>A new handle onto the same store, as another process would open it.</summary>
    protected abstract ZarrStore OpenHandle();

    /// <summary>The staged values (and markers) left in the store's staging, as paths or keys.</summary>
    protected abstract IReadOnlyList<string> StagingEntries();

    /// <summary>Whether a live (plain Zarr) key exists: what a reader without the log sees.</summary>
    protected abstract bool LiveExists(string key);

    /// <summary>Everything a hostile id could reach outside the store's staging (to compare before and after).</summary>
    protected abstract IReadOnlyList<string> Surroundings();

    // The value of element (i, j) of the test array, as each writer computes it independently.
    private static int Value(long i, long j) => (int)((i * 1000) + j + 1);

    private static int[] Block(long row, long col, int rows, int cols)
    {
        var block = new int[rows * cols];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                block[(i * cols) + j] = Value(row + i, col + j);
            }
        }

        return block;
    }

    [Fact]
    public void JoinedWriters_StageChunks_InvisibleUntilAdoptedAndCommitted_ThenPublishedExactly()
    {
        using var owner = OpenHandle();
        using var tx = owner.BeginTransaction();
        var created = tx.CreateArray<int>("x", [12, 6], [2, 3]); // 6 x 2 chunks, metadata only in the staging
        created.Write(new ArraySubset([0, 0], [2, 6]), Block(0, 0, 2, 6)); // the owner writes chunk row 0 itself

        // Two workers, each its own handle: one writes regions, one whole chunks (encoded bytes and typed).
        using var handleA = OpenHandle();
        using var handleB = OpenHandle();
        using var writerA = handleA.JoinTransaction(tx.Id);
        using var writerB = handleB.JoinTransaction(tx.Id);
        Assert.Equal(tx.Id, writerA.TransactionId);
        var xa = writerA.Store.OpenArray<int>("x"); // metadata the owner staged
        Assert.Equal([12L, 6L], xa.Shape);
        Assert.Equal(Block(0, 0, 2, 6), xa.Read(new ArraySubset([0, 0], [2, 6]))); // the owner's staged chunks
        xa.Write(new ArraySubset([2, 0], [4, 6]), Block(2, 0, 4, 6));
        var xb = writerB.Store.OpenArray("x");
        for (long row = 6; row < 12; row += 2)
        {
            for (long col = 0; col < 6; col += 3)
            {
                var block = Block(row, col, 2, 3);
                if (col == 0)
                {
                    xb.WriteBytes(new ArraySubset([row, col], [2, 3]), System.Runtime.InteropServices.MemoryMarshal.AsBytes(block.AsSpan()));
                }
                else
                {
                    xb.WriteChunk<int>([row / 2, col / 3], block);
                }
            }
        }

        Assert.Equal(["x/c/1/0", "x/c/1/1", "x/c/2/0", "x/c/2/1"], writerA.WrittenKeys);
        Assert.Equal(6, writerB.WrittenKeys.Count);
        Assert.Equal(writerB.WrittenKeys.Order(StringComparer.Ordinal), writerB.WrittenKeys);

        // Nothing is visible before the owner adopts and commits, not even to a fresh handle or a plain reader.
        using (var reader = OpenHandle())
        {
            Assert.Null(reader.GetNodeKind("x"));
        }

        Assert.False(LiveExists("x/zarr.json"));
        Assert.False(LiveExists("x/c/1/0"));

        tx.AdoptStaged(writerA.WrittenKeys);
        tx.AdoptStaged(writerB.WrittenKeys);
        tx.AdoptStaged(writerA.WrittenKeys); // a retried task's reply: harmless
        using (var reader = OpenHandle())
        {
            Assert.Null(reader.GetNodeKind("x"));
        }

        Assert.Equal(Block(0, 0, 12, 6), tx.OpenArray<int>("x").Read()); // the owner now reads what it adopted
        tx.Commit();

        using var fresh = OpenHandle();
        Assert.Equal(Block(0, 0, 12, 6), fresh.OpenArray<int>("x").Read());
        Assert.Empty(StagingEntries());
    }

    [Fact]
    public void JoinedWriter_OverAnExistingArray_ReadsCommittedValues_AndOnlyAdoptedChunksChange()
    {
        using var owner = OpenHandle();
        owner.CreateArray<int>("y", [4, 4], [2, 2]).Write(Enumerable.Repeat(7, 16).ToArray());
        using var tx = owner.BeginTransaction();
        using var handle = OpenHandle();
        using var writer = handle.JoinTransaction(tx.Id);
        var y = writer.Store.OpenArray<int>("y");
        Assert.Equal(Enumerable.Repeat(7, 16).ToArray(), y.Read());
        y.Write(new ArraySubset([1, 1], [1, 1]), [99]); // a partial chunk: read from the version, staged whole
        y.WriteChunk([1, 1], [1, 2, 3, 4]);
        Assert.Equal(["y/c/0/0", "y/c/1/1"], writer.WrittenKeys);
        Assert.Throws<NotSupportedException>(() => writer.Store.Delete("y")); // joined writers only add values

        tx.AdoptStaged(["y/c/0/0"]); // only one of the two
        tx.Commit();

        using var fresh = OpenHandle();
        int[] expected = [7, 7, 7, 7, 7, 99, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7];
        Assert.Equal(expected, fresh.OpenArray<int>("y").Read());
    }

    [Fact]
    public void JoinedWriter_WritesAZarrV2ArrayTheOwnerCreated_InAGroupTheOwnerCreated()
    {
        using var owner = OpenHandle();
        using var tx = owner.BeginTransaction();
        tx.CreateGroup("g", format: ZarrFormat.V2);
        tx.CreateArray<double>("g/v2", [5], [2], new ArrayOptions { Format = ZarrFormat.V2 });
        using var handle = OpenHandle();
        using var writer = handle.JoinTransaction(tx.Id);
        writer.Store.OpenArray<double>("g/v2").Write([1.5, 2.5, 3.5, 4.5, 5.5]);
        Assert.Equal(["g/v2/0", "g/v2/1", "g/v2/2"], writer.WrittenKeys);
        tx.AdoptStaged(writer.WrittenKeys);
        tx.Commit();

        using var fresh = OpenHandle();
        Assert.Equal([1.5, 2.5, 3.5, 4.5, 5.5], fresh.OpenArray<double>("g/v2").Read());
    }

    [Fact]
    public void ManyWritersOnThreads_EachItsOwnHandle_AdoptConcurrently_PublishEveryChunk()
    {
        using var owner = OpenHandle();
        using var tx = owner.BeginTransaction();
        tx.CreateArray<int>("m", [16, 6], [2, 3]);
        string id = tx.Id;
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, w =>
        {
            using var handle = OpenHandle();
            using var writer = handle.JoinTransaction(id);
            var m = writer.Store.OpenArray<int>("m");
            m.Write(new ArraySubset([w * 4, 0], [4, 6]), Block(w * 4, 0, 4, 6));
            tx.AdoptStaged(writer.WrittenKeys);
        });
        tx.Commit();

        using var fresh = OpenHandle();
        Assert.Equal(Block(0, 0, 16, 6), fresh.OpenArray<int>("m").Read());
    }

    [Fact]
    public void Abort_AfterJoinedWrites_LeavesNothing_AndTheWriterCannotJoinAgain()
    {
        using var owner = OpenHandle();
        string id;
        using (var tx = owner.BeginTransaction())
        {
            tx.CreateArray<int>("z", [4], [2]);
            id = tx.Id;
            using var handle = OpenHandle();
            using var writer = handle.JoinTransaction(id);
            writer.Store.OpenArray<int>("z").Write([1, 2, 3, 4]);
            Assert.Equal(2, writer.WrittenKeys.Count);
            tx.AdoptStaged(writer.WrittenKeys);
            tx.Abort();
        }

        using var fresh = OpenHandle();
        Assert.Null(fresh.GetNodeKind("z"));
        Assert.Empty(StagingEntries());
        var ex = Assert.Throws<InvalidOperationException>(() => fresh.JoinTransaction(id));
        Assert.Contains(id, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Adopt_KeyNeverWritten_ThrowsNamingKeyAndTransaction_AndAdoptsNothing()
    {
        using var owner = OpenHandle();
        using var tx = owner.BeginTransaction();
        tx.CreateArray<int>("w", [4], [2]);
        using var handle = OpenHandle();
        using var writer = handle.JoinTransaction(tx.Id);
        writer.Store.OpenArray<int>("w").Write(new ArraySubset([0], [2]), [5, 6]);
        Assert.Equal(["w/c/0"], writer.WrittenKeys);

        var ex = Assert.Throws<InvalidOperationException>(() => tx.AdoptStaged(["w/c/0", "w/c/1"]));
        Assert.Contains("'w/c/1'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(tx.Id, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'w/c/0'", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => tx.AdoptStaged(["../outside"]));
        Assert.Throws<ArgumentException>(() => tx.AdoptStaged([".chunkcompute/head"]));
        tx.Commit();

        using var fresh = OpenHandle();
        Assert.Equal([0, 0, 0, 0], fresh.OpenArray<int>("w").Read()); // w/c/0 was not adopted: all or nothing
    }

    [Theory]
    [InlineData("")]
    [InlineData("../../etc")]
    [InlineData("../x")]
    [InlineData("1-zz")]
    [InlineData("1-" + Hex32 + "/..")]
    [InlineData("1-0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("-" + Hex32)]
    [InlineData("12345678901-" + Hex32)]
    public void Join_MalformedId_IsRefusedWithArgumentException_TouchingNothing(string id)
    {
        using var owner = OpenHandle();
        using var tx = owner.BeginTransaction();
        _ = tx.Id;
        var before = Surroundings();
        using var handle = OpenHandle();
        var ex = Assert.Throws<ArgumentException>(() => handle.JoinTransaction(id));
        Assert.Contains($"'{id}'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, Surroundings());
    }

    [Fact]
    public void Join_UnknownOrFinishedTransaction_IsRefused_TouchingNothing()
    {
        using var owner = OpenHandle();
        string finished;
        using (var tx = owner.BeginTransaction())
        {
            tx.CreateArray<int>("v", [2], [2]).Write([1, 2]);
            finished = tx.Id;
            tx.Commit();
        }

        var before = Surroundings();
        using var handle = OpenHandle();
        foreach (var id in new[] { finished, "1-" + Hex32, $"{Environment.ProcessId}-{Guid.NewGuid():N}" })
        {
            var ex = Assert.Throws<InvalidOperationException>(() => handle.JoinTransaction(id));
            Assert.Contains(id, ex.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, Surroundings());
        Assert.Throws<NotSupportedException>(() => new ZarrStore(new MemoryStore()).JoinTransaction("1-" + Hex32));
    }

    [Fact]
    public void Writer_AfterTheOwnerCommitted_CannotStageIntoIt()
    {
        using var owner = OpenHandle();
        using var tx = owner.BeginTransaction();
        tx.CreateArray<int>("u", [4], [2]);
        using var handle = OpenHandle();
        using var writer = handle.JoinTransaction(tx.Id);
        var u = writer.Store.OpenArray<int>("u");
        u.Write(new ArraySubset([0], [2]), [1, 2]);
        tx.AdoptStaged(writer.WrittenKeys);
        tx.Commit();
        using var fresh = OpenHandle();
        Assert.Equal([1, 2, 0, 0], fresh.OpenArray<int>("u").Read());
        writer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => u.Write(new ArraySubset([2], [2]), [3, 4]));
    }
}

/// <summary>Joined writers on a local directory store (file staging under <c>.chunkcompute/staging/</c>).</summary>
public sealed class JoinedTransactionDirectoryTests : JoinedTransactionSuite, IDisposable
{
    private readonly TempDirectory _dir = new("cc-join");

    private string StorePath => _dir.Combine("s.zarr");

    private string StagingPath => Path.Combine(StorePath, ".chunkcompute", "staging");

    /// <inheritdoc/>
    protected override bool LiveExists(string key) => File.Exists(Path.Combine(StorePath, key));

    [Fact]
    public void Commit_FlushesAdoptedFiles_AndTheWriterFlushesWhatItStages()
    {
        var ownerFiles = new FlushRecorder();
        var writerFiles = new FlushRecorder();
        using var owner = ZarrStore.Open(StorePath, new ZarrStoreOptions { TransactionFiles = ownerFiles });
        using var tx = owner.BeginTransaction();
        tx.CreateArray<int>("f", [4], [2]);
        using var handle = ZarrStore.Open(StorePath, new ZarrStoreOptions { TransactionFiles = writerFiles });
        using var writer = handle.JoinTransaction(tx.Id);
        writer.Store.OpenArray<int>("f").Write([1, 2, 3, 4]);
        Assert.Equal(2, writerFiles.Flushed.Count(p => Path.GetFileName(p).StartsWith(".ccw-", StringComparison.Ordinal))); // before renaming into place
        tx.AdoptStaged(writer.WrittenKeys);
        tx.Commit();
        foreach (var key in new[] { "f/c/0", "f/c/1" })
        {
            // Flushed before the commit lock where staged (flat: no folder per transaction or array), or, in a commit of
            // a few values like this one, in place once renamed there.
            string staged = Path.Combine(StagingPath, tx.Id + "." + key.Replace("/", "%2F", StringComparison.Ordinal)) + "~";
            string live = Path.Combine(StorePath, key.Replace('/', Path.DirectorySeparatorChar));
            Assert.True(ownerFiles.Flushed.Contains(staged) || ownerFiles.Flushed.Contains(live), $"{key} was not flushed by the commit");
        }

        using var fresh = OpenHandle();
        Assert.Equal([1, 2, 3, 4], fresh.OpenArray<int>("f").Read());
    }

    private sealed class FlushRecorder : ChunkCompute.Storage.Transactions.TransactionFiles
    {
        public System.Collections.Concurrent.ConcurrentBag<string> Flushed { get; } = [];

        public override void FlushFile(string path)
        {
            Flushed.Add(path);
            base.FlushFile(path);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _dir.Dispose();

    /// <inheritdoc/>
    protected override ZarrStore OpenHandle() => ZarrStore.Open(StorePath);

    /// <inheritdoc/>
    protected override IReadOnlyList<string> StagingEntries() =>
        Directory.Exists(StagingPath) ? [.. Directory.EnumerateFileSystemEntries(StagingPath, "*", SearchOption.AllDirectories)] : [];

    /// <inheritdoc/>
    protected override IReadOnlyList<string> Surroundings() =>
        [.. Directory.EnumerateFileSystemEntries(_dir.Path, "*", SearchOption.AllDirectories).Where(p => !p.Contains($"{Path.DirectorySeparatorChar}pins{Path.DirectorySeparatorChar}", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    [Fact]
    public void JoinedWriter_AfterTheOwnerAborted_DoesNotRecreateItsStaging()
    {
        using var owner = OpenHandle();
        var tx = owner.BeginTransaction();
        tx.CreateArray<int>("t", [4], [2]);
        using var handle = OpenHandle();
        using var writer = handle.JoinTransaction(tx.Id);
        var t = writer.Store.OpenArray<int>("t");
        tx.Abort();
        var ex = Assert.Throws<InvalidOperationException>(() => t.Write([1, 2, 3, 4]));
        Assert.Contains(tx.Id, ex.Message, StringComparison.Ordinal);
        Assert.Empty(StagingEntries());
    }

    [Fact]
    public void Join_StagingFolderWithoutLiveLock_IsRefused()
    {
        using var owner = OpenHandle(); // creates the log
        owner.CreateArray<int>("s", [2], [2]);
        string id = $"{Environment.ProcessId}-{Guid.NewGuid():N}";
        Directory.CreateDirectory(Path.Combine(StagingPath, id)); // a dead transaction's folder: no lock held
        File.WriteAllBytes(Path.Combine(StagingPath, id + ".lock"), []);
        using var handle = OpenHandle();
        var ex = Assert.Throws<InvalidOperationException>(() => handle.JoinTransaction(id));
        Assert.Contains(id, ex.Message, StringComparison.Ordinal);
    }
}

/// <summary>Joined writers on an object store's log over a <see cref="MemoryStore"/> (staged keys in the store).</summary>
public sealed class JoinedTransactionMemoryObjectTests : JoinedTransactionSuite
{
    private readonly MemoryStore _raw = new();

    /// <inheritdoc/>
    protected override bool LiveExists(string key) => _raw.Exists(key);

    /// <inheritdoc/>
    protected override ZarrStore OpenHandle() => ZarrStore.Open(_raw);

    /// <inheritdoc/>
    protected override IReadOnlyList<string> StagingEntries() => [.. _raw.List(".chunkcompute/staging/")];

    /// <inheritdoc/>
    protected override IReadOnlyList<string> Surroundings() =>
        [.. _raw.List("").Where(k => !k.StartsWith(".chunkcompute/pins/", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];

    [Fact]
    public void Join_FindsTheOwnersStaging_OnlyOnceItsIdWasHandedOut()
    {
        using var owner = OpenHandle();
        using var tx = owner.BeginTransaction();
        tx.CreateArray<int>("r", [2], [2]);
        Assert.DoesNotContain(StagingEntries(), k => k.EndsWith("/open", StringComparison.Ordinal));
        string id = tx.Id;
        Assert.Single(StagingEntries(), k => k.EndsWith("/open", StringComparison.Ordinal));
        using var handle = OpenHandle();
        using var writer = handle.JoinTransaction(id);
        writer.Store.OpenArray<int>("r").Write([3, 4]);
        Assert.All(StagingEntries(), k => Assert.Contains("." + id + "/", k, StringComparison.Ordinal)); // under the owner's prefix
        tx.AdoptStaged(writer.WrittenKeys);
        tx.Commit();
        Assert.Equal(id, tx.Id); // still readable after the end
        Assert.Empty(StagingEntries());
        Assert.Equal([3, 4], new ZarrStore(_raw).OpenArray<int>("r").Read()); // plain Zarr at rest
    }
}
