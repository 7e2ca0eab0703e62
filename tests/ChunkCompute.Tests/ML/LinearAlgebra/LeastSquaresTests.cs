using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.ML.LinearAlgebra;
using static ChunkCompute.Tests.ML.LinearAlgebra.LinalgTestData;

namespace ChunkCompute.Tests.ML.LinearAlgebra;

/// <summary>Least squares through TSQR of [X | y]: NumPy's lstsq, an exact linear model, bad input.</summary>
public sealed class LeastSquaresTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void LeastSquares_MatchesNumPyLstsq(int splitEvery)
    {
        var x = Load<double>("lx_f64", out var shape);
        var y = LoadDouble("ly_f64", out _);
        var cx = Chunked(x, shape, [40, 3, 61], [5]);
        var cy = ChunkedArray.FromArray(y, ChunkGrid.FromSizes([Split(shape[0], 100)])); // other row chunks: rechunked
        var fit = ChunkedLinearAlgebra.LeastSquares(cx, cy, splitEvery: splitEvery);
        Close(LoadDouble("coef_f64", out _), fit.Coefficients.ToArray().AsSpan(), 1e-10, 1e-12, "coefficients");
        Assert.Equal(LoadDouble("rss_f64", out _)[0], fit.ResidualSumOfSquares, 1e-9);
        Assert.Equal(shape[0], fit.Rows);
    }

    [Fact]
    public void LeastSquares_ExactLinearModel_RecoversCoefficients_Float32()
    {
        // y = 2 − 3 x1 + 0.5 x2 exactly (integers and halves: exact in float32)
        int m = 500;
        var x = new float[m * 3];
        var y = new float[m];
        for (int i = 0; i < m; i++)
        {
            float x1 = i % 17, x2 = (i * 7) % 23;
            x[(i * 3) + 0] = 1;
            x[(i * 3) + 1] = x1;
            x[(i * 3) + 2] = x2;
            y[i] = 2 - (3 * x1) + (0.5f * x2);
        }

        var fit = ChunkedLinearAlgebra.LeastSquares(Chunked(x, [m, 3], [64, 9], [3]), ChunkedArray.FromArray(y, ChunkGrid.FromSizes([Split(m, 64, 9)])));
        Assert.Equal(2, fit.Coefficients[0], 1e-9);
        Assert.Equal(-3, fit.Coefficients[1], 1e-9);
        Assert.Equal(0.5, fit.Coefficients[2], 1e-9);
        Assert.True(fit.ResidualSumOfSquares < 1e-16 * m, $"RSS {fit.ResidualSumOfSquares}");
    }

    [Fact]
    public void LeastSquares_SquareSystem_SolvesExactly()
    {
        double[] x = [2, 1, 1, 3];
        double[] y = [3, 5];
        var fit = ChunkedLinearAlgebra.LeastSquares(Chunked(x, [2, 2], [1], [2]), ChunkedArray.FromArray(y, 1));
        Assert.Equal(0.8, fit.Coefficients[0], 1e-12);
        Assert.Equal(1.4, fit.Coefficients[1], 1e-12);
        Assert.Equal(0, fit.ResidualSumOfSquares);
    }

    [Fact]
    public void LeastSquares_RankDeficient_IsAnError()
    {
        var x = new double[100 * 3];
        for (int i = 0; i < 100; i++)
        {
            x[(i * 3) + 0] = i;
            x[(i * 3) + 1] = 1;
            x[(i * 3) + 2] = (2 * i) + 1; // = 2·col0 + col1
        }

        var y = Enumerable.Range(0, 100).Select(i => (double)i).ToArray();
        var e = Assert.Throws<InvalidOperationException>(() => ChunkedLinearAlgebra.LeastSquares(Chunked(x, [100, 3], [30], [3]), ChunkedArray.FromArray(y, 30)));
        Assert.Contains("rank deficient", e.Message, StringComparison.Ordinal);
        Assert.Contains("column 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LeastSquares_BadShapes_AreRejected()
    {
        var x = ChunkedArray.Zeros<double>([10, 2], [5, 2]);
        var rows = Assert.Throws<ArgumentException>(() => ChunkedLinearAlgebra.LeastSquares(x, ChunkedArray.Zeros<double>([9], [5])));
        Assert.Contains("10 rows", rows.Message, StringComparison.Ordinal);
        Assert.Contains("[9]", rows.Message, StringComparison.Ordinal);
        Assert.Contains("1-D", Assert.Throws<ArgumentException>(() => ChunkedLinearAlgebra.LeastSquares(x, ChunkedArray.Zeros<double>([10, 1], [5, 1]))).Message, StringComparison.Ordinal);
        Assert.Contains("more columns (4) than rows (3)", Assert.Throws<ArgumentException>(() => ChunkedLinearAlgebra.LeastSquares(ChunkedArray.Zeros<double>([3, 4], [3, 4]), ChunkedArray.Zeros<double>([3], [3]))).Message, StringComparison.Ordinal);
        Assert.Contains("Rechunk", Assert.Throws<ArgumentException>(() => ChunkedLinearAlgebra.LeastSquares(ChunkedArray.Zeros<double>([10, 4], [5, 2]), ChunkedArray.Zeros<double>([10], [5]))).Message, StringComparison.Ordinal);
    }
}
