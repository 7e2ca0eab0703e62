using System.Text;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Stores;
using Xunit;

namespace ChunkCompute.Tests.Storage.Transactions.ObjectStores;

/// <summary>
/// An object store's log is someone else's data: a record that would publish onto the log's own keys, or move values
/// from outside the staging area, or is not a record at all, is refused with an error naming it (by writers and by
/// snapshot readers, which cannot tell what it changes), and nothing is published from it; a head that is not a number
/// is refused naming it.
/// </summary>
public sealed class ObjectLogHostileTests
{
    private static MemoryStore StoreWithOneCommit()
    {
        var inner = new MemoryStore();
        using var s = ZarrStore.Open(inner);
        s.Transact(tx => tx.CreateArray<int>("x", [4], [4]).Write([1, 2, 3, 4]));
        return inner;
    }

    [Theory]
    [InlineData("{\"number\":2,\"base\":1,\"transaction\":\"t\",\"time\":\"2026-12-05T00:00:00Z\",\"lease_until\":\"2000-01-01T00:00:00Z\",\"entries\":[{\"key\":\".chunkcompute/head\",\"before\":null,\"staged\":\".chunkcompute/staging/a/x~\"}]}")]
    [InlineData("{\"number\":2,\"base\":1,\"transaction\":\"t\",\"time\":\"2026-12-05T00:00:00Z\",\"lease_until\":\"2000-01-01T00:00:00Z\",\"entries\":[{\"key\":\"x/c/0\",\"before\":null,\"staged\":\"x/zarr.json\"}]}")]
    [InlineData("{\"number\":2,\"base\":1,\"transaction\":\"t\",\"time\":\"2026-12-05T00:00:00Z\",\"lease_until\":\"2000-01-01T00:00:00Z\",\"entries\":[{\"key\":\"../outside\",\"before\":null,\"staged\":null}]}")]
    [InlineData("{\"number\":7,\"base\":1,\"entries\":[]}")]
    [InlineData("not json")]
    public void AHostileRecord_IsRefusedNamingIt_AndNothingIsPublished(string record)
    {
        var inner = StoreWithOneCommit();
        byte[] before = inner.Get("x/c/0")!;
        inner.Set(".chunkcompute/log/00000000000000000002", Encoding.UTF8.GetBytes(record));

        using var s = ZarrStore.Open(inner);
        var ex = Assert.Throws<InvalidMetadataException>(() => s.Transact(tx => tx.OpenArray<int>("x").Write([9, 9, 9, 9])));
        Assert.Contains(".chunkcompute/log/00000000000000000002", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, inner.Get("x/c/0"));
        Assert.Equal("1", Encoding.UTF8.GetString(inner.Get(".chunkcompute/head")!));

        // A snapshot reader cannot tell what the record changes, so it refuses too (never guesses); the live keys are
        // untouched, as a reader without the log sees.
        Assert.Contains(".chunkcompute/log/00000000000000000002", Assert.Throws<InvalidMetadataException>(() => s.OpenArray<int>("x").Read()).Message, StringComparison.Ordinal);
        using var plain = new ZarrStore(inner);
        Assert.Equal([1, 2, 3, 4], plain.OpenArray<int>("x").Read());
    }

    [Fact]
    public void AHeadThatIsNotANumber_IsRefusedNamingIt()
    {
        var inner = StoreWithOneCommit();
        inner.Set(".chunkcompute/head", "1; rm -rf /"u8);
        var ex = Assert.Throws<InvalidMetadataException>(() => ZarrStore.Open(inner));
        Assert.Contains(".chunkcompute/head", ex.Message, StringComparison.Ordinal);
    }
}
