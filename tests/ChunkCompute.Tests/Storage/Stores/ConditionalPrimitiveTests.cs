using ChunkCompute.Storage.Stores;
using Xunit;

namespace ChunkCompute.Tests.Storage.Stores;

/// <summary>
/// The primitives an object-store transaction commits with (issue 19) — <see cref="IStore.GetVersion"/>,
/// <see cref="IStore.DeleteIfVersion"/> and <see cref="IStore.CopyIfAbsent"/>, sync and async — against one store that
/// honours conditional requests. <see cref="MemoryStore"/> is the reference; Azurite runs the same tests.
/// </summary>
public abstract class ConditionalPrimitiveTests
{
    /// <summary>A new, empty store.</summary>
    protected abstract IStore CreateStore();

    /// <summary>The capabilities the store must state.</summary>
    protected abstract StoreCapabilities ExpectedCapabilities { get; }

    [Fact]
    public void Capabilities_AreTheExpectedOnes() => Assert.Equal(ExpectedCapabilities, CreateStore().Capabilities);

    [Fact]
    public async Task GetVersion_IsGetVersionedsVersion_AndChangesOnEveryWrite()
    {
        var store = CreateStore();
        store.Set("a/k", [1, 2, 3]);
        string? first = store.GetVersion("a/k");
        Assert.NotNull(first);
        Assert.Equal(store.GetVersioned("a/k")!.Version, first);
        Assert.Equal(first, await store.GetVersionAsync("a/k"));

        store.Set("a/k", [4]);
        string? second = store.GetVersion("a/k");
        Assert.NotEqual(first, second);
        Assert.Equal(store.GetVersioned("a/k")!.Version, second);

        string? third = store.SetIfVersion("a/k", [5], second!);
        Assert.NotNull(third);
        Assert.Equal(third, store.GetVersion("a/k"));
        Assert.Equal(third, (await store.GetVersionedAsync("a/k"))!.Version);
    }

    [Fact]
    public async Task GetVersion_OfAMissingKey_IsNull()
    {
        var store = CreateStore();
        Assert.Null(store.GetVersion("missing"));
        Assert.Null(await store.GetVersionAsync("a/missing"));
    }

    [Fact]
    public async Task DeleteIfVersion_DeletesOnlyWhileTheVersionMatches()
    {
        var store = CreateStore();
        store.Set("k", [1]);
        string stale = store.GetVersion("k")!;
        store.Set("k", [2]);
        Assert.False(store.DeleteIfVersion("k", stale));
        Assert.False(await store.DeleteIfVersionAsync("k", stale));
        Assert.Equal([2], store.Get("k"));

        Assert.True(store.DeleteIfVersion("k", store.GetVersion("k")!));
        Assert.False(store.Exists("k"));

        store.Set("j", [3]);
        Assert.True(await store.DeleteIfVersionAsync("j", (await store.GetVersionAsync("j"))!));
        Assert.Null(store.Get("j"));
    }

    [Fact]
    public async Task DeleteIfVersion_OfAMissingKey_IsFalse()
    {
        var store = CreateStore();
        store.Set("gone", [1]);
        string version = store.GetVersion("gone")!;
        Assert.True(store.Delete("gone"));
        Assert.False(store.DeleteIfVersion("gone", version));
        Assert.False(await store.DeleteIfVersionAsync("never", version));
        Assert.False(store.Exists("gone"));
    }

    [Fact]
    public async Task CopyIfAbsent_CopiesTheExactBytes()
    {
        var store = CreateStore();
        var value = new byte[300_000];
        new Random(19).NextBytes(value);
        store.Set("src/v", value);
        string version = store.GetVersion("src/v")!;
        Assert.Equal(CopyOutcome.Copied, store.CopyIfAbsent("src/v", version, "pre/v"));
        Assert.Equal(value, store.Get("pre/v"));
        Assert.Equal(value, store.Get("src/v"));
        Assert.Equal(version, store.GetVersion("src/v")); // the source is untouched
        Assert.Equal(store.GetVersioned("pre/v")!.Version, store.GetVersion("pre/v"));

        store.Set("empty", []);
        Assert.Equal(CopyOutcome.Copied, await store.CopyIfAbsentAsync("empty", store.GetVersion("empty")!, "pre/empty"));
        Assert.Equal(Array.Empty<byte>(), store.Get("pre/empty"));
    }

    [Fact]
    public async Task CopyIfAbsent_WithAStaleSourceVersion_CopiesNothing()
    {
        var store = CreateStore();
        store.Set("s", [1]);
        string stale = store.GetVersion("s")!;
        store.Set("s", [2]);
        Assert.Equal(CopyOutcome.SourceChanged, store.CopyIfAbsent("s", stale, "d"));
        Assert.Equal(CopyOutcome.SourceChanged, await store.CopyIfAbsentAsync("s", stale, "d"));
        Assert.False(store.Exists("d"));
        Assert.Equal([2], store.Get("s"));
    }

    [Fact]
    public async Task CopyIfAbsent_OntoAnExistingKey_LeavesItUnchanged()
    {
        var store = CreateStore();
        store.Set("s", [1, 1]);
        store.Set("d", [9]);
        string destination = store.GetVersion("d")!;
        string source = store.GetVersion("s")!;
        Assert.Equal(CopyOutcome.DestinationExists, store.CopyIfAbsent("s", source, "d"));
        Assert.Equal(CopyOutcome.DestinationExists, await store.CopyIfAbsentAsync("s", source, "d"));
        Assert.Equal([9], store.Get("d"));
        Assert.Equal(destination, store.GetVersion("d"));
    }

    [Fact]
    public async Task CopyIfAbsent_OfAMissingSource_IsSourceChanged()
    {
        var store = CreateStore();
        store.Set("s", [1]);
        string version = store.GetVersion("s")!;
        Assert.True(store.Delete("s"));
        Assert.Equal(CopyOutcome.SourceChanged, store.CopyIfAbsent("s", version, "d"));
        Assert.Equal(CopyOutcome.SourceChanged, await store.CopyIfAbsentAsync("never", version, "d"));
        Assert.False(store.Exists("d"));
    }

    [Fact]
    public async Task DeleteIfVersion_Racing_ExactlyOneDeletes()
    {
        var store = CreateStore();
        for (int round = 0; round < 3; round++)
        {
            store.Set("race", [(byte)round]);
            string version = store.GetVersion("race")!;
            var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
                i % 2 == 0 ? store.DeleteIfVersion("race", version) : await store.DeleteIfVersionAsync("race", version))));
            Assert.Equal(1, results.Count(r => r));
            Assert.False(store.Exists("race"));
        }
    }

    [Fact]
    public async Task CopyIfAbsent_Racing_ExactlyOneCopies()
    {
        var store = CreateStore();
        for (int round = 0; round < 3; round++)
        {
            var sources = Enumerable.Range(0, 8).Select(i => $"src/{round}/{i}").ToArray();
            for (int i = 0; i < sources.Length; i++)
            {
                store.Set(sources[i], Enumerable.Repeat((byte)i, 1000 + i).ToArray());
            }

            var versions = sources.Select(s => store.GetVersion(s)!).ToArray();
            string destination = $"pre/{round}";
            var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
                i % 2 == 0 ? store.CopyIfAbsent(sources[i], versions[i], destination) : await store.CopyIfAbsentAsync(sources[i], versions[i], destination))));
            Assert.Equal(1, results.Count(r => r == CopyOutcome.Copied));
            Assert.Equal(7, results.Count(r => r == CopyOutcome.DestinationExists));
            int winner = Array.IndexOf(results, CopyOutcome.Copied);
            Assert.Equal(store.Get(sources[winner]), store.Get(destination));
        }
    }

    [Fact]
    public async Task DeleteAndCopy_RacingOnOneSource_NeverCopyADeletedVersionAfterItsDeletion()
    {
        // The transaction's pattern: keep a pre-image of a value, then delete that version. Whatever the interleaving,
        // one delete wins, and every copy that succeeded holds the value it was asked to keep.
        var store = CreateStore();
        store.Set("v", [7, 7, 7]);
        string version = store.GetVersion("v")!;
        var tasks = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
            i % 2 == 0 ? (object)await store.DeleteIfVersionAsync("v", version) : await store.CopyIfAbsentAsync("v", version, $"pre/{i}"))).ToArray();
        var results = await Task.WhenAll(tasks);
        Assert.Equal(1, results.OfType<bool>().Count(r => r));
        Assert.False(store.Exists("v"));
        for (int i = 1; i < 8; i += 2)
        {
            var outcome = (CopyOutcome)results[i];
            Assert.True(outcome is CopyOutcome.Copied or CopyOutcome.SourceChanged, $"copy {i}: {outcome}");
            byte[]? expected = outcome == CopyOutcome.Copied ? [7, 7, 7] : null;
            Assert.Equal(expected, store.Get($"pre/{i}"));
        }
    }
}
