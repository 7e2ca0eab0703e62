using System.Collections.Concurrent;
using System.Text;
using ChunkCompute.Storage.Stores;
using Xunit;

namespace ChunkCompute.Tests.Storage.Stores;

/// <summary>
/// What every <see cref="IStore"/> must do (zarr-python's StoreTests); one subclass per store. Stores are created
/// holding given contents, so read-only stores (a snapshot) run every read test; write tests run where
/// <see cref="StoreCapabilities.Writable"/> is stated, conditional tests where those capabilities are, and the
/// refusal tests where they are not.
/// </summary>
public abstract class StoreConformanceTests : IDisposable
{
    private static readonly byte[] Hundred = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();

    /// <summary>A new store holding exactly <paramref name="contents"/>.</summary>
    protected abstract IStore CreateStore(IReadOnlyDictionary<string, byte[]> contents);

    /// <summary>The capabilities this store must state (independently of what it says).</summary>
    protected abstract StoreCapabilities ExpectedCapabilities { get; }

    /// <summary>
    /// Why the test server behind this store cannot show atomic replacement (an emulator that writes objects in place),
    /// or null: the torn-read test is then skipped with that reason instead of testing the emulator.
    /// </summary>
    protected virtual string? NonAtomicTestServer => null;

    /// <summary>True for stores whose values are on this machine (async reads then complete synchronously).</summary>
    protected virtual bool IsLocal => true;

    protected IStore CreateStore() => CreateStore(new Dictionary<string, byte[]>());

    public virtual void Dispose() => GC.SuppressFinalize(this);

    private static bool Has(IStore store, StoreCapabilities c) => (store.Capabilities & c) == c;

    private IStore Writable(IReadOnlyDictionary<string, byte[]>? contents = null)
    {
        var store = CreateStore(contents ?? new Dictionary<string, byte[]>());
        Assert.SkipUnless(Has(store, StoreCapabilities.Writable), "the store is read-only");
        return store;
    }

    [Fact]
    public void Capabilities_AreTheExpectedOnes() => Assert.Equal(ExpectedCapabilities, CreateStore().Capabilities);

    [Fact]
    public async Task Reads_SyncAndAsync_ReturnTheValueAndNullWhenMissing()
    {
        var store = CreateStore(new Dictionary<string, byte[]> { ["a/b"] = [1, 2, 3], ["empty"] = [] });
        Assert.Null(store.Get("a/x"));
        Assert.Null(store.GetPooled("a/x"));
        Assert.False(store.Exists("a/x"));
        Assert.Null(store.GetSize("a/x"));
        Assert.Equal([1, 2, 3], store.Get("a/b"));
        using (var pooled = store.GetPooled("a/b"))
        {
            Assert.Equal([1, 2, 3], pooled!.Memory.ToArray());
        }

        Assert.True(store.Exists("a/b"));
        Assert.Equal(3, store.GetSize("a/b"));
        Assert.Empty(store.Get("empty")!);
        Assert.Equal(0, store.GetSize("empty"));

        Assert.Equal([1, 2, 3], await store.GetAsync("a/b"));
        using (var pooled = await store.GetPooledAsync("a/b"))
        {
            Assert.Equal([1, 2, 3], pooled!.Memory.ToArray());
        }

        Assert.True(await store.ExistsAsync("a/b"));
        Assert.Equal(3, await store.GetSizeAsync("a/b"));
        Assert.Null(await store.GetAsync("a/x"));
        Assert.Null(await store.GetPooledAsync("a/x"));
        Assert.False(await store.ExistsAsync("a/x"));
        Assert.Null(await store.GetSizeAsync("a/x"));
        Assert.Null(await store.GetRangePooledAsync("a/x", ByteRange.Of(0, 1)));
        Assert.Null(store.GetRange("a/x", ByteRange.Last(1)));
    }

    [Fact]
    public async Task AsyncMembers_CancelledToken_AreCancelled()
    {
        var store = CreateStore(new Dictionary<string, byte[]> { ["k"] = [1] });
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.GetAsync("k", cts.Token).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.GetRangePooledAsync("k", ByteRange.Of(0, 1), cts.Token).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.ListPageAsync("", null, 10, cts.Token).AsTask());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in store.ListAsync("", cts.Token))
            {
            }
        });
    }

    [Fact]
    public void AsyncReads_OfALocalStore_CompleteSynchronously()
    {
        // A local store's async members run the sync path and hand back a completed ValueTask (no task, no thread hop
        // per chunk). Remote stores (HTTP, object stores) really wait.
        Assert.SkipUnless(IsLocal, "the store is remote");
        var store = CreateStore(new Dictionary<string, byte[]> { ["k"] = [7, 8, 9] });
        using (var owner = Completed(store.GetPooledAsync("k")))
        {
            Assert.Equal([7, 8, 9], owner!.Memory.ToArray());
        }

        Completed(store.GetRangePooledAsync("k", ByteRange.Last(1)))!.Dispose();
        Assert.True(Completed(store.ExistsAsync("k")));
        Assert.Equal(3, Completed(store.GetSizeAsync("k")));
    }

    // Expected slices of the 100-byte value 0..99, worked out by hand (S3 semantics: clamp at the end).
    [Theory]
    [InlineData("of", 10, 20, 10, 20)]
    [InlineData("of", 0, 100, 0, 100)]
    [InlineData("of", 90, 50, 90, 10)] // runs past the end: clamped
    [InlineData("of", 100, 5, 100, 0)] // starts exactly at the end: empty
    [InlineData("of", 42, 0, 42, 0)]
    [InlineData("from", 95, 0, 95, 5)]
    [InlineData("from", 0, 0, 0, 100)]
    [InlineData("last", 0, 7, 93, 7)]
    [InlineData("last", 0, 500, 0, 100)] // longer than the value: all of it
    [InlineData("last", 0, 0, 100, 0)]
    public async Task Ranges_SyncAndAsync_AreTheExpectedSlice(string kind, long offset, long length, int expectedStart, int expectedLength)
    {
        var store = CreateStore(new Dictionary<string, byte[]> { ["v"] = Hundred });
        var range = kind switch
        {
            "of" => ByteRange.Of(offset, length),
            "from" => ByteRange.From(offset),
            _ => ByteRange.Last(length),
        };
        var expected = Hundred.AsSpan(expectedStart, expectedLength).ToArray();
        Assert.Equal(expected, store.GetRange("v", range));
        using (var pooled = store.GetRangePooled("v", range))
        {
            Assert.Equal(expected, pooled!.Memory.ToArray());
        }

        using var pooledAsync = await store.GetRangePooledAsync("v", range);
        Assert.Equal(expected, pooledAsync!.Memory.ToArray());
    }

    [Fact]
    public async Task Ranges_StartingPastTheEnd_AreRefusedNamingKeyAndLength()
    {
        var store = CreateStore(new Dictionary<string, byte[]> { ["v"] = Hundred, ["e"] = [] });
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => store.GetRange("v", ByteRange.Of(101, 1)));
        Assert.Contains("'v'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("100 bytes long", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => store.GetRangePooled("e", ByteRange.From(1)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.GetRangePooledAsync("v", ByteRange.From(1000)).AsTask());
        Assert.Empty(store.GetRange("e", ByteRange.Last(10))!);
    }

    [Fact]
    public async Task List_ByPrefix_SyncAndAsync_ReturnExactlyMatchingKeys()
    {
        var keys = new[] { "a/zarr.json", "a/c/0/0", "a/c/0/1", "ab/zarr.json", "b/.zarray" };
        var store = CreateStore(keys.ToDictionary(k => k, _ => new byte[] { 0 }));
        Assert.SkipUnless(Has(store, StoreCapabilities.Listable), "the store cannot list");
        Assert.Equal(["a/c/0/0", "a/c/0/1", "a/zarr.json"], store.List("a/").Order(StringComparer.Ordinal));
        Assert.Equal(["a/c/0/0", "a/c/0/1", "a/zarr.json", "ab/zarr.json"], store.List("a").Order(StringComparer.Ordinal));
        Assert.Equal(keys.Order(StringComparer.Ordinal), store.List(string.Empty).Order(StringComparer.Ordinal));
        Assert.Equal(["a", "ab", "b"], store.ListDirectory(string.Empty).Order(StringComparer.Ordinal));
        Assert.Equal(["c", "zarr.json"], store.ListDirectory("a").Order(StringComparer.Ordinal));
        Assert.Equal(["c", "zarr.json"], store.ListDirectory("a/").Order(StringComparer.Ordinal));
        Assert.Equal(["0"], store.ListDirectory("a/c"));
        Assert.Empty(store.ListDirectory("nothing"));
        Assert.Empty(store.List("nothing"));

        Assert.Equal(["a/c/0/0", "a/c/0/1", "a/zarr.json"], (await ToListAsync(store.ListAsync("a/"))).Order(StringComparer.Ordinal));
        Assert.Equal(["c", "zarr.json"], (await ToListAsync(store.ListDirectoryAsync("a"))).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void List_WhenNotListable_IsRefusedNamingTheStore()
    {
        var store = CreateStore(new Dictionary<string, byte[]> { ["a/k"] = [1] });
        Assert.SkipWhen(Has(store, StoreCapabilities.Listable), "the store lists");
        var ex = Assert.Throws<NotSupportedException>(() => store.List("a/").ToList());
        Assert.Contains(store.Name, ex.Message, StringComparison.Ordinal);
        Assert.Equal([1], store.Get("a/k")); // reads by key still work
    }

    [Fact]
    public async Task ListPageAsync_PagesCoverThePrefixOnceInOrdinalOrder()
    {
        var contents = Enumerable.Range(0, 25).ToDictionary(i => $"p/{i}", i => new byte[] { (byte)i });
        contents["q/0"] = [0];
        contents["P/0"] = [0]; // ordinal: upper case sorts first and is another prefix
        var store = CreateStore(contents);
        Assert.SkipUnless(Has(store, StoreCapabilities.Listable), "the store cannot list");
        var expected = Enumerable.Range(0, 25).Select(i => $"p/{i}").Order(StringComparer.Ordinal).ToList();

        var seen = new List<string>();
        string? token = null;
        int pages = 0;
        do
        {
            var page = await store.ListPageAsync("p/", token, maxKeys: 7);
            Assert.InRange(page.Keys.Count, 1, 7);
            seen.AddRange(page.Keys);
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null);

        Assert.Equal(4, pages); // 7 + 7 + 7 + 4
        Assert.Equal(expected, seen);
        var all = await store.ListPageAsync("", null);
        Assert.Null(all.ContinuationToken);
        Assert.Equal(contents.Keys.Order(StringComparer.Ordinal), all.Keys);
        Assert.Empty((await store.ListPageAsync("none/", null)).Keys);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => store.ListPageAsync("p/", null, 0).AsTask());
    }

    [Fact]
    public async Task Writes_SyncAndAsync_ReplaceAndDelete()
    {
        var store = Writable();
        store.Set("a/b", [1, 2, 3]);
        store.Set("a/b", [9]);
        Assert.Equal([9], store.Get("a/b"));
        await store.SetAsync("a/c", new byte[] { 4, 5 });
        Assert.Equal([4, 5], store.Get("a/c"));
        Assert.Equal([5], store.GetRange("a/c", ByteRange.Last(1)));
        store.Set("x/0", [1]);
        Assert.True(store.Delete("x/0"));
        Assert.False(store.Delete("x/0"));
        Assert.Null(store.Get("x/0"));
        Assert.True(await store.DeleteAsync("a/c"));
        Assert.False(await store.DeleteAsync("a/c"));
        Assert.Equal(["a/b"], store.List(""));
        store.Set("empty", []);
        Assert.Empty(store.Get("empty")!);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/abs")]
    [InlineData("a/../b")]
    [InlineData("a//b")]
    [InlineData("./a")]
    public async Task Set_InvalidKey_Throws(string key)
    {
        var store = Writable();
        Assert.ThrowsAny<ArgumentException>(() => store.Set(key, [1]));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.SetAsync(key, new byte[] { 1 }).AsTask());
    }

    [Fact]
    public async Task Writes_WhenNotWritable_AreRefused()
    {
        var store = CreateStore(new Dictionary<string, byte[]> { ["k"] = [1] });
        Assert.SkipWhen(Has(store, StoreCapabilities.Writable), "the store is writable");
        var ex = Assert.Throws<NotSupportedException>(() => store.Set("k", [2]));
        Assert.Contains("'k'", ex.Message, StringComparison.Ordinal);
        Assert.Throws<NotSupportedException>(() => store.Delete("k"));
        await Assert.ThrowsAsync<NotSupportedException>(() => store.SetAsync("k", new byte[] { 2 }).AsTask());
        Assert.Equal([1], store.Get("k"));
    }

    [Fact]
    public async Task Set_ConcurrentWithGet_ReadersNeverSeeTornValues()
    {
        Assert.SkipWhen(NonAtomicTestServer is not null, NonAtomicTestServer ?? string.Empty);
        var store = Writable();
        var a = Enumerable.Repeat((byte)1, 1 << 16).ToArray();
        var b = Enumerable.Repeat((byte)2, 1 << 15).ToArray();
        store.Set("k", a);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var writer = Task.Run(() =>
        {
            for (int i = 0; i < 200 && !cts.IsCancellationRequested; i++)
            {
                store.Set("k", i % 2 == 0 ? b : a);
            }
        });
        while (!writer.IsCompleted)
        {
            var v = store.Get("k")!;
            Assert.True(v.SequenceEqual(a) || v.SequenceEqual(b), $"torn read of {v.Length} bytes");
            var tail = store.GetRange("k", ByteRange.Last(10))!;
            Assert.True(tail.All(x => x == 1) || tail.All(x => x == 2), "torn range read");
        }

        await writer;
    }

    [Fact]
    public async Task ListPageAsync_WhileKeysComeAndGo_ListsStableKeysExactlyOnce()
    {
        var stable = Enumerable.Range(0, 40).Select(i => $"s/{i:D2}").ToList();
        var store = Writable(stable.ToDictionary(k => k, _ => new byte[] { 1 }));
        using var stop = new CancellationTokenSource();
        var churn = Task.Run(() =>
        {
            for (int i = 0; !stop.IsCancellationRequested && i < 10_000; i++)
            {
                store.Set($"s/{i % 50:D2}x", [2]);
                store.Delete($"s/{(i + 25) % 50:D2}x");
            }
        });
        for (int round = 0; round < 5; round++)
        {
            var seen = new List<string>();
            string? token = null;
            do
            {
                var page = await store.ListPageAsync("s/", token, maxKeys: 6);
                seen.AddRange(page.Keys);
                token = page.ContinuationToken;
            }
            while (token is not null);

            Assert.Equal(stable, seen.Where(k => !k.EndsWith('x')).ToList());
            Assert.Equal(seen.Count, seen.Distinct(StringComparer.Ordinal).Count());
        }

        await stop.CancelAsync();
        await churn;
    }

    [Fact]
    public async Task SetIfAbsent_CreatesOnlyWhenAbsent()
    {
        var store = Writable();
        Assert.SkipUnless(Has(store, StoreCapabilities.ConditionalCreate), "the store does not offer ConditionalCreate");
        Assert.True(store.SetIfAbsent("log/1", [1]));
        Assert.False(store.SetIfAbsent("log/1", [2]));
        Assert.Equal([1], store.Get("log/1"));
        Assert.False(await store.SetIfAbsentAsync("log/1", new byte[] { 3 }));
        Assert.True(await store.SetIfAbsentAsync("log/2", new byte[] { 4 }));
        Assert.Equal([4], store.Get("log/2"));
        Assert.True(store.Delete("log/1"));
        Assert.True(store.SetIfAbsent("log/1", [5]));
        Assert.Equal([5], store.Get("log/1"));
        Assert.ThrowsAny<ArgumentException>(() => store.SetIfAbsent("../x", [1]));
    }

    [Fact]
    public void SetIfAbsent_ConcurrentWriters_ExactlyOneWinsAndItsValueIsStored()
    {
        var store = Writable();
        Assert.SkipUnless(Has(store, StoreCapabilities.ConditionalCreate), "the store does not offer ConditionalCreate");
        for (int round = 0; round < 20; round++)
        {
            string key = $"commit/{round}";
            var winners = new ConcurrentBag<int>();
            Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, w =>
            {
                var value = Enumerable.Repeat((byte)w, 4096).ToArray();
                if (store.SetIfAbsent(key, value))
                {
                    winners.Add(w);
                }
            });
            int winner = Assert.Single(winners);
            Assert.Equal(Enumerable.Repeat((byte)winner, 4096), store.Get(key)!);
        }

        Assert.Equal(20, store.List("commit/").Count());
    }

    [Fact]
    public async Task SetIfVersion_SwapsOnlyTheVersionRead()
    {
        var store = Writable();
        Assert.SkipUnless(Has(store, StoreCapabilities.ConditionalUpdate), "the store does not offer ConditionalUpdate");
        Assert.Null(store.GetVersioned("head"));
        Assert.Null(store.SetIfVersion("head", [1], "anything")); // missing: nothing to swap
        Assert.Null(store.Get("head"));
        store.Set("head", [1]);
        var v1 = store.GetVersioned("head")!;
        Assert.Equal([1], v1.Value.ToArray());
        string? v2 = store.SetIfVersion("head", [2], v1.Version);
        Assert.NotNull(v2);
        Assert.NotEqual(v1.Version, v2);
        Assert.Null(store.SetIfVersion("head", [3], v1.Version)); // stale
        Assert.Equal([2], store.Get("head"));
        var read = await store.GetVersionedAsync("head");
        Assert.Equal(v2, read!.Version);
        string? v3 = await store.SetIfVersionAsync("head", new byte[] { 4 }, v2);
        Assert.NotNull(v3);
        store.Set("head", [5]); // an unconditional write changes the version too
        Assert.Null(store.SetIfVersion("head", [6], v3));
        Assert.Equal([5], store.Get("head"));
    }

    [Fact]
    public async Task SetIfVersion_ConcurrentIncrements_LoseNoUpdate()
    {
        var store = Writable();
        Assert.SkipUnless(Has(store, StoreCapabilities.ConditionalUpdate), "the store does not offer ConditionalUpdate");
        store.Set("counter", Encoding.ASCII.GetBytes("0"));
        const int Workers = 4, Increments = 50;
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < Increments; i++)
            {
                while (true)
                {
                    var current = store.GetVersioned("counter")!;
                    int n = int.Parse(Encoding.ASCII.GetString(current.Value.Span), System.Globalization.CultureInfo.InvariantCulture);
                    if (store.SetIfVersion("counter", Encoding.ASCII.GetBytes((n + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)), current.Version) is not null)
                    {
                        break;
                    }
                }
            }
        })));
        Assert.Equal("200", Encoding.ASCII.GetString(store.Get("counter")!));
    }

    [Fact]
    public async Task ConditionalOperations_WhenNotOffered_ThrowNamingTheCapability()
    {
        var store = CreateStore(new Dictionary<string, byte[]> { ["k"] = [1] });
        bool create = Has(store, StoreCapabilities.ConditionalCreate), update = Has(store, StoreCapabilities.ConditionalUpdate);
        Assert.SkipWhen(create && update, "the store offers both conditional operations");
        if (!create)
        {
            var ex = Assert.Throws<NotSupportedException>(() => store.SetIfAbsent("n", [1]));
            Assert.Contains("ConditionalCreate", ex.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<NotSupportedException>(() => store.SetIfAbsentAsync("n", new byte[] { 1 }).AsTask());
            Assert.False(store.Exists("n"));
        }

        if (!update)
        {
            var ex = Assert.Throws<NotSupportedException>(() => store.GetVersioned("k"));
            Assert.Contains("ConditionalUpdate", ex.Message, StringComparison.Ordinal);
            Assert.Throws<NotSupportedException>(() => store.SetIfVersion("k", [2], "1"));
            await Assert.ThrowsAsync<NotSupportedException>(() => store.SetIfVersionAsync("k", new byte[] { 2 }, "1").AsTask());
            Assert.Equal([1], store.Get("k"));
        }
    }

    [Fact]
    public void Reads_InParallel_AllSeeTheirOwnValues()
    {
        var contents = Enumerable.Range(0, 64).ToDictionary(i => $"c/{i}", i => Enumerable.Repeat((byte)i, 1000 + i).ToArray());
        var store = CreateStore(contents);
        Parallel.For(0, 256, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            int k = i % 64;
            using var range = store.GetRangePooled($"c/{k}", ByteRange.Of(500, 10))!;
            Assert.True(range.Memory.Span.IndexOfAnyExcept((byte)k) < 0);
            Assert.Equal(1000 + k, store.Get($"c/{k}")!.Length);
        });
    }

    /// <summary>The result of a ValueTask that must already have completed (never blocks).</summary>
    internal static T Completed<T>(ValueTask<T> task)
    {
        Assert.True(task.IsCompletedSuccessfully, "the async call did not complete synchronously");
        return task.GetAwaiter().GetResult();
    }

    private static async Task<List<string>> ToListAsync(IAsyncEnumerable<string> items)
    {
        var list = new List<string>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
