using ChunkCompute.Graph;
using MathNet.Numerics.LinearAlgebra;

namespace ChunkCompute.ML.LinearAlgebra;

/// <summary>A tall-and-skinny QR factorization X = Q·R: R computed, Q lazy.</summary>
/// <typeparam name="T">The element type of X (and of Q).</typeparam>
public sealed class TsqrResult<T>
    where T : unmanaged
{
    internal TsqrResult(Matrix<double> r, ChunkedArray<T> q)
    {
        R = r;
        Q = q;
    }

    /// <summary>The n × n upper-triangular factor, with a non-negative diagonal (float64 whatever X's type).</summary>
    public Matrix<double> R { get; }

    /// <summary>
    /// The m × n factor with orthonormal columns, lazy: computing it reads X once more (each row block's QR is
    /// recomputed and multiplied by its small factor from the tree), one block at a time under the budget.
    /// </summary>
    public ChunkedArray<T> Q { get; }
}

/// <summary>A thin singular value decomposition X = U·diag(S)·Vᵀ through TSQR: S and V computed, U lazy.</summary>
/// <typeparam name="T">The element type of X (and of U).</typeparam>
public sealed class SvdResult<T>
    where T : unmanaged
{
    internal SvdResult(Vector<double> singularValues, Matrix<double> v, ChunkedArray<T> u)
    {
        SingularValues = singularValues;
        V = v;
        U = u;
    }

    /// <summary>The n singular values, in decreasing order.</summary>
    public Vector<double> SingularValues { get; }

    /// <summary>The n × n right singular vectors (columns; signs are arbitrary, paired with U's).</summary>
    public Matrix<double> V { get; }

    /// <summary>The m × n left singular vectors (columns), lazy: computing them reads X once more.</summary>
    public ChunkedArray<T> U { get; }
}

/// <summary>The least-squares solution of X·b ≈ y.</summary>
public sealed class LeastSquaresResult
{
    internal LeastSquaresResult(Vector<double> coefficients, double residualSumOfSquares, long rows)
    {
        Coefficients = coefficients;
        ResidualSumOfSquares = residualSumOfSquares;
        Rows = rows;
    }

    /// <summary>b, one coefficient per column of X.</summary>
    public Vector<double> Coefficients { get; }

    /// <summary>‖X·b − y‖² (0 when X is square).</summary>
    public double ResidualSumOfSquares { get; }

    /// <summary>Rows of X (observations).</summary>
    public long Rows { get; }
}
