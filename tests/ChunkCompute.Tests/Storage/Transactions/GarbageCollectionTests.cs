using ChunkCompute.Storage;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Storage.Transactions;

/// <summary>Pre-images live exactly as long as a snapshot may read them; crashed readers do not pin garbage.</summary>
public sealed class GarbageCollectionTests : IDisposable
{
    private readonly TempDirectory _dir = new("cc-gc");

    private string StorePath => _dir.Combine("s.zarr");

    private string PreDir => Path.Combine(StorePath, ".chunkcompute", "pre");

    public void Dispose() => _dir.Dispose();

    private int PreImageFiles() => Directory.EnumerateFiles(PreDir, "*", SearchOption.AllDirectories).Count();

    [Fact]
    public void PreImages_KeptWhileASnapshotNeedsThem_CollectedAfter()
    {
        using var writer = ZarrStore.Open(StorePath);
        var x = writer.CreateArray<int>("x", [8], [4]);
        x.Write([1, 2, 3, 4, 5, 6, 7, 8]);

        var reader = ZarrStore.OpenExisting(StorePath);
        var old = reader.OpenArray<int>("x");
        x.Write([9, 9, 9, 9, 9, 9, 9, 9]);
        x.Write([8, 8, 8, 8, 8, 8, 8, 8]);

        var gc = writer.CollectGarbage();
        Assert.True(PreImageFiles() >= 2, "the reader's version needs the replaced chunks");
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], old.Read());

        reader.Dispose(); // releases its pin
        gc = writer.CollectGarbage();
        Assert.True(gc.PreImageVersions >= 2);
        Assert.Equal(0, PreImageFiles());
        Assert.Equal([8, 8, 8, 8, 8, 8, 8, 8], ZarrStore.OpenExisting(StorePath).OpenArray<int>("x").Read());
    }

    [Fact]
    public void PinOfADeadProcess_DoesNotKeepGarbage()
    {
        using var writer = ZarrStore.Open(StorePath);
        var x = writer.CreateArray<int>("x", [4], [4]);
        x.Write([1, 2, 3, 4]);
        x.Write([5, 6, 7, 8]);
        // A pin file nobody holds a lock on: what a reader killed with SIGKILL leaves behind (at a version whose
        // replaced chunks are still kept).
        File.WriteAllBytes(Path.Combine(StorePath, ".chunkcompute", "pins", "deadbeef@1"), []);
        var gc = writer.CollectGarbage();
        Assert.Equal(1, gc.DeadPins);
        Assert.Equal(0, PreImageFiles());
        Assert.False(File.Exists(Path.Combine(StorePath, ".chunkcompute", "pins", "deadbeef@1")));
    }

    [Fact]
    public void ZarrPythonLayout_IsUntouched_ByTheLog()
    {
        using var store = ZarrStore.Open(StorePath);
        store.CreateArray<int>("x", [4], [2]).Write([1, 2, 3, 4]);
        store.OpenArray<int>("x").Write([5, 6, 7, 8]);
        var topLevel = Directory.EnumerateFileSystemEntries(StorePath).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal([".chunkcompute", "x", "zarr.json"], topLevel);
        var chunks = Directory.EnumerateFiles(Path.Combine(StorePath, "x"), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(StorePath, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["x/c/0", "x/c/1", "x/zarr.json"], chunks);
        Assert.DoesNotContain(".chunkcompute", store.Store.List(string.Empty).Select(k => k.Split('/')[0]));
    }
}
