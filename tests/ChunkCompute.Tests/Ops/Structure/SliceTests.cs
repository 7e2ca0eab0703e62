using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using Xunit;

namespace ChunkCompute.Tests.Ops.Structure;

/// <summary>Slicing and integer indexing against a naive element-by-element reference of NumPy's rules.</summary>
public sealed class SliceTests
{
    [Fact]
    public void Slice_RandomShapesChunkingsAndSlices_MatchesNaiveReference()
    {
        var rng = new Random(20240611);
        for (int trial = 0; trial < 300; trial++)
        {
            int rank = rng.Next(1, 4);
            var shape = Enumerable.Range(0, rank).Select(_ => (long)(rng.Next(0, 4) switch { 0 => 1, _ => rng.Next(0, 12) })).ToArray();
            var grid = StructureTestData.RandomGrid(shape, rng);
            var specs = Enumerable.Range(0, rng.Next(0, rank + 1)).Select(d => RandomSpec(shape[d], rng)).ToArray();
            var data = StructureTestData.Iota(shape);
            var (expectedShape, expected) = NaiveSlice(shape, data, specs);
            var x = ChunkedArray.FromArray(data, grid).Slice(specs);
            string what = $"shape [{string.Join(", ", shape)}] chunks {grid} index [{string.Join(", ", specs)}]";
            Assert.True(expectedShape.SequenceEqual(x.Shape), $"{what}: shape [{string.Join(", ", x.Shape)}], expected [{string.Join(", ", expectedShape)}]");
            var result = x.Compute();
            Assert.True(expected.SequenceEqual(result.ToArray()), what);
        }
    }

    [Fact]
    public void Slice_ParsedString_MatchesSpecs()
    {
        var data = StructureTestData.Iota([10, 7]);
        var x = ChunkedArray.FromArray(data, [10, 7], [3, 2]);
        var a = x.Slice("1:9:3, ::-2").Compute().ToArray();
        var b = x.Slice(SliceSpec.Range(1, 9, 3), SliceSpec.Range(null, null, -2)).Compute().ToArray();
        Assert.Equal(b, a);
        Assert.Equal([13, 11, 9, 7, 34, 32, 30, 28, 55, 53, 51, 49], a);
        Assert.Equal("1:9:3", SliceSpec.Parse("1:9:3")[0].ToString());
        Assert.Equal(SliceSpecKind.Ellipsis, SliceSpec.Parse(" ... ")[0].Kind);
    }

    [Fact]
    public void Slice_UnitSteps_ChunksFollowInputChunks()
    {
        var x = ChunkedArray.FromArray(StructureTestData.Iota([20]), ChunkGrid.FromSizes([[5, 5, 5, 5]]));
        Assert.Equal([2, 5, 4], x.Slice("3:14").Chunks.Sizes(0));
        Assert.Equal([3, 2, 3, 2], x.Slice("::-2").Chunks.Sizes(0));
        Assert.Equal([2, 1, 2, 2], x.Slice("1:20:3").Chunks.Sizes(0));
    }

    [Fact]
    public void Index_DropsAxis_MatchesRow()
    {
        var data = StructureTestData.Iota([4, 5, 6]);
        var x = ChunkedArray.FromArray(data, ChunkGrid.FromSizes([[1, 3], [2, 3], [4, 2]]));
        var r = x.Index(-2, axis: 1).Compute();
        Assert.Equal([4L, 6L], r.Shape);
        var expected = new List<int>();
        for (int i = 0; i < 4; i++)
        {
            for (int k = 0; k < 6; k++)
            {
                expected.Add((i * 30) + (3 * 6) + k);
            }
        }

        Assert.Equal(expected, r.ToArray());
        Assert.Equal(data[(2 * 30) + (4 * 6) + 5], x.Slice("2, 4, 5").ComputeScalar());
    }

    [Fact]
    public void Slice_BadIndices_Throw()
    {
        var x = ChunkedArray.FromArray(StructureTestData.Iota([4, 5]), [4, 5], [2, 2]);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Index(4, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Slice("0, -6"));
        Assert.Throws<ArgumentException>(() => x.Slice("0, 1, 2"));
        Assert.Throws<ArgumentException>(() => x.Slice("..., 0, ..."));
        Assert.Throws<FormatException>(() => x.Slice("0:1:0"));
        Assert.Throws<FormatException>(() => x.Slice("a"));
    }

    private static SliceSpec RandomSpec(long length, Random rng)
    {
        long Bound() => rng.Next((int)-(length + 3), (int)length + 4);
        if (length > 0 && rng.Next(5) == 0)
        {
            return SliceSpec.At(rng.Next((int)-length, (int)length));
        }

        long? start = rng.Next(3) == 0 ? null : Bound();
        long? stop = rng.Next(3) == 0 ? null : Bound();
        long? step = rng.Next(3) == 0 ? null : (rng.Next(2) == 0 ? 1 : -1) * rng.Next(1, 5);
        return SliceSpec.Range(start, stop, step);
    }

    /// <summary>NumPy's rules written out per element: selected positions per dimension, then every combination.</summary>
    private static (long[] Shape, int[] Data) NaiveSlice(long[] shape, int[] data, SliceSpec[] specs)
    {
        var picks = new List<long[]>();
        var kept = new List<bool>();
        for (int d = 0; d < shape.Length; d++)
        {
            long n = shape[d];
            var s = d < specs.Length ? specs[d] : SliceSpec.All;
            if (s.Kind == SliceSpecKind.Index)
            {
                picks.Add([s.Start!.Value < 0 ? s.Start.Value + n : s.Start.Value]);
                kept.Add(false);
                continue;
            }

            long step = s.Step ?? 1;
            var list = new List<long>();
            if (step > 0)
            {
                long start = s.Start is long a ? (a < 0 ? Math.Max(0, a + n) : Math.Min(a, n)) : 0;
                long stop = s.Stop is long b ? (b < 0 ? Math.Max(0, b + n) : Math.Min(b, n)) : n;
                for (long i = start; i < stop; i += step)
                {
                    list.Add(i);
                }
            }
            else
            {
                long start = s.Start is long a ? (a < 0 ? Math.Max(-1, a + n) : Math.Min(a, n - 1)) : n - 1;
                long stop = s.Stop is long b ? (b < 0 ? Math.Max(-1, b + n) : Math.Min(b, n - 1)) : -1;
                for (long i = start; i > stop; i += step)
                {
                    list.Add(i);
                }
            }

            picks.Add([.. list]);
            kept.Add(true);
        }

        var outShape = picks.Where((_, d) => kept[d]).Select(p => (long)p.Length).ToArray();
        var counts = picks.Select(p => (long)p.Length).ToArray();
        var result = new List<int>();
        foreach (var idx in StructureTestData.Indices(counts))
        {
            var src = idx.Select((k, d) => picks[d][k]).ToArray();
            result.Add(data[StructureTestData.Flat(shape, src)]);
        }

        return (outShape, [.. result]);
    }
}
