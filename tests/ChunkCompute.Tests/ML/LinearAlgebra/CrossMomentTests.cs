using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.ML.LinearAlgebra;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using MathNet.Numerics.LinearAlgebra;
using static ChunkCompute.Tests.ML.LinearAlgebra.LinalgTestData;

namespace ChunkCompute.Tests.ML.LinearAlgebra;

/// <summary>Gram, Covariance and Correlation against NumPy (cov/corrcoef), MathNet and a tight budget.</summary>
public sealed class CrossMomentTests
{
    public static TheoryData<string, int, int> Cases() => new()
    {
        { "f64", 2, 0 }, { "f64", 3, 1 }, { "f64", 4, 2 }, { "f32", 2, 1 }, { "f32", 4, 0 },
    };

    // Chunkings: 0 = columns in one chunk; 1 = columns split irregularly; 2 = many tiny row blocks.
    private static (int[] Rows, int[] Cols) Chunking(int which) => which switch
    {
        0 => ([17, 40, 5], [9]),
        1 => ([50, 13], [4, 2, 3]),
        _ => ([3, 1, 7], [5, 4]),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void CrossMoments_MatchNumPy(string type, int splitEvery, int chunking)
    {
        var (rows, cols) = Chunking(chunking);
        if (type == "f64")
        {
            Check(Chunked(Load<double>("x_f64", out var shape), shape, rows, cols), type, splitEvery, 1e-10);
        }
        else
        {
            Check(Chunked(Load<float>("x_f32", out var shape), shape, rows, cols), type, splitEvery, 1e-5);
        }
    }

    private static void Check<T>(ChunkedArray<T> x, string type, int splitEvery, double rtol)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        string what = $"{type} chunks {x.Chunks} splitEvery {splitEvery}";
        var gram = x.Gram(splitEvery).Compute();
        Assert.Equal([9L, 9L], gram.Shape);
        Close(LoadDouble("gram_" + type, out _), gram.ToArray(), rtol, rtol, what + " gram");
        Close(LoadDouble("cov1_" + type, out _), x.Covariance(splitEvery: splitEvery).Compute().ToArray(), rtol, rtol, what + " cov ddof 1");
        Close(LoadDouble("cov0_" + type, out _), x.Covariance(0, splitEvery).Compute().ToArray(), rtol, rtol, what + " cov ddof 0");
        Close(LoadDouble("corr_" + type, out _), x.Correlation(splitEvery).Compute().ToArray(), rtol, rtol, what + " corr");
    }

    [Fact]
    public void Covariance_RandomData_MatchesMathNetCentredProduct()
    {
        var rng = new Random(11);
        int m = 123, n = 7;
        var data = Enumerable.Range(0, m * n).Select(i => (rng.NextDouble() * 10) + (i % n * 1000)).ToArray();
        var x = Chunked(data, [m, n], [10, 31], [3, 1]);
        var xm = ToMatrix(data, m, n);
        var means = xm.ColumnSums() / m;
        var centred = Matrix<double>.Build.Dense(m, n, (i, j) => xm.At(i, j) - means[j]);
        var expected = centred.TransposeThisAndMultiply(centred) / (m - 2.5);
        Close(expected, ToMatrix(x.Covariance(ddof: 2.5).Compute().ToArray(), n, n), 1e-10, "cov ddof 2.5");
        Close(xm.TransposeThisAndMultiply(xm), ToMatrix(x.Gram(2).Compute().ToArray(), n, n), 1e-12, "gram");
    }

    [Fact]
    public void Gram_EqualsTransposeMatMul()
    {
        var x = Chunked(Load<double>("x_f64", out var shape), shape, [50, 13], [4, 2, 3]);
        var viaProduct = x.Transpose().MatMul(x, 3).Compute().ToArray();
        Close(viaProduct, x.Gram().Compute().ToArray(), 1e-12, 1e-9, "Gram vs XᵀX through MatMul");
    }

    [Fact]
    public void Covariance_TightBudget_ManyPartialsWithinBudget()
    {
        var rng = new Random(5);
        int m = 20000, n = 6;
        var data = Enumerable.Range(0, m * n).Select(_ => rng.NextDouble()).ToArray();
        var x = Chunked(data, [m, n], [250], [2, 4]); // column split: chunks are copied, so they count
        long budget = 48 << 10; // the array is 937 KiB
        var result = x.Covariance().Compute(new ComputeOptions { MemoryBudget = budget });
        Assert.InRange(result.Statistics.PeakMemoryBytes, 1, budget);
        Assert.True(result.Statistics.Tasks > 80 * 3, $"{result.Statistics.Tasks} tasks");
        var xm = ToMatrix(data, m, n);
        var means = xm.ColumnSums() / m;
        var centred = Matrix<double>.Build.Dense(m, n, (i, j) => xm.At(i, j) - means[j]);
        Close(centred.TransposeThisAndMultiply(centred) / (m - 1), ToMatrix(result.ToArray(), n, n), 1e-10, "tight budget");
    }

    [Fact]
    public void CrossMoments_NotTwoDimensional_AreRejected()
    {
        var v = ChunkedArray.Zeros<double>([10], [5]);
        Assert.Contains("2-D", Assert.Throws<ArgumentException>(() => v.Gram()).Message, StringComparison.Ordinal);
        Assert.Contains("[10]", Assert.Throws<ArgumentException>(() => v.Covariance()).Message, StringComparison.Ordinal);
        Assert.Contains("Correlation", Assert.Throws<ArgumentException>(() => v.Correlation()).Message, StringComparison.Ordinal);
    }
}
