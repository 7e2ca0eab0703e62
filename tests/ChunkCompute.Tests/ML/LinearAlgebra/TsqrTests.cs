using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.ML.LinearAlgebra;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using MathNet.Numerics.LinearAlgebra;
using static ChunkCompute.Tests.ML.LinearAlgebra.LinalgTestData;

namespace ChunkCompute.Tests.ML.LinearAlgebra;

/// <summary>TSQR and SVD through TSQR: NumPy fixtures, closed forms (low rank), lazy Q/U, budgets, bad input.</summary>
public sealed class TsqrTests
{
    public static TheoryData<string, int, int> Cases() => new()
    {
        { "f64", 2, 0 }, { "f64", 3, 1 }, { "f64", 4, 2 }, { "f32", 2, 1 }, { "f32", 4, 2 },
    };

    // Row chunkings: regular; irregular; blocks smaller than the 6 columns (leaves with fewer rows than columns).
    private static int[] Rows(int which) => which switch
    {
        0 => [50],
        1 => [64, 7, 30, 100],
        _ => [4, 9, 2, 1, 30],
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Tsqr_MatchesNumPyR_AndQIsOrthonormal(string type, int splitEvery, int chunking)
    {
        if (type == "f64")
        {
            Check(Load<double>("t_f64", out var shape), shape, type, splitEvery, chunking, 1e-10, 1e-10);
        }
        else
        {
            Check(Load<float>("t_f32", out var shape), shape, type, splitEvery, chunking, 1e-9, 2e-5);
        }
    }

    private static void Check<T>(T[] data, long[] shape, string type, int splitEvery, int chunking, double rTol, double qTol)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var x = Chunked(data, shape, Rows(chunking), [6]);
        string what = $"{type} chunks {x.Chunks} splitEvery {splitEvery}";
        var qr = x.Tsqr(splitEvery: splitEvery);
        var expectedR = ToMatrix(LoadDouble("r_" + type, out _), 6, 6);
        Close(expectedR, qr.R, rTol, what + " R");
        for (int i = 0; i < 6; i++)
        {
            Assert.True(qr.R.At(i, i) >= 0, what + ": R's diagonal is non-negative");
        }

        var q = ToMatrix(qr.Q.Compute().ToArray(), shape[0], 6);
        Close(Matrix<double>.Build.DenseIdentity(6), q.TransposeThisAndMultiply(q), qTol, what + " QᵀQ");
        Close(ToMatrix(data, shape[0], 6), q * qr.R, qTol, what + " QR = X");

        var svd = x.Svd(splitEvery: splitEvery);
        Close(Matrix<double>.Build.DenseOfColumnArrays(LoadDouble("s_" + type, out _)), Matrix<double>.Build.DenseOfColumnVectors(svd.SingularValues), rTol, what + " S");
        CloseUpToColumnSigns(ToMatrix(LoadDouble("vt_" + type, out _), 6, 6).Transpose(), svd.V, 1e-8, what + " V");
        var u = ToMatrix(svd.U.Compute().ToArray(), shape[0], 6);
        Close(ToMatrix(data, shape[0], 6), u * Matrix<double>.Build.DenseOfDiagonalVector(svd.SingularValues) * svd.V.Transpose(), qTol, what + " U S Vᵀ = X");
    }

    [Fact]
    public void Svd_ConstructedLowRank_RecoversSingularValues()
    {
        // X = U diag(s) Vᵀ with orthonormal U (400 × 3), V (5 × 3): rank 3, singular values 7, 3, 0.5, then zeros.
        var rng = new Random(3);
        var u = Matrix<double>.Build.Dense(400, 3, (_, _) => rng.NextDouble() - 0.5).QR().Q.SubMatrix(0, 400, 0, 3);
        var v = Matrix<double>.Build.Dense(5, 3, (_, _) => rng.NextDouble() - 0.5).QR().Q.SubMatrix(0, 5, 0, 3);
        double[] s = [7, 3, 0.5];
        var x = u * Matrix<double>.Build.DenseOfDiagonalArray(s) * v.Transpose();
        var data = x.ToRowMajorArray();
        var chunked = Chunked(data, [400, 5], [33, 90], [5]);
        var svd = chunked.Svd(splitEvery: 3);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(s[i], svd.SingularValues[i], 1e-10);
        }

        Assert.True(svd.SingularValues[3] < 1e-12 && svd.SingularValues[4] < 1e-12, $"rank 3: {svd.SingularValues}");
        CloseUpToColumnSigns(v, svd.V.SubMatrix(0, 5, 0, 3), 1e-9, "V of the rank-3 part");
        var uComputed = ToMatrix(svd.U.Compute().ToArray(), 400, 5).SubMatrix(0, 400, 0, 3);
        CloseUpToColumnSigns(u, uComputed, 1e-9, "U of the rank-3 part");
    }

    [Fact]
    public void Tsqr_RankDeficient_QStaysOrthonormalAndReproducesX()
    {
        // column 2 = column 0 + column 1 everywhere, and column 3 is zero in the first blocks
        var rng = new Random(13);
        int m = 200, n = 4;
        var data = new double[m * n];
        for (int i = 0; i < m; i++)
        {
            data[(i * n) + 0] = rng.NextDouble();
            data[(i * n) + 1] = rng.NextDouble();
            data[(i * n) + 2] = data[(i * n) + 0] + data[(i * n) + 1];
            data[(i * n) + 3] = i < 60 ? 0 : rng.NextDouble();
        }

        var qr = Chunked(data, [m, n], [25, 35], [4]).Tsqr(splitEvery: 2);
        Assert.True(Math.Abs(qr.R.At(2, 2)) < 1e-12, $"R[2,2] = {qr.R.At(2, 2)}");
        var q = ToMatrix(qr.Q.Compute().ToArray(), m, n);
        Close(Matrix<double>.Build.DenseIdentity(n), q.TransposeThisAndMultiply(q), 1e-12, "QᵀQ");
        Close(ToMatrix(data, m, n), q * qr.R, 1e-12, "QR = X");
    }

    [Fact]
    public void Tsqr_SingleBlock_IsPlainQr()
    {
        var data = Load<double>("t_f64", out var shape);
        var qr = Chunked(data, shape, [400], [6]).Tsqr();
        Close(ToMatrix(LoadDouble("r_f64", out _), 6, 6), qr.R, 1e-10, "one block");
        var q = ToMatrix(qr.Q.Compute().ToArray(), shape[0], 6);
        Close(ToMatrix(data, shape[0], 6), q * qr.R, 1e-10, "one block QR = X");
    }

    [Fact]
    public void Tsqr_TightBudget_ManyLeaves_QWithinBudget()
    {
        var rng = new Random(9);
        int m = 6000, n = 4;
        var data = Enumerable.Range(0, m * n).Select(_ => rng.NextDouble()).ToArray();
        // 120 leaves; "+ 0.0" makes every block a real, counted buffer instead of a view of the source array
        var x = Chunked(data, [m, n], [50], [4]) + 0.0;
        var budget = new ComputeOptions { MemoryBudget = 96 << 10 }; // X is 188 KiB; the "+" task alone has 32 KiB of tile scratch
        var qr = x.Tsqr(budget, splitEvery: 2);
        var expected = ToMatrix(data, m, n).QR().R;
        Close(expected.PointwiseAbs(), qr.R.PointwiseAbs(), 1e-10, "R under budget");
        var q = qr.Q.Compute(budget);
        Assert.InRange(q.Statistics.PeakMemoryBytes, 1, budget.MemoryBudget);
        Close(ToMatrix(data, m, n), ToMatrix(q.ToArray(), m, n) * qr.R, 1e-10, "QR = X under budget");
        Assert.Throws<MemoryPlanRefusedException>(() => x.Tsqr(new ComputeOptions { MemoryBudget = 4 << 10 }));
    }

    [Fact]
    public async Task TsqrAsync_Cancelled_Throws()
    {
        var x = ChunkedArray.Random.Uniform<double>([5000, 3], [100, 3], 1);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => x.TsqrAsync(cancellationToken: cts.Token));
    }

    [Fact]
    public void Tsqr_NotTwoDimensional_IsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => ChunkedArray.Zeros<double>([10], [5]).Tsqr());
        Assert.Contains("2-D", e.Message, StringComparison.Ordinal);
        Assert.Contains("[10]", e.Message, StringComparison.Ordinal);
        Assert.Contains("2-D", Assert.Throws<ArgumentException>(() => ChunkedArray.Zeros<double>([4, 2, 2], [4, 2, 2]).Svd()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tsqr_MoreColumnsThanRows_IsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => ChunkedArray.Zeros<double>([3, 5], [3, 5]).Tsqr());
        Assert.Contains("more columns (5) than rows (3)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tsqr_ColumnsSplitAcrossChunks_SaysToRechunk()
    {
        var e = Assert.Throws<ArgumentException>(() => ChunkedArray.Zeros<double>([100, 6], [10, 4]).Svd());
        Assert.Contains("one chunk", e.Message, StringComparison.Ordinal);
        Assert.Contains("Rechunk([10, 6])", e.Message, StringComparison.Ordinal);
    }
}
