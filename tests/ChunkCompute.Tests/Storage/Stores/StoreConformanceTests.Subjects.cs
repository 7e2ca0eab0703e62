using System.Buffers;
using System.Collections.Concurrent;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Stores;
using ChunkCompute.Storage.Transactions;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Storage.Stores;

public sealed class MemoryStoreTests : StoreConformanceTests
{
    protected override StoreCapabilities ExpectedCapabilities =>
        StoreCapabilities.Writable | StoreCapabilities.Listable | StoreCapabilities.ByteRanges
        | StoreCapabilities.ConditionalCreate | StoreCapabilities.ConditionalUpdate | StoreCapabilities.ConditionalDelete
        | StoreCapabilities.ServerSideCopy;

    protected override IStore CreateStore(IReadOnlyDictionary<string, byte[]> contents) => Filled(new MemoryStore(), contents);

    [Fact]
    public void AsyncWrappers_AllocateNothingBeyondTheSyncCall()
    {
        IStore store = new MemoryStore();
        store.Set("k", [1, 2, 3]);
        for (int i = 0; i < 10; i++) // warm up (JIT, static lambdas)
        {
            _ = Completed(store.ExistsAsync("k"));
            _ = Completed(store.GetSizeAsync("k"));
            Completed(store.GetRangePooledAsync("k", ByteRange.Of(1, 1)))!.Dispose();
            store.GetRangePooled("k", ByteRange.Of(1, 1))!.Dispose();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            _ = Completed(store.ExistsAsync("k"));
            _ = Completed(store.GetSizeAsync("k"));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        // A range read allocates its result holder, and the async form nothing more.
        before = GC.GetAllocatedBytesForCurrentThread();
        store.GetRangePooled("k", ByteRange.Of(1, 1))!.Dispose();
        long sync = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        Completed(store.GetRangePooledAsync("k", ByteRange.Of(1, 1)))!.Dispose();
        Assert.Equal(sync, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    internal static IStore Filled(IStore store, IReadOnlyDictionary<string, byte[]> contents)
    {
        foreach (var (key, value) in contents)
        {
            store.Set(key, value);
        }

        return store;
    }
}

public sealed class DirectoryStoreTests : StoreConformanceTests
{
    private readonly TempDirectory _dir = new("cc-store");
    private int _stores;

    protected override StoreCapabilities ExpectedCapabilities =>
        StoreCapabilities.Writable | StoreCapabilities.Listable | StoreCapabilities.ByteRanges
        | StoreCapabilities.AtomicRename | StoreCapabilities.ConditionalCreate;

    protected override IStore CreateStore(IReadOnlyDictionary<string, byte[]> contents) =>
        MemoryStoreTests.Filled(new DirectoryStore(_dir.Combine("s" + Interlocked.Increment(ref _stores))), contents);

    [Fact]
    public void Set_LeavesNoTemporaryFiles()
    {
        var store = new DirectoryStore(_dir.Combine("t"));
        for (int i = 0; i < 20; i++)
        {
            store.Set("x/c/" + i, new byte[100]);
            Assert.Equal(i == 0, ((IStore)store).SetIfAbsent("y/0", new byte[1]));
        }

        Assert.Equal(21, Directory.GetFiles(store.Root, "*", SearchOption.AllDirectories).Length); // 20 chunks and y/0
        Assert.Equal(Path.Combine(store.Root, "x", "c", "3"), store.PathOf("x/c/3"));
    }

    [Fact]
    public void SetIfAbsent_OnAFolder_ThrowsAndOverALinkIsRefused()
    {
        IStore store = new DirectoryStore(_dir.Combine("f"));
        store.Set("g/a", [1]);
        Assert.ThrowsAny<IOException>(() => store.SetIfAbsent("g", [1])); // a folder (an implicit group), not a value
        File.CreateSymbolicLink(_dir.Combine("f", "link"), _dir.Combine("elsewhere"));
        Assert.False(store.SetIfAbsent("link", [1])); // the name exists; the link is neither followed nor replaced
        Assert.False(File.Exists(_dir.Combine("elsewhere")));
        Assert.Empty(Directory.GetFiles(_dir.Combine("f"), ".ccw-*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Constructor_MissingDirectoryWithoutCreate_Throws()
    {
        Assert.Throws<DirectoryNotFoundException>(() => new DirectoryStore(_dir.Combine("none"), createIfMissing: false));
    }

    public override void Dispose()
    {
        _dir.Dispose();
        base.Dispose();
    }
}

/// <summary>A committed version of a transactional directory store: read-only.</summary>
public sealed class SnapshotViewStoreTests : StoreConformanceTests
{
    private readonly TempDirectory _dir = new("cc-snapshot");
    private readonly ConcurrentBag<VersionedDirectory> _logs = [];
    private int _stores;

    protected override StoreCapabilities ExpectedCapabilities => StoreCapabilities.Listable | StoreCapabilities.ByteRanges;

    protected override IStore CreateStore(IReadOnlyDictionary<string, byte[]> contents)
    {
        var log = VersionedDirectory.TryOpen(new DirectoryStore(_dir.Combine("s" + Interlocked.Increment(ref _stores))), create: true)!;
        _logs.Add(log);
        var tx = new TransactionView(log.OpenLatest());
        MemoryStoreTests.Filled(tx, contents);
        var view = tx.Commit(CancellationToken.None);
        return view;
    }

    public override void Dispose()
    {
        foreach (var log in _logs)
        {
            log.Dispose();
        }

        _dir.Dispose();
        base.Dispose();
    }
}

/// <summary>
/// A transaction's view: half of the contents committed before it began, half staged in it, so every read merges the
/// two.
/// </summary>
public sealed class TransactionViewStoreTests : StoreConformanceTests
{
    private readonly TempDirectory _dir = new("cc-txview");
    private readonly ConcurrentBag<VersionedDirectory> _logs = [];
    private readonly ConcurrentBag<TransactionView> _open = [];
    private int _stores;

    protected override StoreCapabilities ExpectedCapabilities =>
        StoreCapabilities.Writable | StoreCapabilities.Listable | StoreCapabilities.ByteRanges;

    protected override IStore CreateStore(IReadOnlyDictionary<string, byte[]> contents)
    {
        var log = VersionedDirectory.TryOpen(new DirectoryStore(_dir.Combine("s" + Interlocked.Increment(ref _stores))), create: true)!;
        _logs.Add(log);
        var ordered = contents.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        var first = new TransactionView(log.OpenLatest());
        MemoryStoreTests.Filled(first, ordered.Where((_, i) => i % 2 == 0).ToDictionary());
        var tx = new TransactionView(first.Commit(CancellationToken.None));
        _open.Add(tx);
        return MemoryStoreTests.Filled(tx, ordered.Where((_, i) => i % 2 == 1).ToDictionary());
    }

    public override void Dispose()
    {
        foreach (var tx in _open)
        {
            tx.Abort();
        }

        foreach (var log in _logs)
        {
            log.Dispose();
        }

        _dir.Dispose();
        base.Dispose();
    }
}

/// <summary>
/// A store implementing only the required core (no optional member, not even <see cref="IStore.Capabilities"/>): every
/// default — ranges sliced from whole values, async wrappers, paging, directory listing, refused conditional writes —
/// is what runs.
/// </summary>
public sealed class CoreOnlyStoreTests : StoreConformanceTests
{
    protected override StoreCapabilities ExpectedCapabilities => StoreCapabilities.Writable | StoreCapabilities.Listable;

    protected override IStore CreateStore(IReadOnlyDictionary<string, byte[]> contents) => MemoryStoreTests.Filled(new CoreOnlyStore(), contents);

    [Fact]
    public void ZarrStore_OverAStoreThatIsNotWritable_IsReadOnly()
    {
        using var writable = new ZarrStore(new CoreOnlyStore());
        Assert.False(writable.IsReadOnly);
        using var readOnly = new ZarrStore(new ReadOnlyCoreStore());
        Assert.True(readOnly.IsReadOnly);
    }

    private class CoreOnlyStore : IStore
    {
        private readonly ConcurrentDictionary<string, byte[]> _values = new(StringComparer.Ordinal);

        public string Name => "core-only";

        public IMemoryOwner<byte>? GetPooled(string key) =>
            _values.TryGetValue(key, out var v) ? new Owned(v.ToArray()) : null;

        public void Set(string key, ReadOnlySpan<byte> value)
        {
            StoreKeys.Validate(key);
            _values[key] = value.ToArray();
        }

        public bool Delete(string key) => _values.TryRemove(key, out _);

        public long? GetSize(string key) => _values.TryGetValue(key, out var v) ? v.Length : null;

        public IEnumerable<string> List(string prefix) => _values.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToArray();

        private sealed class Owned(byte[] value) : IMemoryOwner<byte>
        {
            public Memory<byte> Memory => value;

            public void Dispose()
            {
            }
        }
    }

    private sealed class ReadOnlyCoreStore : CoreOnlyStore, IStore
    {
        StoreCapabilities IStore.Capabilities => StoreCapabilities.Listable;
    }
}
