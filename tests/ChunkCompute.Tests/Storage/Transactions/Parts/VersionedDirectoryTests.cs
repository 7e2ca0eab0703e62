using System.Text;
using ChunkCompute.Storage.Transactions;
using Xunit;

namespace ChunkCompute.Tests.Storage.Transactions.Parts;

/// <summary>The composed log: commits, reads at older versions, and recovery of a half-done commit only when idle.</summary>
public sealed class VersionedDirectoryTests : IDisposable
{
    private readonly LogParts _log = new();

    public void Dispose() => _log.Dispose();

    private string Stage(string name, string text)
    {
        string path = Path.Combine(_log.Live.Root, name + ".staged");
        File.WriteAllText(path, text);
        return path;
    }

    private static string? Text(VersionedDirectory dir, string key, long version)
    {
        using var owner = dir.Get(key, version);
        return owner is null ? null : Encoding.UTF8.GetString(owner.Memory.Span);
    }

    [Fact]
    public void Commit_PublishesANewVersion_AndOlderVersionsReadTheirOwnBytes()
    {
        using var dir = VersionedDirectory.TryOpen(_log.Live, create: true, TransactionFiles.WithoutFlush)!;
        var v0 = dir.OpenLatest();
        long v1 = dir.Commit(new NamedStaging("t1"), 0, new Dictionary<string, string?> { ["a"] = Stage("a", "one") }, [], CancellationToken.None);
        long v2 = dir.Commit(new NamedStaging("t2"), v1, new Dictionary<string, string?> { ["a"] = Stage("a", "two"), ["b"] = Stage("b", "bee") }, [], CancellationToken.None);
        long v3 = dir.Commit(new NamedStaging("t3"), v2, new Dictionary<string, string?> { ["a"] = null }, [], CancellationToken.None);

        Assert.Equal((1L, 2L, 3L), (v1, v2, v3));
        Assert.Equal(0, v0.Version);
        Assert.Null(Text(dir, "a", 0));
        Assert.Equal("one", Text(dir, "a", 1));
        Assert.Equal("two", Text(dir, "a", 2));
        Assert.Null(Text(dir, "a", 3));
        Assert.Equal(["a"], dir.List("", 1));
        Assert.Equal(["a", "b"], dir.List("", 2).Order(StringComparer.Ordinal));
        Assert.Equal(["b"], dir.ListDirectory("", 3));
        Assert.Equal(3, dir.GetSize("a", 1));

        var conflict = Assert.Throws<ChunkCompute.Storage.ConflictException>(() =>
            dir.Commit(new NamedStaging("late"), v1, new Dictionary<string, string?> { ["b"] = Stage("b", "late") }, [], CancellationToken.None));
        Assert.Contains("b", conflict.Key, StringComparison.Ordinal);
    }

    [Fact]
    public void HalfDoneCommit_IsRolledBackOnOpen_OnlyWhenTheLockIsFree()
    {
        long v1;
        using (var dir = VersionedDirectory.TryOpen(_log.Live, create: true, TransactionFiles.WithoutFlush)!)
        {
            v1 = dir.Commit(new NamedStaging("t1"), 0, new Dictionary<string, string?> { ["a"] = Stage("a", "one") }, [], CancellationToken.None);
        }

        // What a writer killed mid-publish leaves: record 2 preparing above the version, seq raised, key "b" created.
        var records = new RecordLog(_log.Folder, TransactionFiles.WithoutFlush);
        records.Write(LogParts.Record(2, ("b", false)));
        using (var counters = new LogCounters(_log.Folder, TransactionFiles.WithoutFlush))
        {
            counters.WriteSeq(2);
        }

        File.WriteAllText(Path.Combine(_log.Live.Root, "b"), "half");

        using (LogParts.HoldLock(_log.Folder.LockPath))
        {
            // Someone is committing: opening does not wait and does not repair; readers read around the half-done commit.
            using var busy = VersionedDirectory.TryOpen(_log.Live, create: false, TransactionFiles.WithoutFlush)!;
            Assert.Equal(CommitRecord.Preparing, records.Read(2)!.State);
            Assert.True(File.Exists(Path.Combine(_log.Live.Root, "b")));
            Assert.False(busy.Exists("b", v1));
            Assert.DoesNotContain(busy.Inspect().Problems, p => p.Contains("half done", StringComparison.Ordinal)); // not reported while another process holds the lock
        }

        using var idle = VersionedDirectory.TryOpen(_log.Live, create: false, TransactionFiles.WithoutFlush)!;
        Assert.Equal(CommitRecord.Aborted, records.Read(2)!.State);
        Assert.False(File.Exists(Path.Combine(_log.Live.Root, "b")));
        Assert.Equal(v1, idle.ReadVersion());
        Assert.Equal("one", Text(idle, "a", v1));
        Assert.DoesNotContain(idle.Inspect().Problems, p => p.Contains("half done", StringComparison.Ordinal));
    }

    [Fact]
    public void OpenLatest_PinsTheHandle_AndUpdatePinFollowsTheOldestLiveView()
    {
        using var dir = VersionedDirectory.TryOpen(_log.Live, create: true, TransactionFiles.WithoutFlush)!;
        var old = dir.OpenLatest();
        dir.Commit(new NamedStaging("t1"), 0, new Dictionary<string, string?> { ["a"] = Stage("a", "one") }, [], CancellationToken.None);
        var latest = dir.OpenLatest();
        Assert.Equal(1, latest.Version);
        Assert.False(dir.PinsUnavailable);
        Assert.EndsWith("@0", Assert.Single(Directory.GetFiles(_log.Folder.Pins)), StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => dir.OpenAt(-1));

        old.Release();
        dir.UpdatePin();
        Assert.EndsWith("@1", Assert.Single(Directory.GetFiles(_log.Folder.Pins)), StringComparison.Ordinal);
        GC.KeepAlive(latest);
    }

    // A transaction's staging as the log sees it at commit: its id, and staged files already written by Stage.
    private sealed class NamedStaging(string id) : TransactionStaging
    {
        public override string Id => id;

        public override string Write(string key, ReadOnlySpan<byte> value) => throw new NotSupportedException();

        public override System.Buffers.IMemoryOwner<byte>? Read(string handle) => throw new NotSupportedException();

        public override System.Buffers.IMemoryOwner<byte>? ReadRange(string handle, string key, ChunkCompute.Storage.Stores.ByteRange range) => throw new NotSupportedException();

        public override Microsoft.Win32.SafeHandles.SafeFileHandle? Open(string handle) => throw new NotSupportedException();

        public override long Size(string handle) => throw new NotSupportedException();

        public override void Discard(string handle) => throw new NotSupportedException();

        public override void Flush(IReadOnlyCollection<string> handles, CancellationToken cancellationToken)
        {
        }

        public override void Remove()
        {
        }
    }
}
