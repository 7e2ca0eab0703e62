using System.Numerics;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Tests.Ops.Reductions;
using Xunit;

namespace ChunkCompute.Tests.Ops.NamedDims;

/// <summary>
/// The overloads taking dimension names (<c>x.Mean("time")</c>, <c>x.CumSum("lat")</c>, <c>x.MapOverlap([("time", 1)], …)</c>):
/// each computes exactly what its axis form computes on an array with named dimensions, its result carries the same
/// dimension names, an unknown name is an <see cref="ArgumentException"/> naming it, and an array without names refuses.
/// </summary>
public sealed class NamedDimensionOverloadTests
{
    // (the name form given the names to use, the axis form it must equal, the names the case uses)
    private static readonly Dictionary<string, (Func<ChunkedArray<double>, string[], ArrayNode> ByName, Func<ChunkedArray<double>, ArrayNode> ByAxis, string[] Dims)> Cases = new()
    {
        ["Sum"] = ((x, n) => x.Sum(n[0]).Node, x => x.Sum(1).Node, ["lat"]),
        ["Sum dims"] = ((x, n) => x.Sum(n).Node, x => x.Sum([0, 2]).Node, ["time", "lon"]),
        ["NanSum"] = ((x, n) => x.NanSum(n[0], keepDims: true).Node, x => x.NanSum(0, keepDims: true).Node, ["time"]),
        ["Mean"] = ((x, n) => x.Mean(n[0]).Node, x => x.Mean(0).Node, ["time"]),
        ["NanMean dims"] = ((x, n) => x.NanMean(n).Node, x => x.NanMean([2, 1]).Node, ["lon", "lat"]),
        ["Var"] = ((x, n) => x.Var(n[0], ddof: 1).Node, x => x.Var(2, ddof: 1).Node, ["lon"]),
        ["NanVar dims"] = ((x, n) => x.NanVar(n, ddof: 1).Node, x => x.NanVar([0, 1], ddof: 1).Node, ["time", "lat"]),
        ["Std"] = ((x, n) => x.Std(n[0]).Node, x => x.Std(1).Node, ["lat"]),
        ["NanStd"] = ((x, n) => x.NanStd(n[0], keepDims: true).Node, x => x.NanStd(0, keepDims: true).Node, ["time"]),
        ["Min"] = ((x, n) => x.Min(n[0]).Node, x => x.Min(2).Node, ["lon"]),
        ["Max dims"] = ((x, n) => x.Max(n).Node, x => x.Max([0, 1]).Node, ["time", "lat"]),
        ["NanMin"] = ((x, n) => x.NanMin(n[0]).Node, x => x.NanMin(0).Node, ["time"]),
        ["NanMax dims"] = ((x, n) => x.NanMax(n, keepDims: true).Node, x => x.NanMax([1, 2], keepDims: true).Node, ["lat", "lon"]),
        ["ArgMin"] = ((x, n) => x.ArgMin(n[0]).Node, x => x.ArgMin(1).Node, ["lat"]),
        ["ArgMax"] = ((x, n) => x.ArgMax(n[0]).Node, x => x.ArgMax(0).Node, ["time"]),
        ["Count"] = ((x, n) => x.Count(n[0], skipNaN: true).Node, x => x.Count(2, skipNaN: true).Node, ["lon"]),
        ["Count dims"] = ((x, n) => x.Count(n, skipNaN: true).Node, x => x.Count([0, 2], skipNaN: true).Node, ["time", "lon"]),
        ["CountNonZero"] = ((x, n) => x.CountNonZero(n[0]).Node, x => x.CountNonZero(1).Node, ["lat"]),
        ["CountNonZero dims"] = ((x, n) => x.CountNonZero(n).Node, x => x.CountNonZero([1, 2]).Node, ["lat", "lon"]),
        ["Any"] = ((x, n) => (x > 40.0).Any(n[0]).Node, x => (x > 40.0).Any(0).Node, ["time"]),
        ["Any dims"] = ((x, n) => (x > 40.0).Any(n).Node, x => (x > 40.0).Any([0, 2]).Node, ["time", "lon"]),
        ["All"] = ((x, n) => (x > 10.0).All(n[0]).Node, x => (x > 10.0).All(2).Node, ["lon"]),
        ["All dims"] = ((x, n) => (x > 10.0).All(n).Node, x => (x > 10.0).All([1, 0]).Node, ["lat", "time"]),
        ["CumSum"] = ((x, n) => x.CumSum(n[0]).Node, x => x.CumSum(0).Node, ["time"]),
        ["CumProd"] = ((x, n) => x.CumProd(n[0]).Node, x => x.CumProd(2).Node, ["lon"]),
        ["NanCumSum"] = ((x, n) => x.NanCumSum(n[0]).Node, x => x.NanCumSum(1).Node, ["lat"]),
        ["NanCumProd"] = ((x, n) => x.NanCumProd(n[0]).Node, x => x.NanCumProd(0).Node, ["time"]),
        ["Diff"] = ((x, n) => x.Diff(n[0], 2).Node, x => x.Diff(2, 0).Node, ["time"]),
        ["MovingSum"] = ((x, n) => x.MovingSum(3, n[0]).Node, x => x.MovingSum(3, 0).Node, ["time"]),
        ["MovingMean"] = ((x, n) => x.MovingMean(2, n[0]).Node, x => x.MovingMean(2, 2).Node, ["lon"]),
        ["Gradient"] = ((x, n) => x.Gradient(n[0]).Node, x => x.Gradient(1).Node, ["lat"]),
        ["Convolve1D"] = ((x, n) => x.Convolve1D([1.0, -2.0, 0.5], n[0]).Node, x => x.Convolve1D([1.0, -2.0, 0.5], 0).Node, ["time"]),
        ["Take"] = ((x, n) => x.Take([4L, 0, -1, 2, 2], n[0]).Node, x => x.Take([4L, 0, -1, 2, 2], 2).Node, ["lon"]),
        ["Compress"] = ((x, n) => x.Compress([true, false, true, true, false], n[0]).Node, x => x.Compress([true, false, true, true, false], 0).Node, ["time"]),
        ["Sort"] = ((x, n) => x.Sort(n[0]).Node, x => x.Sort(0).Node, ["time"]),
        ["ArgSort"] = ((x, n) => x.ArgSort(n[0]).Node, x => x.ArgSort(2).Node, ["lon"]),
        ["TopK"] = ((x, n) => x.TopK(2, n[0]).Node, x => x.TopK(2, 1).Node, ["lat"]),
        ["ArgTopK"] = ((x, n) => x.ArgTopK(-3, n[0]).Node, x => x.ArgTopK(-3, 0).Node, ["time"]),
        ["Quantile"] = ((x, n) => x.Quantile([0.1, 0.5, 1], n[0]).Node, x => x.Quantile([0.1, 0.5, 1], 0).Node, ["time"]),
        ["NanQuantile"] = ((x, n) => x.NanQuantile([0.25, 0.75], n[0]).Node, x => x.NanQuantile([0.25, 0.75], 2).Node, ["lon"]),
        ["Percentile"] = ((x, n) => x.Percentile([30.0], n[0]).Node, x => x.Percentile([30.0], 1).Node, ["lat"]),
        ["Median"] = ((x, n) => x.Median(n[0]).Node, x => x.Median(1).Node, ["lat"]),
        ["NanMedian"] = ((x, n) => x.NanMedian(n[0]).Node, x => x.NanMedian(0).Node, ["time"]),
        ["MapOverlap"] = ((x, n) => x.MapOverlap<double, double>([(n[0], 1), (n[1], 2)], OverlapBoundary.Nearest, Stencil).Node,
            x => x.MapOverlap<double, double>([1, 0, 2], OverlapBoundary.Nearest, Stencil).Node, ["time", "lon"]),
    };

    public static TheoryData<string> Ops() => [.. Cases.Keys];

    // 6 × 4 × 5 on an irregular grid, values not monotone along any axis, with two NaNs (so the nan forms differ).
    private static ChunkedArray<double> Plain()
    {
        var values = Enumerable.Range(0, 6 * 4 * 5).Select(i => (double)((i * 37) % 53) - 7).ToArray();
        values[13] = double.NaN;
        values[77] = double.NaN;
        return ChunkedArray.FromArray(values, [6, 4, 5], [4, 3, 2]);
    }

    private static ChunkedArray<double> Named() => Plain().WithDims("time", "lat", "lon");

    [Theory]
    [MemberData(nameof(Ops))]
    public void NameForm_EqualsAxisForm_AndKeepsItsNames(string op)
    {
        var (byName, byAxis, dims) = Cases[op];
        var x = Named();

        var named = byName(x, dims);
        var numbered = byAxis(x);
        var (namedShape, namedData) = ReductionInvoker.Compute(named);
        var (shape, data) = ReductionInvoker.Compute(numbered);

        Assert.Equal(numbered.DataType, named.DataType);
        Assert.Equal(shape, namedShape);
        Assert.Equal(data.Cast<object>(), namedData.Cast<object>());
        Assert.Equal(numbered.DimensionNames, named.DimensionNames);
    }

    [Theory]
    [MemberData(nameof(Ops))]
    public void UnknownName_IsAnArgumentExceptionNamingIt(string op)
    {
        var (byName, _, dims) = Cases[op];
        var x = Named();

        var unknown = dims.Select((d, i) => i == dims.Length - 1 ? "depth" : d).ToArray();
        var e = Assert.ThrowsAny<ArgumentException>(() => byName(x, unknown));
        Assert.Contains("'depth'", e.Message, StringComparison.Ordinal);
        Assert.Contains("[time, lat, lon]", e.Message, StringComparison.Ordinal);

        var unnamed = Assert.ThrowsAny<ArgumentException>(() => byName(Plain(), dims));
        Assert.Contains($"'{dims[0]}'", unnamed.Message, StringComparison.Ordinal);
        Assert.Contains("have no names", unnamed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NamesFollowThrough_TheOperationsThatKeepOrDropDimensions()
    {
        var x = Named();

        Assert.Equal(["time", "lon"], x.Mean("lat").DimensionNames!);
        Assert.Equal(["lat"], x.Sum(["time", "lon"]).DimensionNames!);
        Assert.Equal(["time", "lat", "lon"], x.Max(["lon"], keepDims: true).DimensionNames!);
        Assert.Equal(["time", "lon"], x.ArgMax("lat").DimensionNames!);
        Assert.Equal(["time", "lat", "lon"], x.ArgTopK(-1, "lon").DimensionNames!);
        foreach (var kept in new[] { x.CumSum("time"), x.MovingMean(2, "lon"), x.Diff("time"), x.Take([1L, 0], "lat"), x.Sort("lon"), x.TopK(2, "time"),
                     x.MapOverlap<double, double>([("lat", 1)], OverlapBoundary.Reflect, Stencil) })
        {
            Assert.Equal(["time", "lat", "lon"], kept.DimensionNames!);
        }
    }

    [Fact]
    public void NameForms_PickTheNamedAxis_AgainstDirectLoops()
    {
        // Independently of the axis forms: a sum over "lat" and a running sum along "time", by loops over the values.
        var values = Enumerable.Range(0, 6 * 4 * 5).Select(i => (long)((i * 37) % 53) - 7).ToArray();
        var x = ChunkedArray.FromArray(values, [6, 4, 5], [4, 3, 2]).WithDims("time", "lat", "lon");

        var sums = new long[6 * 5];
        var running = new long[values.Length];
        for (int t = 0; t < 6; t++)
        {
            for (int la = 0; la < 4; la++)
            {
                for (int lo = 0; lo < 5; lo++)
                {
                    int i = (((t * 4) + la) * 5) + lo;
                    sums[(t * 5) + lo] += values[i];
                    running[i] = values[i] + (t > 0 ? running[i - 20] : 0);
                }
            }
        }

        Assert.Equal(sums, x.Sum("lat").Compute().ToArray());
        Assert.Equal(running, x.CumSum("time").Compute().ToArray());
        Assert.Equal(values.Chunk(20).Select(c => c.Max()).ToArray(), x.Max(["lat", "lon"]).Compute().ToArray());
    }

    [Fact]
    public void TypedNameForms_KeepTheNumPyResultTypes()
    {
        var ints = ChunkedArray.FromArray(Enumerable.Range(0, 24).ToArray(), [4, 6], [3, 4]).WithDims("y", "x");
        ChunkedArray<long> sum = ints.Sum("x");
        ChunkedArray<double> mean = ints.Mean(["y", "x"]);
        ChunkedArray<long> cumsum = ints.CumSum("y");
        Assert.Equal(ints.Sum(1).Compute().ToArray(), sum.Compute().ToArray());
        Assert.Equal(ints.Mean([0, 1]).Compute().ToArray(), mean.Compute().ToArray());
        Assert.Equal(ints.CumSum(0).Compute().ToArray(), cumsum.Compute().ToArray());
        Assert.Equal(["y", "x"], cumsum.DimensionNames!);

        var flags = (ints > 10).WithDims("y", "x");
        ChunkedArray<long> counts = flags.CumSum("x");
        Assert.Equal(flags.CumSum(1).Compute().ToArray(), counts.Compute().ToArray());
        Assert.Equal(flags.Sum(1).Compute().ToArray(), flags.Sum("x").Compute().ToArray());

        var bytes = ChunkedArray.FromArray(Enumerable.Range(0, 24).Select(i => (byte)(i + 200)).ToArray(), [4, 6], [3, 4]).WithDims("y", "x");
        ChunkedArray<ulong> byteSums = bytes.CumSum("x");
        Assert.Equal(bytes.CumSum(1).Compute().ToArray(), byteSums.Compute().ToArray());

        var complex = ChunkedArray.FromArray(Enumerable.Range(0, 6).Select(i => new Complex(i, -i)).ToArray(), [2, 3], [1, 2]).WithDims("a", "b");
        Assert.Equal(complex.Sum(1).Compute().ToArray(), complex.Sum("b").Compute().ToArray());
        Assert.Equal(complex.Prod(0).Compute().ToArray(), complex.Prod("a").Compute().ToArray());
    }

    [Fact]
    public void AxisCalls_ThatBoundBefore_StillBindToTheAxisForms()
    {
        var x = Named();
        int? none = null;

        // A null axis and an empty axis list keep meaning "every axis" and "no axis", not a name.
        Assert.Equal(x.ArgMin(none).Compute().ToArray(), x.ArgMin(null).Compute().ToArray());
        Assert.Equal([6L, 4, 5], x.Sum([]).Compute().Shape);
        var complex = ChunkedArray.FromArray([new Complex(1, 2), new Complex(3, 4)], 1);
        Assert.Equal(new Complex(4, 6), complex.Sum(null).ComputeScalar());
    }

    [Fact]
    public void MapOverlap_ByName_RefusesANameGivenTwice()
    {
        var x = Named();
        var e = Assert.Throws<ArgumentException>(() => x.MapOverlap<double, double>([("lat", 1), ("lat", 2)], OverlapBoundary.None, Stencil));
        Assert.Contains("'lat'", e.Message, StringComparison.Ordinal);
    }

    // Each element plus its predecessor along every axis within the (extended) block: the depth decides the edges.
    private static void Stencil(ReadOnlySpan<double> block, Span<double> output, ChunkInfo info)
    {
        var shape = info.ChunkShape;
        int rank = shape.Count;
        var strides = new long[rank];
        long s = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            strides[d] = s;
            s *= shape[d];
        }

        for (int e = 0; e < block.Length; e++)
        {
            double r = block[e];
            long rest = e;
            for (int d = 0; d < rank; d++)
            {
                long i = rest / strides[d];
                rest %= strides[d];
                if (i > 0)
                {
                    r += block[(int)(e - strides[d])];
                }
            }

            output[e] = r;
        }
    }
}
