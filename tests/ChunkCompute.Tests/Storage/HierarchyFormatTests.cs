using ChunkCompute.Storage;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Storage;

/// <summary>
/// One Zarr format per hierarchy (zarr-python opens neither a v2 array under a v3 root nor the reverse), and reading a
/// store never writes to it (issue 14).
/// </summary>
public sealed class HierarchyFormatTests : IDisposable
{
    private readonly TempDirectory _dir = new("cc-hier");

    public void Dispose() => _dir.Dispose();

    private static string[] Files(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(root, p).Replace('\\', '/'))
            .Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void NewStore_RootTakesTheFormatOfTheFirstNode()
    {
        string path = _dir.Combine("v2.zarr");
        using (var store = ZarrStore.Open(path))
        {
            store.CreateArray<int>("g/x", [4], [2], new ArrayOptions { Format = ZarrFormat.V2 }).Write([1, 2, 3, 4]);
            Assert.Equal(ZarrFormat.V2, store.HierarchyFormat());
            store.CreateArray<int>("y", [2], [2]).Write([5, 6]); // no format given: the hierarchy's
        }

        var files = Files(path).Where(f => !f.StartsWith(".chunkcompute", StringComparison.Ordinal)).ToArray();
        Assert.Equal([".zgroup", "g", "g/.zgroup", "g/x", "g/x/.zarray", "g/x/0", "g/x/1", "y", "y/.zarray", "y/0"], files);
    }

    [Fact]
    public void OtherFormat_InAHierarchyWithNodes_IsRefusedNamingBoth_AndNothingIsWritten()
    {
        string path = _dir.Combine("v3.zarr");
        using var store = ZarrStore.Open(path);
        store.CreateArray<int>("x", [4], [2]).Write([1, 2, 3, 4]);
        var before = Files(path).Where(f => !f.StartsWith(".chunkcompute", StringComparison.Ordinal)).ToArray();

        var ex = Assert.Throws<InvalidOperationException>(() => store.CreateArray<int>("z", [4], [2], new ArrayOptions { Format = ZarrFormat.V2 }));
        Assert.Contains("Zarr v2", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Zarr v3 hierarchy", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => store.CreateGroup("h", format: ZarrFormat.V2));
        Assert.Equal(before, Files(path).Where(f => !f.StartsWith(".chunkcompute", StringComparison.Ordinal)).ToArray());

        // A root group with attributes is not bare either: kept, and the other format refused.
        using var withAttrs = ZarrStore.InMemory();
        withAttrs.CreateGroup(string.Empty, new System.Text.Json.Nodes.JsonObject { ["title"] = "t" });
        Assert.Throws<InvalidOperationException>(() => withAttrs.CreateArray<int>("x", [4], [2], new ArrayOptions { Format = ZarrFormat.V2 }));
    }

    [Fact]
    public void DefaultFormatV2_WritesAV2RootThatZarrPythonOpensAsAGroup()
    {
        string path = _dir.Combine("py.zarr");
        using (var store = ZarrStore.Open(path, new ZarrStoreOptions { DefaultFormat = ZarrFormat.V2 }))
        {
            store.CreateArray<double>("a/b", [3], [2]).Write([1.5, 2.5, 3.5]);
        }

        Assert.True(File.Exists(Path.Combine(path, ".zgroup")));
        Assert.False(File.Exists(Path.Combine(path, "zarr.json")));
        PythonZarr.RequireOrSkip();
        string output = PythonZarr.Run(
            "import sys, zarr\ng = zarr.open_group(sys.argv[1], mode='r')\nprint(sorted(k for k, _ in g.arrays(recurse=True)) if hasattr(g, 'arrays') else '')\n" +
            "print(list(zarr.open(sys.argv[1], mode='r')['a/b'][:]))",
            path);
        Assert.Contains("[1.5, 2.5, 3.5]", output, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadingAStoreWithoutALog_CreatesNothing_AndTheFirstWriteCreatesTheLog()
    {
        string path = _dir.Combine("foreign.zarr");
        using (var writer = new ZarrStore(new ChunkCompute.Storage.Stores.DirectoryStore(path))) // written in place, like zarr-python
        {
            writer.CreateGroup(string.Empty, format: ZarrFormat.V2);
            writer.CreateArray<int>("x", [6], [4]).Write([1, 2, 3, 4, 5, 6]);
        }

        var before = Files(path).Select(f => f + ":" + File.GetLastWriteTimeUtc(Path.Combine(path, f)).Ticks).ToArray();
        using (var store = ZarrStore.OpenExisting(path))
        {
            Assert.Equal([1, 2, 3, 4, 5, 6], store.OpenArray<int>("x").Read());
            Assert.Equal(2, store.ListNodes().Count);
            Assert.True(store.Verify().IsSound);
            Assert.Equal(0, store.Version);
            Assert.False(store.IsSnapshotPinned);
            store.Refresh();
        }

        using (var opened = ZarrStore.Open(path))
        {
            Assert.Equal(6, opened.OpenArray<int>("x").Shape[0]);
        }

        Assert.Equal(before, Files(path).Select(f => f + ":" + File.GetLastWriteTimeUtc(Path.Combine(path, f)).Ticks).ToArray());

        using (var store = ZarrStore.OpenExisting(path))
        {
            var x = store.OpenArray<int>("x");
            x.Append([7, 8]); // the first write: one commit, through a log created now
            Assert.True(Directory.Exists(Path.Combine(path, ".chunkcompute")));
            Assert.True(store.Version > 0);
            Assert.True(store.IsSnapshotPinned);
            Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], store.OpenArray<int>("x").Read());
        }
    }

    [Fact]
    public void Verify_ReportsAMixedHierarchy()
    {
        string path = _dir.Combine("mixed.zarr");
        using (var store = ZarrStore.Open(path))
        {
            store.CreateArray<int>("x", [2], [2]).Write([1, 2]);
            Assert.True(store.Verify().IsSound);
        }

        // What an older ChunkCompute (or a hand-made store) left: a v2 array under a v3 root.
        using (var v2 = ZarrStore.InMemory(new ZarrStoreOptions { DefaultFormat = ZarrFormat.V2 }))
        {
            v2.CreateArray<int>("old", [2], [2]).Write([3, 4]);
            foreach (var key in v2.Store.List("old/"))
            {
                string file = Path.Combine(path, key);
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                File.WriteAllBytes(file, v2.Store.Get(key)!);
            }
        }

        using var reopened = ZarrStore.OpenExisting(path);
        var problem = Assert.Single(reopened.Verify().Problems);
        Assert.Contains("mixes Zarr formats", problem, StringComparison.Ordinal);
        Assert.Contains("'old'", problem, StringComparison.Ordinal);
    }
}
