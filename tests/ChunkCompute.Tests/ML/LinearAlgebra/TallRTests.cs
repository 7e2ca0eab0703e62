using ChunkCompute.ML.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace ChunkCompute.Tests.ML.LinearAlgebra;

/// <summary>
/// The R-only, panel-by-panel QR used by TSQR's leaves, against MathNet's Householder QR (with the same sign convention)
/// and against the identity RᵀR = AᵀA, which any R of A must satisfy.
/// </summary>
public sealed class TallRTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 64, 64, 256 },     // square: one panel
        { 1000, 7, 256 },    // rows not a multiple of the panel
        { 4099, 64, 256 },   // many panels and a 3-row tail
        { 300, 20, 1 },      // one row per panel: every step is a rank-one update of R
        { 513, 33, 512 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TallR_MatchesMathNetsR_AndItsGramMatrixIsAtA(int m, int n, int panel)
    {
        var random = new Random(m * 31 + n);
        var a = Matrix<double>.Build.Dense(m, n, (_, _) => (random.NextDouble() * 2) - 1);
        double[] columnMajor = a.ToColumnMajorArray();

        double[] r = DenseBlocks.TallR(columnMajor, m, n, panel);

        var expected = DenseBlocks.Qr(a).R;
        double scale = a.FrobeniusNorm();
        for (int i = 0; i < n; i++)
        {
            Assert.True(r[(i * n) + i] >= 0, $"diagonal {i} is negative");
            for (int j = 0; j < n; j++)
            {
                if (j < i)
                {
                    Assert.Equal(0.0, r[(i * n) + j]); // exactly upper triangular
                }

                Assert.True(Math.Abs(r[(i * n) + j] - expected[i, j]) <= 1e-12 * scale, $"R[{i},{j}] = {r[(i * n) + j]}, MathNet {expected[i, j]}");
            }
        }

        var rm = Matrix<double>.Build.Dense(n, n, (i, j) => r[(i * n) + j]);
        var gram = a.TransposeThisAndMultiply(a);
        Assert.True((rm.TransposeThisAndMultiply(rm) - gram).FrobeniusNorm() <= 1e-12 * gram.FrobeniusNorm());
    }

    [Fact]
    public void TallR_RankDeficientColumns_GiveZeroRows_NotNaN()
    {
        // Column 1 is zero and column 2 repeats column 0: R has a zero diagonal where the rank drops, and no NaN.
        int m = 600, n = 3;
        var random = new Random(5);
        var a = Matrix<double>.Build.Dense(m, n);
        for (int i = 0; i < m; i++)
        {
            double x = random.NextDouble();
            a[i, 0] = x;
            a[i, 2] = x;
        }

        double[] r = DenseBlocks.TallR(a.ToColumnMajorArray(), m, n);
        Assert.DoesNotContain(r, double.IsNaN);
        Assert.Equal(0.0, r[(1 * n) + 1]);
        Assert.True(Math.Abs(r[(2 * n) + 2]) <= 1e-12 * r[0]);
        Assert.Equal(a.Column(0).L2Norm(), r[0], 12);
        Assert.Equal(a.Column(0).L2Norm(), r[2], 12); // column 2 = column 0
    }
}
