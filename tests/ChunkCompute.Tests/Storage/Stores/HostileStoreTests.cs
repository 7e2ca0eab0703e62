using System.Diagnostics;
using ChunkCompute.Storage;
using ChunkCompute.Tests.Interop;
using ChunkCompute.Tests.Storage.Transactions;
using Xunit;

namespace ChunkCompute.Tests.Storage.Stores;

/// <summary>
/// A store is untrusted input (someone else's tarball, a crashed writer): links inside it are never followed, special
/// files are never opened, reserved names are refused, and nothing outside the store is read, written or deleted.
/// Each test plants what an attacker would and checks a folder outside the store stays exactly as it was.
/// </summary>
public sealed class HostileStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new("cc-hostile");
    private readonly TempDirectory _outside = new("cc-outside");

    public HostileStoreTests()
    {
        File.WriteAllText(_outside.Combine("precious.txt"), "keep me");
        Directory.CreateDirectory(_outside.Combine("sub"));
        File.WriteAllText(_outside.Combine("sub", "0"), "keep me too");
    }

    private string StorePath => _dir.Combine("s.zarr");

    private string Meta => Path.Combine(StorePath, ".chunkcompute");

    public void Dispose()
    {
        _dir.Dispose();
        _outside.Dispose();
    }

    // Every file and folder outside the store, with each file's bytes.
    private string[] Outside() =>
        Directory.EnumerateFileSystemEntries(_outside.Path, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(_outside.Path, p) + "=" + (File.Exists(p) ? Convert.ToHexString(File.ReadAllBytes(p)) : "dir"))
            .Order(StringComparer.Ordinal).ToArray();

    private void AssertOutsideIntact(string[]? expected = null)
    {
        Assert.Equal("keep me", File.ReadAllText(_outside.Combine("precious.txt")));
        Assert.Equal("keep me too", File.ReadAllText(_outside.Combine("sub", "0")));
        string[] original = ["precious.txt=" + Convert.ToHexString("keep me"u8), "sub=dir", Path.Combine("sub", "0") + "=" + Convert.ToHexString("keep me too"u8)];
        Assert.Equal(expected ?? original.Order(StringComparer.Ordinal).ToArray(), Outside());
    }

    private void CreateStore()
    {
        using var store = ZarrStore.Open(StorePath);
        store.CreateArray<int>("x", [8], [2]).Write([1, 2, 3, 4, 5, 6, 7, 8]);
    }

    private static void Replace(string path, string linkTarget)
    {
        Directory.Delete(path, recursive: true);
        Directory.CreateSymbolicLink(path, linkTarget);
    }

    [Theory]
    [InlineData("trash")]
    [InlineData("staging")]
    [InlineData("pre")]
    [InlineData("pins")]
    [InlineData("log")]
    public void LinkedLogFolder_IsRefusedOnOpen_AndNothingOutsideIsTouched(string folder)
    {
        CreateStore();
        Replace(Path.Combine(Meta, folder), _outside.Path);

        var ex = Assert.Throws<UnsafeStoreEntryException>(() => ZarrStore.OpenExisting(StorePath));
        Assert.Equal($".chunkcompute/{folder}", ex.Entry);
        Assert.Contains("symbolic link", ex.Message, StringComparison.Ordinal);
        AssertOutsideIntact();
    }

    [Fact]
    public void LinkedLogItself_IsRefused()
    {
        CreateStore();
        Replace(Meta, _outside.Path);
        var ex = Assert.Throws<UnsafeStoreEntryException>(() => ZarrStore.OpenExisting(StorePath));
        Assert.Equal(".chunkcompute", ex.Entry);
        AssertOutsideIntact();
    }

    [Fact]
    public void LinksInsideTrashAndStaging_AreUnlinkedNotFollowed()
    {
        CreateStore();
        Directory.CreateSymbolicLink(Path.Combine(Meta, "trash", "evil"), _outside.Path);
        Directory.CreateSymbolicLink(Path.Combine(Meta, "staging", "deadtx"), _outside.Path); // an "orphaned staging"
        Directory.CreateDirectory(Path.Combine(Meta, "trash", "real"));
        Directory.CreateSymbolicLink(Path.Combine(Meta, "trash", "real", "deeper"), _outside.Combine("sub"));
        File.CreateSymbolicLink(Path.Combine(Meta, "pins", "dead@1"), _outside.Combine("precious.txt"));

        using (var store = ZarrStore.OpenExisting(StorePath)) // empties the trash, clears orphaned stagings and dead pins
        {
            Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], store.OpenArray<int>("x").Read());
            store.OpenArray<int>("x").Write([8, 7, 6, 5, 4, 3, 2, 1]); // a commit clears them again
            store.CollectGarbage();
        }

        AssertOutsideIntact();
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Meta, "trash")));
        Assert.False(Path.Exists(Path.Combine(Meta, "staging", "deadtx")));
        Assert.False(Path.Exists(Path.Combine(Meta, "pins", "dead@1")));
    }

    [Fact]
    public void LinkedFolderInsideAnArray_IsNeitherListedNorFollowed_ByGcOverwriteOrReads()
    {
        using (var store = ZarrStore.Open(StorePath))
        {
            store.CreateArray<int>("x", [4], [2]).Write([1, 2, 3, 4]);
            store.CreateArray<int>("y", [4], [2]).Write([1, 2, 3, 4]);
        }

        // A linked folder x/c/9 (where a chunk far beyond the shape would be, for gc to delete).
        Directory.CreateSymbolicLink(Path.Combine(StorePath, "x", "c", "9"), _outside.Path);
        // v3: y/c/ replaced by a link to a folder holding a file named like a chunk beyond the shape.
        Directory.CreateSymbolicLink(Path.Combine(StorePath, "y", "c9"), _outside.Path);
        Directory.Move(Path.Combine(StorePath, "y", "c"), Path.Combine(StorePath, "y", "c-real"));
        Directory.CreateSymbolicLink(Path.Combine(StorePath, "y", "c"), _outside.Path);
        File.Copy(Path.Combine(StorePath, "y", "c-real", "0"), _outside.Combine("5")); // would be "y/c/5"
        var planted = Outside();

        using (var store = ZarrStore.OpenExisting(StorePath))
        {
            Assert.DoesNotContain(store.Store.List("x/"), k => k.StartsWith("x/c/9", StringComparison.Ordinal));
            Assert.DoesNotContain(store.Store.List("y/"), k => k.StartsWith("y/c/", StringComparison.Ordinal));
            Assert.Equal([1, 2, 3, 4], store.OpenArray<int>("x").Read());

            var ex = Assert.Throws<UnsafeStoreEntryException>(() => store.OpenArray<int>("y").Read());
            Assert.Equal("y/c", ex.Entry);
            Assert.Contains("symbolic link", ex.Message, StringComparison.Ordinal);

            store.CollectGarbage(); // deletes chunks beyond each shape: never through a link
            Assert.Throws<UnsafeStoreEntryException>(() => store.CreateArray<int>("y", [4], [2], new ArrayOptions { Overwrite = true }).Write([9, 9, 9, 9]));
        }

        AssertOutsideIntact(planted);
    }

    [Fact]
    public void LinkedChunkFile_IsRefusedByName()
    {
        CreateStore();
        string chunk = Path.Combine(StorePath, "x", "c", "1");
        File.Delete(chunk);
        File.CreateSymbolicLink(chunk, _outside.Combine("precious.txt"));

        using var store = ZarrStore.OpenExisting(StorePath);
        var ex = Assert.Throws<UnsafeStoreEntryException>(() => store.OpenArray<int>("x").Read());
        Assert.Equal("x/c/1", ex.Entry);
        Assert.Contains(store.Verify().Problems, p => p.Contains("'x/c/1' is a symbolic link", StringComparison.Ordinal));

        // Writing over it is refused too (the user replaces the link); the file it points to is untouched.
        ex = Assert.Throws<UnsafeStoreEntryException>(() => store.OpenArray<int>("x").Write([0, 0, 0, 0, 0, 0, 0, 0]));
        Assert.Equal("x/c/1", ex.Entry);
        AssertOutsideIntact();
        File.Delete(chunk);
        store.OpenArray<int>("x").Write([0, 0, 0, 0, 0, 0, 0, 0]);
        Assert.Equal(new int[8], store.OpenArray<int>("x").Read());
        AssertOutsideIntact();
    }

    [Theory]
    [InlineData("x/c/1")]
    [InlineData("x/zarr.json")]
    [InlineData("zarr.json")]
    public async Task Fifo_IsRefusedWithoutOpeningIt(string key)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "special files are told apart from regular files on Linux");
        CreateStore();
        string path = Path.Combine(StorePath, key);
        File.Delete(path);
        using (var mk = Process.Start("mkfifo", path))
        {
            mk.WaitForExit();
            Assert.Equal(0, mk.ExitCode);
        }

        // Opening a FIFO for reading blocks until a writer comes: a hang here is the defect.
        var read = Task.Run(() =>
        {
            using var store = ZarrStore.OpenExisting(StorePath);
            _ = store.ListNodes();
            return store.OpenArray<int>("x").Read();
        });
        var finished = await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.True(finished == read, "reading a store with a FIFO hung");
        var ex = Assert.IsType<UnsafeStoreEntryException>(read.Exception?.GetBaseException());
        Assert.Equal(key, ex.Entry);
        Assert.Contains("FIFO", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".chunkcompute")]
    [InlineData(".ChunkCompute")]
    [InlineData("g/.chunkcompute")]
    [InlineData(".ccw-1234.tmp")]
    public void ReservedNames_AreRefusedAsNodePaths(string path)
    {
        CreateStore();
        var logBefore = Directory.EnumerateFileSystemEntries(Meta).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        using var store = ZarrStore.OpenExisting(StorePath);
        var ex = Assert.Throws<ArgumentException>(() => store.CreateArray<int>(path, [4], [2]));
        Assert.Contains("reserves", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => store.OpenArray<int>(path));
        Assert.Equal(logBefore, Directory.EnumerateFileSystemEntries(Meta).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], store.OpenArray<int>("x").Read());
    }

    [Fact]
    public void Readers_NeverWaitForTheCommitLock()
    {
        CreateStore();
        // Another process holds the commit lock (flock on .chunkcompute/lock, as a committing process does).
        using var holder = Process.Start(new ProcessStartInfo("flock", ["-x", Path.Combine(Meta, "lock"), "-c", "echo held; sleep 60"]) { RedirectStandardOutput = true })!;
        try
        {
            Assert.Equal("held", holder.StandardOutput.ReadLine());
            var clock = Stopwatch.StartNew();
            using (var store = ZarrStore.OpenExisting(StorePath, new ZarrStoreOptions { CommitLockTimeout = TimeSpan.FromSeconds(45) }))
            {
                Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], store.OpenArray<int>("x").Read());
                Assert.True(store.Verify().IsSound);
                using var second = ZarrStore.OpenExisting(StorePath);
                Assert.Equal(store.Version, second.Version);
            }

            // Far below the 45 s a reader waiting for the lock would take before failing.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"reading took {clock.Elapsed} while a writer held the lock");
        }
        finally
        {
            holder.Kill(entireProcessTree: true);
            holder.WaitForExit();
        }
    }

    [Fact]
    public void ReadOnlyMount_IsReadable_AndNothingIsCreated()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() && Environment.UserName == "root", "a read-only bind mount needs root on Linux");
        CreateStore();
        using (var s = ZarrStore.OpenExisting(StorePath))
        {
            s.OpenArray<int>("x").Write([5, 5, 5, 5, 5, 5, 5, 5]);
        }

        string mount = _dir.Combine("ro");
        Directory.CreateDirectory(mount);
        Run("mount", "--bind", "-o", "ro", StorePath, mount);
        try
        {
            var before = Snapshot(StorePath);
            using (var store = ZarrStore.OpenExisting(mount))
            {
                Assert.Equal([5, 5, 5, 5, 5, 5, 5, 5], store.OpenArray<int>("x").Read());
                Assert.NotNull(store.Version);
                Assert.True(store.Verify().IsSound, string.Join("; ", store.Verify().Problems));
                var ex = Assert.Throws<UnauthorizedAccessException>(() => store.OpenArray<int>("x").Write(new int[8]));
                Assert.Contains("read-only", ex.Message, StringComparison.Ordinal);
            }

            Assert.Equal(before, Snapshot(StorePath));
        }
        finally
        {
            Run("umount", mount);
        }
    }

    private static string[] Snapshot(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(root, p) + ":" + (File.Exists(p) ? new FileInfo(p).Length + ":" + File.GetLastWriteTimeUtc(p).Ticks : "dir"))
            .Order(StringComparer.Ordinal).ToArray();

    private static void Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)}: {err}");
    }

    [Fact]
    public void AbortedCommitWithoutPreImages_ThenACommit_ReaderStillReadsItsVersion()
    {
        // Issue 13, item 2: a reader pinned at version 2 (every value 1.0) read version 4's values after a commit that
        // failed before all its pre-images were linked, followed by a successful commit.
        var files = new FaultyFiles();
        using var writer = ZarrStore.Open(StorePath, new ZarrStoreOptions { TransactionFiles = files });
        var x = writer.CreateArray<double>("x", [6000], [1000]);
        x.Write(Enumerable.Repeat(1.0, 6000).ToArray());
        using var reader = ZarrStore.OpenExisting(StorePath);
        long pinned = reader.Version!.Value;
        var old = reader.OpenArray<double>("x");

        files.Counting = what => what.StartsWith("link ", StringComparison.Ordinal);
        files.Arm(3); // the third pre-image link fails: two linked, four not
        Assert.ThrowsAny<IOException>(() => writer.Transact(tx => tx.OpenArray<double>("x").Write(Enumerable.Repeat(2.0, 6000).ToArray()), retries: 0));
        Assert.True(files.Fired);
        files.Counting = null;
        files.Arm(-1);

        writer.Refresh();
        writer.OpenArray<double>("x").Write(Enumerable.Repeat(3.0, 6000).ToArray());

        Assert.Equal(6000.0, old.Read().Sum());
        Assert.Equal(6000.0, reader.OpenArray<double>("x").Read().Sum());
        Assert.Equal(pinned, reader.Version);
        using var latest = ZarrStore.OpenExisting(StorePath);
        Assert.Equal(18000.0, latest.OpenArray<double>("x").Read().Sum());
    }
}
