using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Storage;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Storage;

/// <summary>Dimension names in xarray's conventions: v2 <c>_ARRAY_DIMENSIONS</c>, v3 <c>dimension_names</c>.</summary>
public sealed class DimensionNamesTests : IDisposable
{
    private readonly TempDirectory _dir = new("cc-dims");

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(ZarrFormat.V2)]
    [InlineData(ZarrFormat.V3)]
    public void Names_AreWrittenInTheFormatsConvention_AndReadBack(ZarrFormat format)
    {
        string path = _dir.Combine($"d{(int)format}.zarr");
        using (var store = ZarrStore.Open(path, new ZarrStoreOptions { DefaultFormat = format }))
        {
            store.CreateArray<float>("t", [4, 3], [2, 3], new ArrayOptions { DimensionNames = ["time", "station"] }).Write(new float[12]);
            Assert.Throws<ArgumentException>(() => store.CreateArray<float>("bad", [4, 3], [2, 3], new ArrayOptions { DimensionNames = ["time"] }));
        }

        string doc = File.ReadAllText(Path.Combine(path, "t", format == ZarrFormat.V2 ? ".zattrs" : "zarr.json"));
        Assert.Contains(format == ZarrFormat.V2 ? "_ARRAY_DIMENSIONS" : "dimension_names", doc, StringComparison.Ordinal);

        using var reopened = ZarrStore.OpenExisting(path);
        Assert.Equal(["time", "station"], reopened.OpenArray("t").Metadata.DimensionNames!);
        var lazy = reopened.Open<float>("t");
        Assert.Equal(["time", "station"], lazy.DimensionNames!);
        Assert.Equal(["time", "station"], ((lazy * 2f) + 1f).DimensionNames!);
        Assert.Equal(["time", "station"], lazy.Rechunk([4, 1]).DimensionNames!);
        Assert.Equal(["station"], lazy.Sum(axis: 0).DimensionNames!); // a reduction keeps the names of the dimensions it keeps (xarray)
    }

    [Fact]
    public void XarrayStyleV2Store_WrittenByZarrPython_HasItsNames()
    {
        PythonZarr.RequireOrSkip();
        string path = _dir.Combine("xr.zarr");
        PythonZarr.Run(
            "import sys, zarr, numpy as np\n" +
            "g = zarr.open_group(sys.argv[1], mode='w')\n" +
            "a = g.create_dataset('air', data=np.arange(6, dtype='<f4').reshape(2, 3), chunks=(1, 3))\n" +
            "a.attrs['_ARRAY_DIMENSIONS'] = ['time', 'lon']\n" +
            "b = g.create_dataset('odd', data=np.arange(2, dtype='<i4'))\n" +
            "b.attrs['_ARRAY_DIMENSIONS'] = 'not a list'\n" +
            "zarr.consolidate_metadata(sys.argv[1])\n",
            path);
        using var store = ZarrStore.OpenExisting(path);
        Assert.Equal(["time", "lon"], store.OpenArray("air").Metadata.DimensionNames!);
        Assert.Null(store.OpenArray("odd").Metadata.DimensionNames); // a malformed attribute leaves it unnamed, still readable
        Assert.Equal([0, 1], store.OpenArray<int>("odd").Read());
    }
}
