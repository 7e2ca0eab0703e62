using ChunkCompute.Storage;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Storage.Transactions;

/// <summary>
/// The commit protocol's file operations fail at the Nth step (an I/O error once, or a disk that stays full): the
/// commit fails, and the store — reopened with working files — is exactly as before and accepts new commits.
/// </summary>
public sealed class FaultInjectionTests : IDisposable
{
    private readonly TempDirectory _dir = new("cc-fault");

    private string StorePath => _dir.Combine("s.zarr");

    public void Dispose() => _dir.Dispose();

    private void Setup()
    {
        using var store = ZarrStore.Open(StorePath);
        store.Transact(tx =>
        {
            tx.CreateArray<int>("a", [12], [4]).Write(Enumerable.Range(0, 12).ToArray());
            tx.CreateArray<int>("b", [12], [4]).Write(Enumerable.Range(100, 12).ToArray());
            tx.CreateArray<int>("c", [4], [4]).Write([7, 7, 7, 7]);
        });
    }

    private void Change(ZarrStore store) => store.Transact(
        tx =>
        {
            tx.OpenArray<int>("a").Write(Enumerable.Range(50, 12).ToArray());
            tx.OpenArray<int>("b").Write(new ArraySubset([2], [3]), [-1, -2, -3]);
            tx.OpenArray<int>("c").Append([8, 8, 8, 8, 8]);
            tx.Delete("b2");
            tx.CreateGroup("g");
        },
        retries: 0);

    private void AssertUnchanged(long version)
    {
        using var store = ZarrStore.OpenExisting(StorePath);
        Assert.Equal(version, store.Version);
        Assert.Equal(Enumerable.Range(0, 12).ToArray(), store.OpenArray<int>("a").Read());
        Assert.Equal(Enumerable.Range(100, 12).ToArray(), store.OpenArray<int>("b").Read());
        Assert.Equal([7, 7, 7, 7], store.OpenArray<int>("c").Read());
        Assert.Null(store.GetNodeKind("g"));
        var report = store.Verify();
        Assert.True(report.IsSound, string.Join("; ", report.Problems));
    }

    // warm: the failing commit is the handle's second, whose record goes into the file its first commit prepared
    // (written in place), not through a temporary file and a rename.
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void FailureAtEveryStep_LeavesStoreUnchangedAndUsable(bool persistent, bool warm)
    {
        Setup();
        long version;
        using (var s = ZarrStore.OpenExisting(StorePath))
        {
            version = s.Version!.Value;
        }

        var files = new FaultyFiles { Persistent = persistent };
        int failures = 0;
        for (int n = 1; ; n++)
        {
            bool failed = false;
            using (var store = ZarrStore.OpenExisting(StorePath, new ZarrStoreOptions { TransactionFiles = files }))
            {
                if (warm)
                {
                    store.CreateGroup("warm" + n);
                    version = store.Version!.Value;
                }

                files.Arm(n);
                try
                {
                    Change(store);
                }
                catch (IOException ex) when (ex.Message.Contains("injected fault", StringComparison.Ordinal) || ex.InnerException?.Message.Contains("injected fault", StringComparison.Ordinal) == true)
                {
                    failures++;
                    failed = true;
                }

                files.Arm(-1);
            }

            if (!failed)
            {
                break; // the change committed: n is at or past its commit point
            }

            AssertUnchanged(version); // reopening with working files recovers anything left half done
        }

        Assert.True(failures > 20, $"only {failures} steps were exercised");
        using var after = ZarrStore.OpenExisting(StorePath);
        Assert.Equal(Enumerable.Range(50, 12).ToArray(), after.OpenArray<int>("a").Read());
        Assert.Equal([100, 101, -1, -2, -3, 105, 106, 107, 108, 109, 110, 111], after.OpenArray<int>("b").Read());
        Assert.Equal([7, 7, 7, 7, 8, 8, 8, 8, 8], after.OpenArray<int>("c").Read());
        Assert.True(after.Verify().IsSound);
    }

    [Fact]
    public void CrashBetweenRecordAndVersion_IsRolledBackOnOpen_WhileOldSnapshotsReadOn()
    {
        Setup();
        using var reader = ZarrStore.OpenExisting(StorePath);
        var a = reader.OpenArray<int>("a");
        var files = new FaultyFiles { Persistent = true };
        using (var store = ZarrStore.OpenExisting(StorePath, new ZarrStoreOptions { TransactionFiles = files }))
        {
            // Let the staging writes, the record, the pre-image links and some renames happen, then fail for good
            // (rollback fails too): what a process killed mid-publish leaves behind.
            files.Arm(40);
            Assert.ThrowsAny<IOException>(() => Change(store));
        }

        Assert.Equal(Enumerable.Range(0, 12).ToArray(), a.Read()); // a snapshot reader never sees the torn state
        AssertUnchanged(reader.Version!.Value);
    }
}
