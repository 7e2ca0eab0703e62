using System.Numerics;
using System.Numerics.Tensors;
using ChunkCompute.Graph;
using MathNet.Numerics.LinearAlgebra;

namespace ChunkCompute.ML.LinearAlgebra;

/// <summary>
/// Dense per-block work: chunk buffers (row-major native memory of float or double) to and from MathNet matrices
/// (column-major, double), a SIMD block product, and QR with a unique sign convention.
/// </summary>
internal static class DenseBlocks
{
    /// <summary>Throws unless <typeparamref name="T"/> is float or double.</summary>
    public static void RequireFloat<T>(string operation)
        where T : unmanaged
    {
        if (typeof(T) != typeof(double) && typeof(T) != typeof(float))
        {
            throw new ArgumentException($"{operation} supports float64 and float32 arrays, not {typeof(T).Name}");
        }
    }

    /// <summary>Shape text for errors: <c>[3, 4]</c>.</summary>
    public static string ShapeText(IReadOnlyList<long> shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>Reads a row-major <paramref name="rows"/> × <paramref name="cols"/> block into <paramref name="target"/> at column <paramref name="columnOffset"/>.</summary>
    public static unsafe void ReadBlock<T>(ChunkBuffer buffer, int rows, int cols, Matrix<double> target, int columnOffset)
        where T : unmanaged, INumberBase<T>
    {
        var values = new ReadOnlySpan<T>(buffer.Pointer, checked(rows * cols));
        for (int r = 0; r < rows; r++)
        {
            var row = values.Slice(r * cols, cols);
            for (int c = 0; c < cols; c++)
            {
                target.At(r, columnOffset + c, double.CreateTruncating(row[c]));
            }
        }
    }

    /// <summary>Writes <paramref name="source"/> row-major into <paramref name="output"/> as <typeparamref name="T"/>.</summary>
    public static void WriteBlock<T>(Matrix<double> source, Span<T> output)
        where T : unmanaged, INumberBase<T>
    {
        int rows = source.RowCount, cols = source.ColumnCount;
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                output[(r * cols) + c] = T.CreateTruncating(source.At(r, c));
            }
        }
    }

    /// <summary>
    /// Thin QR of <paramref name="a"/> (r × c) with the diagonal of R made non-negative, which makes the factorization
    /// unique for a full-rank matrix (so a recomputed Q matches the R of an earlier pass). Q is r × min(r, c) and R is
    /// min(r, c) × c, upper trapezoidal: a wide matrix is factored through its leading r × r block (R = QᵀA).
    /// </summary>
    public static (Matrix<double> Q, Matrix<double> R) Qr(Matrix<double> a)
    {
        bool wide = a.RowCount < a.ColumnCount;
        var qr = (wide ? a.SubMatrix(0, a.RowCount, 0, a.RowCount) : a).QR(MathNet.Numerics.LinearAlgebra.Factorization.QRMethod.Thin);
        var q = qr.Q;
        var r = qr.R;
        for (int j = 0; j < r.RowCount; j++)
        {
            if (r.At(j, j) < 0)
            {
                for (int c = 0; c < r.ColumnCount; c++)
                {
                    r.At(j, c, -r.At(j, c));
                }

                for (int i = 0; i < q.RowCount; i++)
                {
                    q.At(i, j, -q.At(i, j));
                }
            }
        }

        if (wide)
        {
            r = q.TransposeThisAndMultiply(a);
            for (int i = 1; i < r.RowCount; i++)
            {
                for (int j = 0; j < i; j++)
                {
                    r.At(i, j, 0); // exactly zero below the diagonal, as in the square part
                }
            }
        }

        return (q, r);
    }

    /// <summary>
    /// R of the thin QR of a tall matrix (<paramref name="m"/> ≥ <paramref name="n"/>) stored column-major in
    /// <paramref name="a"/>, which is overwritten; returned row-major n × n, upper triangular, with a non-negative
    /// diagonal (the R of <see cref="Qr"/>, to rounding). Q is never formed. The rows are taken in panels small enough
    /// to stay in cache: each panel's Householder reflectors annihilate it against the R of the panels before
    /// (the QR of [R; panel], whose reflectors have one nonzero in R and the rest in the panel), with SIMD dot products
    /// and multiply-adds down the panel's columns. Same flops as one Householder pass, but on cached data:
    /// MathNet's QR of a whole 32768 × 64 block also forms Q and streams the block from memory for every column.
    /// </summary>
    public static double[] TallR(Span<double> a, int m, int n, int panelRows = 256)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(m, n);
        ArgumentOutOfRangeException.ThrowIfLessThan(a.Length, checked(m * n));
        var r = new double[n * n];
        for (int i0 = 0; i0 < m; i0 += panelRows)
        {
            int p = Math.Min(panelRows, m - i0);
            for (int j = 0; j < n; j++)
            {
                var pj = a.Slice((j * m) + i0, p);
                double s = TensorPrimitives.Dot<double>(pj, pj);
                if (s == 0)
                {
                    continue; // the panel's column is already zero: the identity is this step's reflector
                }

                double rjj = r[(j * n) + j];
                double norm = Math.Sqrt((rjj * rjj) + s);
                double alpha = rjj >= 0 ? -norm : norm; // the sign that avoids cancellation in v0
                double v0 = rjj - alpha;
                double scale = 2 / ((v0 * v0) + s); // H = I - scale·v·vᵀ, v = [v0 at row j of R; the panel's column j]
                for (int k = j + 1; k < n; k++)
                {
                    var pk = a.Slice((k * m) + i0, p);
                    double f = scale * ((r[(j * n) + k] * v0) + TensorPrimitives.Dot<double>(pj, pk));
                    r[(j * n) + k] -= f * v0;
                    TensorPrimitives.MultiplyAdd<double>(pj, -f, pk, pk);
                }

                r[(j * n) + j] = alpha;
            }
        }

        for (int j = 0; j < n; j++)
        {
            if (r[(j * n) + j] < 0)
            {
                TensorPrimitives.Negate<double>(r.AsSpan((j * n) + j, n - j), r.AsSpan((j * n) + j, n - j));
            }
        }

        return r;
    }

    /// <summary>
    /// True when every diagonal entry of the row-major n × n <paramref name="r"/> is at least 1e-6 of the largest
    /// (the block's rank is full by a margin, so its R, and the Q a later pass recomputes from it, are unique).
    /// </summary>
    public static bool WellConditionedDiagonal(ReadOnlySpan<double> r, int n)
    {
        double largest = 0, smallest = double.PositiveInfinity;
        for (int j = 0; j < n; j++)
        {
            double d = Math.Abs(r[(j * n) + j]);
            largest = Math.Max(largest, d);
            smallest = Math.Min(smallest, d);
        }

        return double.IsFinite(largest) && smallest > 1e-6 * largest;
    }

    /// <summary>
    /// C = A·B for row-major blocks: A is m × k, B is k × n, C is m × n (overwritten). Wide B: rows of C are built by
    /// SIMD multiply-adds of B's rows; narrow B (n &lt; 16): Bᵀ is copied into <paramref name="scratch"/> and each
    /// element is a SIMD dot product.
    /// </summary>
    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n, Span<T> scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (UseTransposedB(n))
        {
            var bt = scratch[..(k * n)];
            for (int p = 0; p < k; p++)
            {
                for (int j = 0; j < n; j++)
                {
                    bt[(j * k) + p] = b[(p * n) + j];
                }
            }

            for (int i = 0; i < m; i++)
            {
                var row = a.Slice(i * k, k);
                for (int j = 0; j < n; j++)
                {
                    c[(i * n) + j] = TensorPrimitives.Dot(row, bt.Slice(j * k, k));
                }
            }

            return;
        }

        c[..(m * n)].Clear();
        for (int i = 0; i < m; i++)
        {
            var target = c.Slice(i * n, n);
            for (int p = 0; p < k; p++)
            {
                TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), a[(i * k) + p], target, target);
            }
        }
    }

    /// <summary>Whether <see cref="Multiply"/> needs a k × n scratch for Bᵀ.</summary>
    public static bool UseTransposedB(int n) => n < 16;
}
