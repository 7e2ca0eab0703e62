using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;

namespace ChunkCompute.Tests.Ops.Reductions;

/// <summary>
/// Reductions on random shapes, random irregular chunkings, every axis subset and splitEvery 2/3/4, against a naive
/// element-by-element reference written here (no chunks, no merging).
/// </summary>
public sealed class ReductionReferenceTests
{
    public static TheoryData<int> Seeds() => new(Enumerable.Range(1, 12));

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Reductions_RandomShapesAndChunkings_MatchNaiveReference(int seed)
    {
        var rng = new Random(seed);
        int rank = 1 + rng.Next(3);
        var shape = Enumerable.Range(0, rank).Select(_ => (long)(1 + rng.Next(9))).ToArray();
        var grid = ChunkGrid.FromSizes(shape.Select(n => RandomSizes(rng, (int)n)).ToList());
        long count = shape.Aggregate(1L, (a, b) => a * b);
        var doubles = Enumerable.Range(0, (int)count).Select(_ => Math.Round((rng.NextDouble() - 0.5) * 200, 2)).ToArray();
        var ints = Enumerable.Range(0, (int)count).Select(_ => rng.Next(-5, 6)).ToArray();
        var x = ChunkedArray.FromArray(doubles, grid);
        var xi = ChunkedArray.FromArray(ints, grid);
        for (int mask = 0; mask < 1 << rank; mask++)
        {
            var axes = Enumerable.Range(0, rank).Where(d => (mask & (1 << d)) != 0).Select(d => rng.Next(2) == 0 ? d : d - rank).ToArray();
            var reduced = Enumerable.Range(0, rank).Select(d => (mask & (1 << d)) != 0).ToArray();
            int split = 2 + rng.Next(3);
            bool keep = rng.Next(2) == 0;
            string what = $"shape [{string.Join(", ", shape)}] chunks {grid} axes [{string.Join(", ", axes)}] splitEvery {split} keepDims {keep}";

            AssertClose(Naive(doubles, shape, reduced, v => v.Sum()), x.Sum(axes, keep, split).Compute().ToArray(), what + " sum");
            AssertClose(Naive(doubles, shape, reduced, v => v.Average()), x.Mean(axes, keep, split).Compute().ToArray(), what + " mean");
            AssertClose(Naive(doubles, shape, reduced, v => Var(v, 1)), x.Var(axes, keep, ddof: 1, splitEvery: split).Compute().ToArray(), what + " var");
            AssertClose(Naive(doubles, shape, reduced, v => v.Min()), x.Min(axes, keep, split).Compute().ToArray(), what + " min");
            AssertClose(Naive(doubles, shape, reduced, v => v.Max()), x.Max(axes, keep, split).Compute().ToArray(), what + " max");
            Assert.Equal(Naive(ints.Select(i => (double)i).ToArray(), shape, reduced, v => v.Sum()).Select(v => (long)v), xi.Sum(axes, keep, split).Compute().ToArray());
            Assert.Equal(Naive(ints.Select(i => (double)i).ToArray(), shape, reduced, v => v.Count(e => e != 0)).Select(v => (long)v), xi.CountNonZero(axes, keep, split).Compute().ToArray());
            Assert.Equal(Naive(ints.Select(i => (double)i).ToArray(), shape, reduced, v => v.All(e => e != 0) ? 1 : 0).Select(v => v == 1), xi.All(axes, keep, split).Compute().ToArray());
            var result = x.Sum(axes, keep, split).Compute();
            Assert.Equal(Enumerable.Range(0, rank).Where(d => keep || !reduced[d]).Select(d => reduced[d] ? 1 : shape[d]), result.Shape);
        }

        for (int d = 0; d < rank; d++)
        {
            int split = 2 + rng.Next(3);
            var reduced = Enumerable.Range(0, rank).Select(k => k == d).ToArray();
            var expected = NaiveIndexed(ints.Select(i => (double)i).ToArray(), shape, reduced, d);
            Assert.Equal(expected, xi.ArgMax(d - (rng.Next(2) * rank), splitEvery: split).Compute().ToArray());
        }

        long flatArgMin = Array.IndexOf(doubles, doubles.Min());
        Assert.Equal(flatArgMin, x.ArgMin(splitEvery: 2).ComputeScalar());
    }

    private static IReadOnlyList<int> RandomSizes(Random rng, int n)
    {
        var sizes = new List<int>();
        while (n > 0)
        {
            int c = Math.Min(n, 1 + rng.Next(4));
            sizes.Add(c);
            n -= c;
        }

        return sizes;
    }

    private static double Var(IEnumerable<double> values, double ddof)
    {
        var v = values.ToArray();
        double m = v.Average();
        return v.Sum(e => (e - m) * (e - m)) / (v.Length - ddof);
    }

    /// <summary>Groups elements by their output position (reduced coordinates dropped) and applies <paramref name="f"/>.</summary>
    private static double[] Naive(double[] data, long[] shape, bool[] reduced, Func<IEnumerable<double>, double> f)
    {
        var groups = new SortedDictionary<long, List<double>>();
        var index = new long[shape.Length];
        for (int k = 0; k < data.Length; k++)
        {
            long rem = k, key = 0;
            for (int d = shape.Length - 1; d >= 0; d--)
            {
                index[d] = rem % shape[d];
                rem /= shape[d];
            }

            for (int d = 0; d < shape.Length; d++)
            {
                key = reduced[d] ? key : (key * shape[d]) + index[d];
            }

            if (!groups.TryGetValue(key, out var list))
            {
                groups[key] = list = [];
            }

            list.Add(data[k]);
        }

        return groups.Values.Select(f).ToArray();
    }

    /// <summary>Arg-max along <paramref name="axis"/>: first index of the maximum.</summary>
    private static long[] NaiveIndexed(double[] data, long[] shape, bool[] reduced, int axis)
    {
        var positions = Naive(Enumerable.Range(0, data.Length).Select(i => (double)i).ToArray(), shape, reduced, v => 0).Length;
        var result = new long[positions];
        var groups = new SortedDictionary<long, List<(double V, long I)>>();
        for (int k = 0; k < data.Length; k++)
        {
            long rem = k, key = 0, along = 0;
            var index = new long[shape.Length];
            for (int d = shape.Length - 1; d >= 0; d--)
            {
                index[d] = rem % shape[d];
                rem /= shape[d];
            }

            for (int d = 0; d < shape.Length; d++)
            {
                key = reduced[d] ? key : (key * shape[d]) + index[d];
            }

            along = index[axis];
            if (!groups.TryGetValue(key, out var list))
            {
                groups[key] = list = [];
            }

            list.Add((data[k], along));
        }

        int o = 0;
        foreach (var g in groups.Values)
        {
            double best = g.Max(e => e.V);
            result[o++] = g.First(e => e.V == best).I;
        }

        return result;
    }

    private static void AssertClose(double[] expected, double[] actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} elements, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(expected[i].Equals(actual[i]) || Math.Abs(expected[i] - actual[i]) <= 1e-9 * Math.Max(1, Math.Abs(expected[i])), $"{what}: element {i} is {actual[i]}, expected {expected[i]}");
        }
    }
}
