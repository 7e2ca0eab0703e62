using Xunit;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Tests.Storage.Stores;

/// <summary>What every <see cref="IStore"/> must do; one subclass per store (zarr-python's StoreTests).</summary>
public abstract class StoreConformanceTests<TStore>
    where TStore : IStore
{
    protected abstract TStore CreateStore();

    [Fact]
    public void SetGet_RoundTripsAndMissingIsNull()
    {
        var store = CreateStore();
        Assert.Null(store.Get("a/b"));
        Assert.Null(store.GetPooled("a/b"));
        Assert.False(store.Exists("a/b"));
        store.Set("a/b", [1, 2, 3]);
        Assert.Equal([1, 2, 3], store.Get("a/b"));
        using (var pooled = store.GetPooled("a/b"))
        {
            Assert.Equal([1, 2, 3], pooled!.Memory.ToArray());
        }

        Assert.Equal(3, store.GetSize("a/b"));
        store.Set("a/b", [9]);
        Assert.Equal([9], store.Get("a/b"));
        store.Set("empty", []);
        Assert.Empty(store.Get("empty")!);
    }

    [Fact]
    public void Delete_RemovesOnlyThatKey()
    {
        var store = CreateStore();
        store.Set("x/0", [1]);
        store.Set("x/1", [2]);
        Assert.True(store.Delete("x/0"));
        Assert.False(store.Delete("x/0"));
        Assert.Null(store.Get("x/0"));
        Assert.Equal([2], store.Get("x/1"));
    }

    [Fact]
    public void List_ByPrefix_ReturnsExactlyMatchingKeys()
    {
        var store = CreateStore();
        foreach (var k in new[] { "a/zarr.json", "a/c/0/0", "a/c/0/1", "ab/zarr.json", "b/.zarray" })
        {
            store.Set(k, [0]);
        }

        Assert.Equal(["a/c/0/0", "a/c/0/1", "a/zarr.json"], store.List("a/").Order(StringComparer.Ordinal));
        Assert.Equal(["a/c/0/0", "a/c/0/1", "a/zarr.json", "ab/zarr.json"], store.List("a").Order(StringComparer.Ordinal));
        Assert.Equal(5, store.List(string.Empty).Count());
        Assert.Equal(["a", "ab", "b"], store.ListDirectory(string.Empty).Order(StringComparer.Ordinal));
        Assert.Equal(["c", "zarr.json"], store.ListDirectory("a").Order(StringComparer.Ordinal));
        Assert.Empty(store.ListDirectory("nothing"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/abs")]
    [InlineData("a/../b")]
    [InlineData("a//b")]
    [InlineData("./a")]
    public void Set_InvalidKey_Throws(string key)
    {
        var store = CreateStore();
        Assert.ThrowsAny<ArgumentException>(() => store.Set(key, [1]));
    }

    [Fact]
    public async Task Set_ConcurrentWithGet_ReadersNeverSeeTornValues()
    {
        var store = CreateStore();
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
        }

        await writer;
    }
}

public sealed class MemoryStoreTests : StoreConformanceTests<MemoryStore>
{
    protected override MemoryStore CreateStore() => new();
}

public sealed class DirectoryStoreTests : StoreConformanceTests<DirectoryStore>, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cc-store-" + Guid.NewGuid().ToString("N"));

    protected override DirectoryStore CreateStore() => new(_root);

    [Fact]
    public void Set_LeavesNoTemporaryFiles()
    {
        var store = CreateStore();
        for (int i = 0; i < 20; i++)
        {
            store.Set("x/c/" + i, new byte[100]);
        }

        Assert.Equal(20, Directory.GetFiles(_root, "*", SearchOption.AllDirectories).Length);
        Assert.Equal(Path.Combine(_root, "x", "c", "3"), store.PathOf("x/c/3"));
    }

    [Fact]
    public void Constructor_MissingDirectoryWithoutCreate_Throws()
    {
        Assert.Throws<DirectoryNotFoundException>(() => new DirectoryStore(Path.Combine(_root, "none"), createIfMissing: false));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
