using ChunkCompute.Storage.Stores;
using Xunit;

namespace ChunkCompute.Tests.Storage.Stores;

/// <summary><see cref="MemoryStore"/>'s GetVersion, DeleteIfVersion and CopyIfAbsent: the reference semantics.</summary>
public sealed class MemoryStoreConditionalTests : ConditionalPrimitiveTests
{
    protected override StoreCapabilities ExpectedCapabilities =>
        StoreCapabilities.Writable | StoreCapabilities.Listable | StoreCapabilities.ByteRanges
        | StoreCapabilities.ConditionalCreate | StoreCapabilities.ConditionalUpdate | StoreCapabilities.ConditionalDelete
        | StoreCapabilities.ServerSideCopy;

    protected override IStore CreateStore() => new MemoryStore();

    [Fact]
    public void CopyIfAbsent_GivesTheCopyAVersionOfItsOwn()
    {
        IStore store = new MemoryStore();
        store.Set("s", [1]);
        string source = store.GetVersion("s")!;
        Assert.Equal(CopyOutcome.Copied, store.CopyIfAbsent("s", source, "d"));
        string copy = store.GetVersion("d")!;
        Assert.NotEqual(source, copy);

        // Deleting the copy by its version leaves the source; the source's version still deletes the source.
        Assert.False(store.DeleteIfVersion("d", source));
        Assert.True(store.DeleteIfVersion("d", copy));
        Assert.True(store.DeleteIfVersion("s", source));
        Assert.Equal(0, ((MemoryStore)store).Count);
    }

    [Fact]
    public void BadArguments_AreRefused()
    {
        IStore store = new MemoryStore();
        store.Set("s", [1]);
        Assert.Throws<ArgumentNullException>(() => store.DeleteIfVersion("s", null!));
        Assert.Throws<ArgumentNullException>(() => store.CopyIfAbsent("s", null!, "d"));
        Assert.ThrowsAny<ArgumentException>(() => store.CopyIfAbsent("s", store.GetVersion("s")!, "/bad"));
        Assert.Equal([1], store.Get("s"));
    }
}
