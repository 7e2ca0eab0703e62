using System.Numerics;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using MathNet.Numerics.LinearAlgebra;

namespace ChunkCompute.ML.LinearAlgebra;

/// <summary>
/// Linear algebra on chunked float64/float32 arrays. Products and cross moments are lazy graphs of blockwise partials
/// summed as trees (fan-in <c>splitEvery</c>, like the reductions); TSQR, SVD and least squares run their tree on the
/// engine when called and return small results in memory, with Q and U lazy.
/// </summary>
public static class ChunkedLinearAlgebra
{
    /// <summary>The default fan-in of the tree steps (Dask's <c>split_every</c>).</summary>
    public const int DefaultSplitEvery = 4;

    private const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>
    /// The matrix product (NumPy's <c>matmul</c> for 1-D and 2-D operands): each output block is the sum over the
    /// inner chunks of the block products, summed as a tree of fan-in <paramref name="splitEvery"/>. A 1-D operand is
    /// a row (left) or column (right) vector, and that dimension is dropped from the result (two vectors: a 0-d array). When b's row chunks differ
    /// from a's column chunks, b is rechunked to match.
    /// </summary>
    /// <exception cref="ArgumentException">An operand is not 1-D or 2-D, the inner dimensions differ, or the type is not float or double.</exception>
    public static ChunkedArray<T> MatMul<T>(this ChunkedArray<T> a, ChunkedArray<T> b, int splitEvery = DefaultSplitEvery)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        DenseBlocks.RequireFloat<T>("MatMul");
        ArgumentOutOfRangeException.ThrowIfLessThan(splitEvery, 2);
        if (a.Rank is < 1 or > 2 || b.Rank is < 1 or > 2)
        {
            throw new ArgumentException($"MatMul takes 1-D or 2-D arrays, not shapes {DenseBlocks.ShapeText(a.Shape)} and {DenseBlocks.ShapeText(b.Shape)}");
        }

        long inner = a.Shape[^1], bRows = b.Shape[0];
        if (inner != bRows)
        {
            throw new ArgumentException(
                $"MatMul: shapes {DenseBlocks.ShapeText(a.Shape)} and {DenseBlocks.ShapeText(b.Shape)} are not aligned: the left operand's last dimension ({inner}) must equal the right operand's first ({bRows})");
        }

        var left = a.Rank == 2 ? a : a.Reshape(1, inner);
        var right = b.Rank == 2 ? b : b.Reshape(bRows, 1);
        if (!left.Chunks.Sizes(1).SequenceEqual(right.Chunks.Sizes(0)))
        {
            right = right.Rechunk(ChunkGrid.FromSizes([left.Chunks.Sizes(1), right.Chunks.Sizes(1)]));
        }

        ArrayNode node = new MatMulProductNode<T>(left.Node, right.Node);
        while (node.Grid.Rank == 3)
        {
            node = new BlockSumNode<T>(node, splitEvery);
        }

        var product = new ChunkedArray<T>(node);
        return (a.Rank, b.Rank) switch
        {
            (2, 2) => product,
            (2, 1) => product.Reshape(a.Shape[0]),
            (1, 2) => product.Reshape(b.Shape[1]),
            _ => product.Reshape(),
        };
    }

    /// <summary>NumPy's <c>dot</c> for 1-D and 2-D operands (the same as <see cref="MatMul{T}"/>; two vectors give a 0-d array, as NumPy's scalar).</summary>
    /// <exception cref="ArgumentException">An operand is not 1-D or 2-D, or the inner dimensions differ.</exception>
    public static ChunkedArray<T> Dot<T>(this ChunkedArray<T> a, ChunkedArray<T> b, int splitEvery = DefaultSplitEvery)
        where T : unmanaged, IFloatingPointIeee754<T> => a.MatMul(b, splitEvery);

    /// <summary>
    /// XᵀX (n × n) of a 2-D array, lazily, in one pass: one partial per (row block, column block pair), merged as a
    /// tree along the rows; accumulated in float64.
    /// </summary>
    /// <exception cref="ArgumentException">The input is not 2-D, or not float or double.</exception>
    public static ChunkedArray<T> Gram<T>(this ChunkedArray<T> x, int splitEvery = DefaultSplitEvery)
        where T : unmanaged, IFloatingPointIeee754<T> => CrossMoments(x, CrossMomentKind.Gram, 0, splitEvery, "Gram");

    /// <summary>
    /// The covariance matrix of the columns (NumPy's <c>cov(x, rowvar=False, ddof=ddof)</c>), lazily, in one pass:
    /// partial (count, means, co-moments) states merged as a tree with Chan's pairwise update.
    /// </summary>
    /// <exception cref="ArgumentException">The input is not 2-D, or not float or double.</exception>
    public static ChunkedArray<T> Covariance<T>(this ChunkedArray<T> x, double ddof = 1, int splitEvery = DefaultSplitEvery)
        where T : unmanaged, IFloatingPointIeee754<T> => CrossMoments(x, CrossMomentKind.Covariance, ddof, splitEvery, "Covariance");

    /// <summary>The correlation matrix of the columns (NumPy's <c>corrcoef(x, rowvar=False)</c>), lazily, in one pass.</summary>
    /// <exception cref="ArgumentException">The input is not 2-D, or not float or double.</exception>
    public static ChunkedArray<T> Correlation<T>(this ChunkedArray<T> x, int splitEvery = DefaultSplitEvery)
        where T : unmanaged, IFloatingPointIeee754<T> => CrossMoments(x, CrossMomentKind.Correlation, 0, splitEvery, "Correlation");

    /// <summary>
    /// Tall-and-skinny QR: a QR per row block (MathNet), the R factors stacked and reduced as a tree of fan-in
    /// <paramref name="splitEvery"/>, run now on the engine within <paramref name="options"/>' budget. R is returned;
    /// Q is lazy.
    /// </summary>
    /// <exception cref="ArgumentException">X is not 2-D, has more columns than rows, or has its columns split across chunks.</exception>
    public static TsqrResult<T> Tsqr<T>(this ChunkedArray<T> x, ComputeOptions? options = null, int splitEvery = DefaultSplitEvery, CancellationToken cancellationToken = default)
        where T : unmanaged, IFloatingPointIeee754<T> => x.TsqrAsync(options, splitEvery, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Asynchronous <see cref="Tsqr{T}"/>.</summary>
    /// <exception cref="ArgumentException">X is not 2-D, has more columns than rows, or has its columns split across chunks.</exception>
    public static async Task<TsqrResult<T>> TsqrAsync<T>(this ChunkedArray<T> x, ComputeOptions? options = null, int splitEvery = DefaultSplitEvery, CancellationToken cancellationToken = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        TsqrPlanner.Validate(x, "TSQR");
        var planner = TsqrPlanner.Build<T>([x.Node], splitEvery);
        var (r, states) = await planner.RunAsync(true, options, cancellationToken).ConfigureAwait(false);
        var factors = planner.LeafFactors(states, Matrix<double>.Build.DenseIdentity(r.RowCount));
        return new TsqrResult<T>(r, new ChunkedArray<T>(new TsqrQNode<T>(x.Node, factors, "tsqr-q")));
    }

    /// <summary>
    /// Thin SVD through TSQR: X = Q·R, R = U_R·S·Vᵀ (MathNet), so S and V come from the small R and U = Q·U_R is lazy.
    /// </summary>
    /// <exception cref="ArgumentException">X is not 2-D, has more columns than rows, or has its columns split across chunks.</exception>
    public static SvdResult<T> Svd<T>(this ChunkedArray<T> x, ComputeOptions? options = null, int splitEvery = DefaultSplitEvery, CancellationToken cancellationToken = default)
        where T : unmanaged, IFloatingPointIeee754<T> => x.SvdAsync(options, splitEvery, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Asynchronous <see cref="Svd{T}"/>.</summary>
    /// <exception cref="ArgumentException">X is not 2-D, has more columns than rows, or has its columns split across chunks.</exception>
    public static async Task<SvdResult<T>> SvdAsync<T>(this ChunkedArray<T> x, ComputeOptions? options = null, int splitEvery = DefaultSplitEvery, CancellationToken cancellationToken = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        TsqrPlanner.Validate(x, "SVD");
        var planner = TsqrPlanner.Build<T>([x.Node], splitEvery);
        var (r, states) = await planner.RunAsync(true, options, cancellationToken).ConfigureAwait(false);
        var svd = r.Svd(computeVectors: true);
        var factors = planner.LeafFactors(states, svd.U);
        return new SvdResult<T>(svd.S, svd.VT.Transpose(), new ChunkedArray<T>(new TsqrQNode<T>(x.Node, factors, "svd-u")));
    }

    /// <summary>
    /// Least squares min ‖X·b − y‖ through TSQR of [X | y] in one pass: R = [[R₁, z], [0, ρ]], b = R₁⁻¹z, RSS = ρ².
    /// y's row chunks are rechunked to X's when they differ.
    /// </summary>
    /// <exception cref="ArgumentException">Bad shapes: X not 2-D, y not 1-D, row counts differ, more columns than rows, columns split across chunks.</exception>
    /// <exception cref="InvalidOperationException">X is rank deficient.</exception>
    public static LeastSquaresResult LeastSquares<T>(ChunkedArray<T> x, ChunkedArray<T> y, ComputeOptions? options = null, int splitEvery = DefaultSplitEvery, CancellationToken cancellationToken = default)
        where T : unmanaged, IFloatingPointIeee754<T> => LeastSquaresAsync(x, y, options, splitEvery, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Asynchronous <see cref="LeastSquares{T}"/>.</summary>
    /// <exception cref="ArgumentException">Bad shapes: X not 2-D, y not 1-D, row counts differ, more columns than rows, columns split across chunks.</exception>
    /// <exception cref="InvalidOperationException">X is rank deficient.</exception>
    public static async Task<LeastSquaresResult> LeastSquaresAsync<T>(ChunkedArray<T> x, ChunkedArray<T> y, ComputeOptions? options = null, int splitEvery = DefaultSplitEvery, CancellationToken cancellationToken = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        TsqrPlanner.Validate(x, "LeastSquares");
        ArgumentNullException.ThrowIfNull(y);
        if (y.Rank != 1)
        {
            throw new ArgumentException($"LeastSquares: y must be 1-D, but it has shape {DenseBlocks.ShapeText(y.Shape)}", nameof(y));
        }

        if (y.Shape[0] != x.Shape[0])
        {
            throw new ArgumentException($"LeastSquares: X has {x.Shape[0]} rows (shape {DenseBlocks.ShapeText(x.Shape)}) but y has {y.Shape[0]} (shape {DenseBlocks.ShapeText(y.Shape)})", nameof(y));
        }

        if (!y.Chunks.Sizes(0).SequenceEqual(x.Chunks.Sizes(0)))
        {
            y = y.Rechunk(ChunkGrid.FromSizes([x.Chunks.Sizes(0)]));
        }

        int n = (int)x.Shape[1];
        var planner = TsqrPlanner.Build<T>([x.Node, y.Node], splitEvery);
        var (r, _) = await planner.RunAsync(false, options, cancellationToken).ConfigureAwait(false);
        var r1 = r.SubMatrix(0, n, 0, n);
        double maxDiagonal = 0;
        for (int j = 0; j < n; j++)
        {
            maxDiagonal = Math.Max(maxDiagonal, Math.Abs(r1.At(j, j)));
        }

        double tolerance = Math.Max(x.Shape[0], n) * MachineEpsilon * maxDiagonal; // NumPy's matrix_rank default
        for (int j = 0; j < n; j++)
        {
            if (!(Math.Abs(r1.At(j, j)) > tolerance))
            {
                throw new InvalidOperationException(
                    $"LeastSquares: X (shape {DenseBlocks.ShapeText(x.Shape)}) is rank deficient: column {j} is (numerically) a linear combination of the columns before it (|R[{j},{j}]| = {Math.Abs(r1.At(j, j)):G3} ≤ {tolerance:G3}); drop or combine columns");
            }
        }

        var z = r.Column(n, 0, n);
        var coefficients = r1.UpperTriangle().Solve(z);
        double rho = r.RowCount > n ? r.At(n, n) : 0;
        return new LeastSquaresResult(coefficients, rho * rho, x.Shape[0]);
    }

    private static ChunkedArray<T> CrossMoments<T>(ChunkedArray<T> x, CrossMomentKind kind, double ddof, int splitEvery, string operation)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        DenseBlocks.RequireFloat<T>(operation);
        ArgumentOutOfRangeException.ThrowIfLessThan(splitEvery, 2);
        if (x.Rank != 2)
        {
            throw new ArgumentException($"{operation} needs a 2-D array (rows × columns), but the input has shape {DenseBlocks.ShapeText(x.Shape)}", nameof(x));
        }

        return new ChunkedArray<T>(ReductionTree.Build(new CrossMomentReduction<T>(x.Node, kind, ddof), splitEvery).Finalize());
    }
}
