using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using Xunit;

namespace ChunkCompute.Tests.Ops.Structure;

/// <summary>
/// Named dimensions: <c>WithDims</c> is a view (no tasks of its own, same values), <c>AxisOf</c> finds an axis by name,
/// reductions keep the names of the dimensions they keep, and <c>ToStore</c> writes them.
/// </summary>
public sealed class DimensionNameTests
{
    [Fact]
    public void WithDims_IsAFreeView_AndNamesFollowThroughReductions()
    {
        var values = Enumerable.Range(0, 6 * 4 * 5).Select(i => (double)i).ToArray();
        var plain = ChunkedArray.FromArray(values, [6, 4, 5], [4, 3, 5]);
        var x = plain.WithDims("time", "lat", "lon");

        Assert.Equal(["time", "lat", "lon"], x.DimensionNames!);
        Assert.Equal(1, x.AxisOf("lat"));
        var mean = x.Mean(x.AxisOf("time"));
        Assert.Equal(["lat", "lon"], mean.DimensionNames!);
        Assert.Equal(["time", "lat", "lon"], x.Sum([1], keepDims: true).DimensionNames!);
        Assert.Empty(x.Sum().DimensionNames ?? []);

        var named = mean.Compute();
        var unnamed = plain.Mean(0).Compute();
        Assert.Equal(unnamed.ToArray(), named.ToArray());
        Assert.Equal(unnamed.Statistics.Tasks, named.Statistics.Tasks);
        Assert.Equal(values, x.Compute().ToArray());
    }

    [Fact]
    public void Rechunk_ByDimensionName_ChangesOnlyThoseDimensions()
    {
        var values = Enumerable.Range(0, 6 * 4 * 5).Select(i => (double)i).ToArray();
        var x = ChunkedArray.FromArray(values, [6, 4, 5], [4, 3, 2]).WithDims("time", "lat", "lon");

        var y = x.Rechunk(("time", 2), ("lon", -1));

        Assert.Equal([2, 2, 2], y.Chunks.Sizes(0));
        Assert.Equal([3, 1], y.Chunks.Sizes(1));
        Assert.Equal([5], y.Chunks.Sizes(2));
        Assert.Equal(["time", "lat", "lon"], y.DimensionNames!);
        Assert.Equal(values, y.Compute().ToArray());
        Assert.Throws<ArgumentException>(() => x.Rechunk(("depth", 2)));
        Assert.Throws<ArgumentException>(() => x.Rechunk(("time", 0)));
    }

    [Fact]
    public void WithDims_AndAxisOf_RefuseWhatCannotBeNamed()
    {
        var x = ChunkedArray.FromArray(new float[12], [3, 4], [2, 2]);

        Assert.Contains("have no names", Assert.Throws<ArgumentException>(() => x.AxisOf("t")).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => x.WithDims("a"));
        Assert.Contains("used twice", Assert.Throws<ArgumentException>(() => x.WithDims("a", "a")).Message, StringComparison.Ordinal);
        Assert.Contains("[a, (unnamed)]", Assert.Throws<ArgumentException>(() => x.WithDims("a", null).AxisOf("b")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToStore_WritesNamesGivenWithDims()
    {
        using var store = ZarrStore.InMemory();
        var x = ChunkedArray.FromArray(Enumerable.Range(0, 12).Select(i => (long)i).ToArray(), [3, 4], [2, 2]).WithDims("y", "x");

        x.CumSum(x.AxisOf("x")).ToStore(store, "c").Compute();
        x.Max(x.AxisOf("y")).ToStore(store, "m").Compute();

        Assert.Equal(["y", "x"], store.OpenArray("c").Metadata.DimensionNames!);
        Assert.Equal(["x"], store.OpenArray("m").Metadata.DimensionNames!);
        Assert.Equal([8L, 9, 10, 11], store.OpenArray<long>("m").Read());
    }
}
