using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.Storage.Npy;
using ChunkCompute.Tests.TestSupport;
using MathNet.Numerics.LinearAlgebra;

namespace ChunkCompute.Tests.ML.LinearAlgebra;

/// <summary>Fixture loading (from gen_linalg_fixtures.py), irregular chunkings and tolerant comparisons.</summary>
internal static class LinalgTestData
{
    public static string Dir => Path.Combine(FixturePaths.Root, "linalg");

    public static T[] Load<T>(string name, out long[] shape)
        where T : unmanaged => Npy.Load<T>(Path.Combine(Dir, name + ".npy"), out shape);

    public static double[] LoadDouble(string name, out long[] shape) => Npy.Load<double>(Path.Combine(Dir, name + ".npy"), out shape);

    /// <summary>Splits <paramref name="n"/> into chunks of the given sizes (repeated; the last one clipped).</summary>
    public static int[] Split(long n, params int[] pattern)
    {
        var sizes = new List<int>();
        long left = n;
        for (int i = 0; left > 0; i++)
        {
            int s = (int)Math.Min(left, pattern[i % pattern.Length]);
            sizes.Add(s);
            left -= s;
        }

        return sizes.Count == 0 ? [0] : [.. sizes];
    }

    public static ChunkedArray<T> Chunked<T>(T[] data, long[] shape, int[] rowPattern, int[] colPattern)
        where T : unmanaged =>
        ChunkedArray.FromArray(data, ChunkGrid.FromSizes([Split(shape[0], rowPattern), Split(shape[1], colPattern)]));

    public static Matrix<double> ToMatrix<T>(T[] data, long rows, long cols)
        where T : unmanaged, System.Numerics.INumberBase<T> =>
        Matrix<double>.Build.Dense((int)rows, (int)cols, (i, j) => double.CreateTruncating(data[(i * cols) + j]));

    public static void Close<T>(ReadOnlySpan<double> expected, ReadOnlySpan<T> actual, double rtol, double atol, string what)
        where T : unmanaged, System.Numerics.INumberBase<T>
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} values, got {actual.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double a = double.CreateTruncating(actual[i]);
            double e = expected[i];
            Assert.True(Math.Abs(a - e) <= atol + (rtol * Math.Abs(e)), $"{what}: element {i}: expected {e:R}, got {a:R}");
        }
    }

    public static void Close(Matrix<double> expected, Matrix<double> actual, double tol, string what)
    {
        Assert.Equal(expected.RowCount, actual.RowCount);
        Assert.Equal(expected.ColumnCount, actual.ColumnCount);
        double scale = Math.Max(1, expected.Enumerate().Max(Math.Abs));
        for (int i = 0; i < expected.RowCount; i++)
        {
            for (int j = 0; j < expected.ColumnCount; j++)
            {
                Assert.True(Math.Abs(expected.At(i, j) - actual.At(i, j)) <= tol * scale, $"{what}: [{i}, {j}] expected {expected.At(i, j):R}, got {actual.At(i, j):R}");
            }
        }
    }

    /// <summary>Columns equal up to a sign per column.</summary>
    public static void CloseUpToColumnSigns(Matrix<double> expected, Matrix<double> actual, double tol, string what)
    {
        var signed = actual.Clone();
        for (int j = 0; j < expected.ColumnCount; j++)
        {
            if (expected.Column(j).DotProduct(actual.Column(j)) < 0)
            {
                signed.SetColumn(j, -actual.Column(j));
            }
        }

        Close(expected, signed, tol, what);
    }
}
