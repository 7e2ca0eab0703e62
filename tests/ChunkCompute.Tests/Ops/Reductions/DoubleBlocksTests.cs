using System.Numerics;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using Xunit;

namespace ChunkCompute.Tests.Ops.Reductions;

/// <summary>
/// The block kernels under sum, mean and var/std (<see cref="DoubleBlocks"/>): float32 and float64 blocks are summed in
/// SIMD registers, other types through a widened copy. Every length around the vector and block boundaries, NaNs
/// skipped or propagated, infinities; against exact answers (the values are multiples of 1/8, small enough that every
/// float64 partial sum of them, and of their squared deviations from a mean that is a multiple of 1/8, is exact, so
/// any summation order must give exactly the same result).
/// </summary>
public sealed class DoubleBlocksTests
{
    public static TheoryData<int> Lengths() => [0, 1, 3, 4, 5, 15, 16, 17, 63, 255, 256, 257, 1000, 4099];

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Sums_And_SquaredDeviations_AreExact_ForEveryLength(int n)
    {
        var rng = new Random(n + 1);
        var eighths = Enumerable.Range(0, n).Select(_ => rng.Next(-4000, 4000) / 8.0).ToArray();
        double exact = eighths.Sum(); // exact: |partial sums| < 2^40 in steps of 1/8
        double mean = Math.Round(exact / Math.Max(n, 1) * 8) / 8; // a multiple of 1/8: deviations and squares exact
        double exactM2 = eighths.Sum(x => (x - mean) * (x - mean));

        Check(eighths, exact, exactM2, mean, "double");
        Check(eighths.Select(x => (float)x).ToArray(), exact, exactM2, mean, "float");
        Check(eighths.Select(x => (int)Math.Floor(x)).ToArray(), eighths.Sum(x => Math.Floor(x)), eighths.Sum(x => (Math.Floor(x) - mean) * (Math.Floor(x) - mean)), mean, "int");
    }

    [Fact]
    public void NaNs_AreSkipped_OrPropagated_BlockByBlock()
    {
        foreach (int at in new[] { 0, 7, 255, 256, 300, 599 })
        {
            var values = Enumerable.Range(0, 600).Select(i => (double)(i % 13)).ToArray();
            values[at] = double.NaN;
            double expected = values.Where(v => !double.IsNaN(v)).Sum();
            foreach (var (name, sum, count) in new[] { Accumulate(values, true), Accumulate(values.Select(v => (float)v).ToArray(), true) })
            {
                Assert.True(expected == sum, $"{name}, NaN at {at}: sum {sum}, expected {expected}");
                Assert.Equal(599, count);
            }

            Assert.True(double.IsNaN(Accumulate(values, false).Sum), $"NaN at {at} must propagate");
            double mean = expected / 599;
            double m2 = values.Where(v => !double.IsNaN(v)).Sum(v => (v - mean) * (v - mean));
            Assert.Equal(m2, DoubleBlocks.SumSquaredDeviations<double>(values, mean, skipNaN: true), 1e-9 * m2);
            Assert.True(double.IsNaN(DoubleBlocks.SumSquaredDeviations<double>(values, mean, skipNaN: false)));
        }
    }

    [Fact]
    public void Infinities_GiveNumPysAnswers()
    {
        var values = Enumerable.Repeat(1f, 100).ToArray();
        values[40] = float.PositiveInfinity;
        Assert.Equal(double.PositiveInfinity, Accumulate(values, false).Sum);
        Assert.Equal(double.PositiveInfinity, DoubleBlocks.SumSquaredDeviations<float>(values, 1, skipNaN: false));

        // The mean of data holding inf is inf: the deviation inf − inf is NaN, and skipping NaN elements keeps it.
        Assert.True(double.IsNaN(DoubleBlocks.SumSquaredDeviations<float>(values, double.PositiveInfinity, skipNaN: true)));
        values[90] = float.NegativeInfinity;
        Assert.True(double.IsNaN(Accumulate(values, false).Sum)); // inf + -inf
    }

    [Fact]
    public void AddInto_AddsEveryElement_ForEveryLength()
    {
        foreach (int n in new[] { 0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 33, 1000 })
        {
            var rng = new Random(n);
            var row = Enumerable.Range(0, n).Select(_ => rng.Next(-1000, 1000) / 8f).ToArray();
            var target = Enumerable.Range(0, n + 3).Select(i => i * 0.5).ToArray(); // longer than the row: the rest stays
            var expected = target.Select((t, i) => i < n ? t + row[i] : t).ToArray();
            DoubleBlocks.AddInto<float>(target, row, new double[Math.Max(n, 1)]);
            Assert.Equal(expected, target);

            var rowD = row.Select(x => (double)x).ToArray();
            var targetD = Enumerable.Range(0, n + 2).Select(i => i * 0.5).ToArray(); // the widened path keeps the rest too
            var expectedD = targetD.Select((t, i) => i < n ? t + rowD[i] : t).ToArray();
            DoubleBlocks.AddInto<double>(targetD, rowD, new double[Math.Max(n, 1)]);
            Assert.Equal(expectedD, targetD);

            var rowI = row.Select(x => (int)Math.Floor(x)).ToArray();
            var targetI = Enumerable.Range(0, n + 1).Select(i => i * 0.25).ToArray();
            var expectedI = targetI.Select((t, i) => i < n ? t + rowI[i] : t).ToArray();
            DoubleBlocks.AddInto<int>(targetI, rowI, new double[Math.Max(n, 1)]);
            Assert.Equal(expectedI, targetI);
        }
    }

    [Theory]
    [InlineData(1000, 600)]   // several folds of the row buffer inside one chunk, and a partial last chunk
    [InlineData(257, 257)]    // one row past a fold
    public void SumAndMean_AlongAxis0_AreExact_AcrossRowBufferFolds(int rows, int chunkRows)
    {
        var rng = new Random(rows);
        var data = new float[rows * 37];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = rng.Next(-4000, 4000) / 8f;
        }

        var x = ChunkCompute.Graph.ChunkedArray.FromArray(data, [rows, 37], [chunkRows, 20]);
        var sums = x.Sum(0).Compute().ToArray();
        var means = x.Mean(0).Compute().ToArray();
        for (int j = 0; j < 37; j++)
        {
            double exact = 0;
            for (int i = 0; i < rows; i++)
            {
                exact += data[(i * 37) + j];
            }

            Assert.Equal((float)exact, sums[j]);
            Assert.Equal((float)(exact / rows), means[j]);
        }
    }

    private static void Check<T>(T[] values, double exactSum, double exactM2, double mean, string type)
        where T : unmanaged, INumberBase<T>
    {
        var (_, sum, count) = Accumulate(values, false);
        Assert.True(exactSum == sum, $"{type} × {values.Length}: sum {sum}, exact {exactSum}");
        Assert.Equal(values.Length, count);
        double m2 = DoubleBlocks.SumSquaredDeviations<T>(values, mean, skipNaN: false);
        Assert.True(exactM2 == m2, $"{type} × {values.Length}: Σ(x − mean)² {m2}, exact {exactM2}");
    }

    private static (string Name, double Sum, long Count) Accumulate<T>(T[] values, bool skipNaN)
        where T : unmanaged, INumberBase<T>
    {
        var sum = default(CompensatedSum);
        long count = 0;
        DoubleBlocks.Accumulate<T>(values, skipNaN, ref sum, ref count);
        return (typeof(T).Name, sum.Value, count);
    }
}
