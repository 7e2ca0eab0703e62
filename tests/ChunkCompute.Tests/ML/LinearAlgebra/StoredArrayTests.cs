using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.ML.LinearAlgebra;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using MathNet.Numerics.LinearAlgebra;
using static ChunkCompute.Tests.ML.LinearAlgebra.LinalgTestData;

namespace ChunkCompute.Tests.ML.LinearAlgebra;

/// <summary>The decompositions over a stored array larger than the budget: every block is read, counted and freed.</summary>
public sealed class StoredArrayTests
{
    [Fact]
    public void StoredTallArray_TsqrQCovarianceAndLeastSquares_StayUnderBudget()
    {
        using var store = ZarrStore.InMemory();
        const int M = 40_000, N = 5, Rows = 1000; // 1.5 MiB in 40 blocks of 39 KiB
        var rng = new Random(17);
        var data = Enumerable.Range(0, M * N).Select(_ => rng.NextDouble() - 0.3).ToArray();
        double[] beta = [1, -2, 0.5, 4, 0];
        var y = Enumerable.Range(0, M).Select(i => Enumerable.Range(0, N).Sum(j => data[(i * N) + j] * beta[j])).ToArray();
        store.CreateArray<double>("x", [M, N], [Rows, N]).Write(data);
        store.CreateArray<double>("y", [M], [Rows * 2]).Write(y);
        var x = store.Open<double>("x");
        var reports = new List<ComputeProgress>();
        var options = new ComputeOptions { MemoryBudget = 320 << 10, Progress = new SyncProgress(reports) };

        var qr = x.Tsqr(options, splitEvery: 3);
        var q = qr.Q.Compute(options);
        Assert.InRange(q.Statistics.PeakMemoryBytes, 1, options.MemoryBudget);
        var xm = ToMatrix(data, M, N);
        Close(xm, ToMatrix(q.ToArray(), M, N) * qr.R, 1e-12, "QR = X");
        Close(xm.QR().R.PointwiseAbs(), qr.R.PointwiseAbs(), 1e-10, "R");
        Assert.NotEmpty(reports);
        Assert.Equal(reports[^1].TasksTotal, reports[^1].TasksDone);

        var cov = x.Covariance().Compute(options);
        Assert.InRange(cov.Statistics.PeakMemoryBytes, 1, options.MemoryBudget);
        var means = xm.ColumnSums() / M;
        var centred = Matrix<double>.Build.Dense(M, N, (i, j) => xm.At(i, j) - means[j]);
        Close(centred.TransposeThisAndMultiply(centred) / (M - 1), ToMatrix(cov.ToArray(), N, N), 1e-10, "covariance");

        var fit = ChunkedLinearAlgebra.LeastSquares(x, store.Open<double>("y"), options);
        for (int j = 0; j < N; j++)
        {
            Assert.Equal(beta[j], fit.Coefficients[j], 1e-10);
        }

        Assert.True(fit.ResidualSumOfSquares < 1e-18 * M, $"RSS {fit.ResidualSumOfSquares}");
    }

    /// <summary>Collects reports on the reporting thread (Progress&lt;T&gt; would post them to the thread pool).</summary>
    private sealed class SyncProgress(List<ComputeProgress> reports) : IProgress<ComputeProgress>
    {
        public void Report(ComputeProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
