using System.Text.Json.Nodes;
using ChunkCompute.Storage;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Storage;

/// <summary>
/// Consolidated metadata (v2 <c>.zmetadata</c>, v3 inline <c>consolidated_metadata</c>) stays true: every commit that
/// changes metadata below a consolidating group rewrites it in the same commit (issue 14: an append to a zarr-python
/// store with <c>.zmetadata</c> left the old shape there, so xarray silently missed rows).
/// </summary>
public sealed class ConsolidatedMetadataTests : IDisposable
{
    private readonly TempDirectory _dir = new("cc-consolidated");

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(ZarrFormat.V2)]
    [InlineData(ZarrFormat.V3)]
    public void EveryMetadataChange_KeepsConsolidatedMetadataTrue(ZarrFormat format)
    {
        string path = _dir.Combine($"s{(int)format}.zarr");
        using var store = ZarrStore.Open(path, new ZarrStoreOptions { DefaultFormat = format });
        store.CreateArray<int>("g/x", [4], [2]).Write([1, 2, 3, 4]);
        store.CreateArray<double>("y", [3], [3]).Write([1, 2, 3]);
        store.Consolidate();
        Assert.Empty(store.ConsolidatedMismatches());

        store.OpenArray<int>("g/x").Append([5, 6, 7]);
        Assert.Empty(store.ConsolidatedMismatches());
        Assert.Equal(7, ConsolidatedShape(path, format, "g/x"));

        store.OpenArray<double>("y").Resize([2]);
        store.CreateArray<byte>("g/z", [2], [2]);
        store.OpenGroup("g").SetAttributes(new JsonObject { ["title"] = "t" });
        store.Delete("y");
        Assert.Empty(store.ConsolidatedMismatches());
        Assert.Equal(7, ConsolidatedShape(path, format, "g/x"));
        Assert.Null(ConsolidatedShape(path, format, "y"));
        Assert.Equal(2, ConsolidatedShape(path, format, "g/z"));

        // Tampering shows: verify names the stale entry.
        using var raw = new ZarrStore(new ChunkCompute.Storage.Stores.DirectoryStore(path), new ZarrStoreOptions { Transactional = false });
        raw.OpenArray<int>("g/x").Resize([5]); // written in place, so the consolidated copy is patched too...
        Assert.Empty(raw.ConsolidatedMismatches());
        string doc = format == ZarrFormat.V2 ? Path.Combine(path, "g", "x", ".zarray") : Path.Combine(path, "g", "x", "zarr.json");
        File.WriteAllText(doc, File.ReadAllText(doc).Replace("5", "6", StringComparison.Ordinal)); // ...unlike a hand edit
        var problems = raw.ConsolidatedMismatches().ToList();
        Assert.Contains(problems, p => p.Contains("g/x", StringComparison.Ordinal) && p.Contains("disagrees", StringComparison.Ordinal));
        Assert.Contains(raw.Verify().Problems, p => p.Contains("g/x", StringComparison.Ordinal) && p.Contains("consolidated", StringComparison.Ordinal));
    }

    private static long? ConsolidatedShape(string store, ZarrFormat format, string array)
    {
        if (format == ZarrFormat.V2)
        {
            var md = JsonNode.Parse(File.ReadAllText(Path.Combine(store, ".zmetadata")))!["metadata"]!.AsObject();
            return md[array + "/.zarray"]?["shape"]?[0]?.GetValue<long>();
        }

        var cm = JsonNode.Parse(File.ReadAllText(Path.Combine(store, "zarr.json")))!["consolidated_metadata"]!["metadata"]!.AsObject();
        return cm[array]?["shape"]?[0]?.GetValue<long>();
    }

    [Fact]
    public void ZarrPythonStoreWithZmetadata_AfterAppendResizeDelete_EqualsAFreshConsolidation()
    {
        PythonZarr.RequireOrSkip();
        string path = _dir.Combine("py.zarr");
        PythonZarr.Run(
            "import sys, zarr, numpy as np\n" +
            "g = zarr.open_group(sys.argv[1], mode='w')\n" +
            "g.attrs['title'] = 'made by zarr-python'\n" +
            "a = g.create_dataset('a', data=np.arange(10, dtype='<f8'), chunks=(4,))\n" +
            "a.attrs['_ARRAY_DIMENSIONS'] = ['time']\n" +
            "g.create_group('sub').create_dataset('b', data=np.arange(6, dtype='<i4').reshape(2, 3), chunks=(1, 3))\n" +
            "g.create_dataset('gone', data=np.zeros(3))\n" +
            "zarr.consolidate_metadata(sys.argv[1])\n",
            path);

        using (var store = ZarrStore.OpenExisting(path))
        {
            store.OpenArray<double>("a").Append([10.0, 11.0, 12.0]);
            store.OpenArray<int>("sub/b").Resize([1, 3]);
            store.Delete("gone");
            store.CreateArray<short>("sub/new", [5], [5]).Write([1, 2, 3, 4, 5]);
        }

        string output = PythonZarr.Run(
            "import sys, json, zarr\n" +
            "held = json.load(open(sys.argv[1] + '/.zmetadata'))\n" +
            "zarr.consolidate_metadata(sys.argv[1])\n" +
            "fresh = json.load(open(sys.argv[1] + '/.zmetadata'))\n" +
            "diff = [k for k in sorted(set(held['metadata']) | set(fresh['metadata'])) if held['metadata'].get(k) != fresh['metadata'].get(k)]\n" +
            "print('same' if held == fresh else 'differ: ' + '; '.join(k + ' held ' + json.dumps(held['metadata'].get(k)) + ' fresh ' + json.dumps(fresh['metadata'].get(k)) for k in diff))\n" +
            "z = zarr.open_consolidated(sys.argv[1], mode='r')\n" +
            "print(z['a'].shape, list(z['a'][-3:]), z['sub/b'].shape, 'gone' in z)\n",
            path);
        Assert.Contains("same", output, StringComparison.Ordinal);
        Assert.Contains("(13,) [10.0, 11.0, 12.0] (1, 3) False", output, StringComparison.Ordinal);
    }
}
