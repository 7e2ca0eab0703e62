using System.Numerics;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using MathNet.Numerics.LinearAlgebra;

namespace ChunkCompute.ML.LinearAlgebra;

/// <summary>
/// Builds and runs the TSQR tree (leaves → combines → root) on the engine, and walks it back down to the per-block
/// factors of the lazy Q/U pass.
/// </summary>
internal sealed class TsqrPlanner
{
    private readonly ArrayNode[] _levels;

    private TsqrPlanner(TsqrTree tree, ArrayNode[] levels)
    {
        Tree = tree;
        _levels = levels;
    }

    public TsqrTree Tree { get; }

    /// <summary>Validates the inputs (same row chunks, one column chunk each) and builds the tree's nodes.</summary>
    public static TsqrPlanner Build<T>(IReadOnlyList<ArrayNode> inputs, int splitEvery)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(splitEvery, 2);
        int columns = 0;
        foreach (var input in inputs)
        {
            columns += input.Grid.Rank == 2 ? checked((int)input.Grid.Shape[1]) : 1;
        }

        var tree = new TsqrTree(inputs[0].Grid.Sizes(0), columns, splitEvery);
        var levels = ReductionTree.Build(new TsqrReduction<T>(inputs, tree), splitEvery).Levels.ToArray();
        if (levels.Length != tree.Levels.Count)
        {
            throw new InvalidOperationException($"TSQR: the reduction tree has {levels.Length} levels, the R-size plan {tree.Levels.Count}");
        }

        return new TsqrPlanner(tree, levels);
    }

    /// <summary>The checks every TSQR entry point makes on X: 2-D, float, rows ≥ columns, columns in one chunk.</summary>
    public static void Validate<T>(ChunkedArray<T> x, string operation)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(x);
        DenseBlocks.RequireFloat<T>(operation);
        if (x.Rank != 2)
        {
            throw new ArgumentException($"{operation} needs a 2-D array (rows × columns), but the input has {x.Rank} dimension(s), shape {DenseBlocks.ShapeText(x.Shape)}", nameof(x));
        }

        long rows = x.Shape[0], cols = x.Shape[1];
        if (cols == 0)
        {
            throw new ArgumentException($"{operation} needs at least one column, but the input has shape {DenseBlocks.ShapeText(x.Shape)}", nameof(x));
        }

        if (rows < cols)
        {
            throw new ArgumentException($"{operation} is for tall-and-skinny arrays: the input has more columns ({cols}) than rows ({rows}), shape {DenseBlocks.ShapeText(x.Shape)}", nameof(x));
        }

        if (x.Chunks.Sizes(1).Count != 1)
        {
            throw new ArgumentException(
                $"{operation} needs all {cols} columns in one chunk, but the input's columns are split into {x.Chunks.Sizes(1).Count} chunks {x.Chunks}: " +
                $"rechunk first, e.g. x.Rechunk([{x.Chunks.Sizes(0)[0]}, {cols}])",
                nameof(x));
        }
    }

    /// <summary>
    /// Runs the tree. Returns the root R (n × n when rows ≥ n) and, when <paramref name="withStates"/>, the states
    /// of every combine level (index = level), needed for <see cref="LeafFactors"/>.
    /// </summary>
    public async Task<(Matrix<double> R, double[][] States)> RunAsync(bool withStates, ComputeOptions? options, CancellationToken cancellationToken)
    {
        ArrayNode[] outputs = withStates ? _levels[1..] : [_levels[^1]];
        if (outputs.Length == 0)
        {
            outputs = [_levels[0]];
        }

        var results = await Computation.ComputeAsync(outputs, options, cancellationToken).ConfigureAwait(false);
        var states = new double[_levels.Length][];
        for (int i = 0; i < outputs.Length; i++)
        {
            int level = Array.IndexOf(_levels, outputs[i]);
            states[level] = ((ComputedArray<double>)results[i]).ToArray();
        }

        var root = states[^1];
        int top = _levels.Length - 1;
        int k = Tree.Levels[top][0], n = Tree.Columns;
        var r = Matrix<double>.Build.Dense(k, n);
        for (int a = 0; a < k; a++)
        {
            for (int c = 0; c < n; c++)
            {
                r.At(a, c, root[(a * n) + c]);
            }
        }

        return (r, states);
    }

    /// <summary>
    /// Walks the tree down from <paramref name="top"/> (n × p: the identity for Q, U_R for U): each combine's Q rows
    /// belonging to a child, times the combine's factor, is the child's factor. Returns one factor per leaf (k_i × p).
    /// </summary>
    public Matrix<double>[] LeafFactors(double[][] states, Matrix<double> top)
    {
        int n = Tree.Columns;
        var factors = new Matrix<double>[] { top };
        for (int level = Tree.Levels.Count - 1; level >= 1; level--)
        {
            var below = Tree.Levels[level - 1];
            var next = new Matrix<double>[below.Length];
            long offset = 0;
            for (int g = 0; g < Tree.Levels[level].Length; g++)
            {
                int k = Tree.Levels[level][g];
                int stacked = Tree.StackedRows(level, g);
                var q = Matrix<double>.Build.Dense(stacked, k);
                long qStart = offset + ((long)k * n);
                for (int a = 0; a < stacked; a++)
                {
                    for (int c = 0; c < k; c++)
                    {
                        q.At(a, c, states[level][qStart + ((long)a * k) + c]);
                    }
                }

                int row = 0;
                for (int child = g * Tree.Fan; child < Math.Min(below.Length, (g + 1) * Tree.Fan); child++)
                {
                    next[child] = q.SubMatrix(row, below[child], 0, k) * factors[g];
                    row += below[child];
                }

                offset += Tree.StateLength(level, g);
            }

            factors = next;
        }

        return factors;
    }
}
