using System.Text.Json;
using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.ML.LinearAlgebra;
using ChunkCompute.Scheduler;
using MathNet.Numerics.LinearAlgebra;
using static ChunkCompute.Tests.ML.LinearAlgebra.LinalgTestData;

namespace ChunkCompute.Tests.ML.LinearAlgebra;

/// <summary>PCA: NumPy fixture, data with a known covariance, lazy transform, JSON round trip, bad input.</summary>
public sealed class PcaTests
{
    [Fact]
    public void Pca_MatchesNumPyEigendecomposition()
    {
        var data = Load<double>("px_f64", out var shape);
        var pca = new Pca(3).Fit(Chunked(data, shape, [50, 11], [4, 2]));
        Close(LoadDouble("pmean_f64", out _), pca.Mean.ToArray().AsSpan(), 1e-12, 1e-12, "mean");
        Close(LoadDouble("pvar_f64", out _), pca.ExplainedVariance.ToArray().AsSpan(), 1e-10, 1e-12, "explained variance");
        Close(LoadDouble("pratio_f64", out _), pca.ExplainedVarianceRatio.ToArray().AsSpan(), 1e-10, 1e-12, "ratio");
        var components = Matrix<double>.Build.DenseOfRows(pca.Components);
        Close(ToMatrix(LoadDouble("pcomp_f64", out _), 3, 6), components, 1e-8, "components");
        Assert.Equal(311, pca.SampleCount);
        Assert.Equal(6, pca.FeatureCount);
    }

    [Fact]
    public void Pca_KnownCovariance_RecoversAxesAndVariances()
    {
        // Centred orthonormal columns Z (m × 3, orthogonal to the ones vector) scaled by σ and rotated by an orthogonal
        // W: X = Z diag(σ) Wᵀ + μ has sample covariance W diag(σ²/(m−1)) Wᵀ exactly.
        int m = 600;
        var rng = new Random(21);
        var raw = Matrix<double>.Build.Dense(m, 4, (i, j) => j == 0 ? 1 : rng.NextDouble() - 0.5);
        var z = raw.QR().Q.SubMatrix(0, m, 1, 3);
        var w = Matrix<double>.Build.Dense(3, 3, (_, _) => rng.NextDouble() - 0.5).QR().Q;
        double[] sigma = [30, 12, 4];
        double[] mu = [5, -7, 100];
        var x = (z * Matrix<double>.Build.DenseOfDiagonalArray(sigma) * w.Transpose()) + Matrix<double>.Build.Dense(m, 3, (_, j) => mu[j]);
        var data = x.ToRowMajorArray().Select(v => (float)v).ToArray();

        var pca = new Pca(2).Fit(Chunked(data, [m, 3], [128, 45], [3]), new ComputeOptions { MemoryBudget = 64 << 10 });
        double total = sigma.Sum(s => s * s) / (m - 1);
        for (int k = 0; k < 2; k++)
        {
            double variance = sigma[k] * sigma[k] / (m - 1);
            Assert.Equal(variance, pca.ExplainedVariance[k], variance * 1e-5);
            Assert.Equal(variance / total, pca.ExplainedVarianceRatio[k], 1e-5);
            Assert.Equal(1, Math.Abs(w.Column(k).DotProduct(Vector<double>.Build.DenseOfEnumerable(pca.Components[k]))), 1e-5);
            Assert.Equal(mu[k], pca.Mean[k], 1e-4);
        }

        Assert.Equal(Math.Sqrt(pca.ExplainedVariance[0] * (m - 1)), pca.SingularValues[0], 1e-9);
    }

    [Fact]
    public void Pca_Transform_IsLazyProjectionOfCentredRows()
    {
        var data = Load<double>("px_f64", out var shape);
        var x = Chunked(data, shape, [50, 11], [4, 2]);
        var pca = new Pca(3).Fit(x);
        var projected = pca.Transform(x);
        Assert.Equal([shape[0], 3L], projected.Shape);
        var xm = ToMatrix(data, shape[0], shape[1]);
        var centred = Matrix<double>.Build.Dense(xm.RowCount, xm.ColumnCount, (i, j) => xm.At(i, j) - pca.Mean[j]);
        var expected = centred * Matrix<double>.Build.DenseOfRows(pca.Components).Transpose();
        Close(expected, ToMatrix(projected.Compute().ToArray(), shape[0], 3), 1e-10, "transform");

        // the projection's columns are uncorrelated with the explained variances as variances
        var cov = ToMatrix(projected.Covariance().Compute().ToArray(), 3, 3);
        Close(Matrix<double>.Build.DenseOfDiagonalArray([.. pca.ExplainedVariance]), cov, 1e-9, "covariance of the scores");
    }

    [Fact]
    public void Pca_Json_RoundTrips()
    {
        var data = Load<double>("px_f64", out var shape);
        var x = Chunked(data, shape, [100], [6]);
        var pca = new Pca(2).Fit(x);
        string json = pca.ToJson();
        Assert.Contains("\"explained_variance_ratio\"", json, StringComparison.Ordinal);
        var loaded = Pca.FromJson(json);
        Assert.Equal(pca.NComponents, loaded.NComponents);
        Assert.Equal(pca.SampleCount, loaded.SampleCount);
        Assert.Equal(pca.Mean, loaded.Mean);
        Assert.Equal(pca.ExplainedVariance, loaded.ExplainedVariance);
        Assert.Equal(pca.Components.SelectMany(c => c), loaded.Components.SelectMany(c => c));
        Assert.Equal(pca.Transform(x).Compute().ToArray(), loaded.Transform(x).Compute().ToArray());
    }

    [Fact]
    public void Pca_BadInput_IsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Pca(0));
        var x = ChunkedArray.Zeros<double>([10, 3], [5, 3]);
        Assert.Contains("min(rows, columns) = 3", Assert.Throws<ArgumentException>(() => new Pca(4).Fit(x)).Message, StringComparison.Ordinal);
        Assert.Contains("2-D", Assert.Throws<ArgumentException>(() => new Pca(1).Fit(ChunkedArray.Zeros<double>([10], [5]))).Message, StringComparison.Ordinal);
        Assert.Contains("not fitted", Assert.Throws<InvalidOperationException>(() => new Pca(1).Transform(x)).Message, StringComparison.Ordinal);
        Assert.Contains("not fitted", Assert.Throws<InvalidOperationException>(() => new Pca(1).ToJson()).Message, StringComparison.Ordinal);
        var fitted = new Pca(1).Fit(ChunkedArray.Random.Normal<double>([50, 3], [20, 3], 4));
        Assert.Contains("3 columns", Assert.Throws<ArgumentException>(() => fitted.Transform(ChunkedArray.Zeros<double>([10, 4], [5, 4]))).Message, StringComparison.Ordinal);
        Assert.Throws<JsonException>(() => Pca.FromJson("{\"n_components\": 2, \"n_features\": 3, \"mean\": [1, 2]}"));
    }
}
