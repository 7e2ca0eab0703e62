using ChunkCompute.Storage;
using ChunkCompute.Storage.Transactions;
using Xunit;

namespace ChunkCompute.Tests.Storage.Transactions.Parts;

/// <summary>The commit lock: a kernel file lock (free when its holder dies) behind an in-process gate.</summary>
public sealed class CommitLockTests : IDisposable
{
    private readonly LogParts _log = new();

    public void Dispose() => _log.Dispose();

    [Fact]
    public void LockFileLeftByADeadHolder_IsTakenAtOnce_WhenNobodyHoldsIt()
    {
        File.WriteAllText(_log.Folder.LockPath, "left by a killed process");
        var commitLock = new CommitLock(_log.Folder, TimeSpan.FromSeconds(5), readOnly: false);
        using var held = commitLock.TryAcquireNow();
        Assert.NotNull(held);
        Assert.True(File.Exists(_log.Folder.LockPath), "the lock file is reused, never deleted");
    }

    [Fact]
    public void StaleLookingLockFile_StillHeldByAnotherProcess_IsNotTaken_UntilReleased()
    {
        var commitLock = new CommitLock(_log.Folder, TimeSpan.FromMilliseconds(200), readOnly: false);
        using (LogParts.HoldLock(_log.Folder.LockPath))
        {
            File.SetLastWriteTimeUtc(_log.Folder.LockPath, DateTime.UtcNow.AddDays(-1)); // old, but held: not stale
            Assert.Null(commitLock.TryAcquireNow());
            var ex = Assert.Throws<StoreBusyException>(() => commitLock.Acquire(CancellationToken.None));
            Assert.Contains("another process has held the commit lock", ex.Message, StringComparison.Ordinal);
        }

        using var held = commitLock.Acquire(CancellationToken.None);
        Assert.NotNull(held);
    }

    [Fact]
    public void TwoHandlesInOneProcess_ExcludeEachOther_AndADoubleReleaseFreesItOnce()
    {
        var first = new CommitLock(_log.Folder, TimeSpan.FromMilliseconds(100), readOnly: false);
        var second = new CommitLock(_log.Folder, TimeSpan.FromMilliseconds(100), readOnly: false);
        var held = first.Acquire(CancellationToken.None);
        Assert.Null(second.TryAcquireNow());
        Assert.Throws<StoreBusyException>(() => second.Acquire(CancellationToken.None));
        held.Dispose();
        held.Dispose();

        using var again = second.TryAcquireNow();
        Assert.NotNull(again);
        Assert.Null(first.TryAcquireNow()); // the double release did not let a second holder in
    }

    [Fact]
    public void ReadOnlyLog_NeverTakesTheLock()
    {
        var commitLock = new CommitLock(_log.Folder, TimeSpan.FromSeconds(1), readOnly: true);
        Assert.Null(commitLock.TryAcquireNow());
        var ex = Assert.Throws<UnauthorizedAccessException>(() => commitLock.Acquire(CancellationToken.None));
        Assert.Contains("read-only", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WaitingForTheLock_IsCancellable()
    {
        var commitLock = new CommitLock(_log.Folder, TimeSpan.FromSeconds(30), readOnly: false);
        var other = LogParts.HoldLock(_log.Folder.LockPath);
        using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100)))
        {
            Assert.Throws<OperationCanceledException>(() => commitLock.Acquire(cts.Token));
        }

        other.Dispose();
        using var held = commitLock.TryAcquireNow(); // the cancelled wait released the in-process gate
        Assert.NotNull(held);
    }
}
