using System.Numerics;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Storage;
using MathNet.Numerics.LinearAlgebra;

namespace ChunkCompute.ML.LinearAlgebra;

/// <summary>
/// Static shape of a TSQR tree: per level, the row count k of each state's R factor. Everything is known when the
/// graph is built (k = min(rows below, n)), so state sizes are exact and the Q pass needs no extra metadata.
/// </summary>
internal sealed class TsqrTree
{
    public TsqrTree(IReadOnlyList<int> blockRows, int columns, int fan)
    {
        Columns = columns;
        Fan = fan;
        var levels = new List<int[]> { blockRows.Select(m => Math.Min(m, columns)).ToArray() };
        while (levels[^1].Length > 1)
        {
            var below = levels[^1];
            var next = new int[(below.Length + fan - 1) / fan];
            for (int g = 0; g < next.Length; g++)
            {
                next[g] = Math.Min(StackedRows(levels.Count, g, below), columns);
            }

            levels.Add(next);
        }

        Levels = levels;
    }

    /// <summary>Columns n.</summary>
    public int Columns { get; }

    /// <summary>Fan-in of each combine.</summary>
    public int Fan { get; }

    /// <summary>Per level (0 = leaves), the rows of each state's R.</summary>
    public IReadOnlyList<int[]> Levels { get; }

    /// <summary>Rows stacked by combine g of <paramref name="level"/> (≥ 1): the children's R rows.</summary>
    public int StackedRows(int level, int g) => StackedRows(level, g, Levels[level - 1]);

    /// <summary>Doubles in state g of <paramref name="level"/>: R (k × n), and for combines Q (K × k).</summary>
    public int StateLength(int level, int g)
    {
        int k = Levels[level][g];
        return level == 0 ? k * Columns : (k * Columns) + (StackedRows(level, g) * k);
    }

    private int StackedRows(int level, int g, int[] below)
    {
        _ = level;
        int sum = 0;
        for (int c = g * Fan; c < Math.Min(below.Length, (g + 1) * Fan); c++)
        {
            sum += below[c];
        }

        return sum;
    }
}

/// <summary>
/// TSQR as a tree reduction whose state is an R factor. Partial (leaf): one task per row block reads the block (the
/// columns of all inputs side by side: X, or X and y for least squares) and writes its R (k × n, k = min(rows, n)) with
/// MathNet's Householder QR. Combine: stacks up to <c>fan</c> R factors of the level below and factors the stack,
/// writing [R (k × n), Q (K × k)] (K stacked rows, k = min(K, n)); the small Q is what the Q pass needs to walk back
/// down. Grids are 1-D float64, one chunk per state sized to it, so every level can be read as a result.
/// </summary>
internal sealed unsafe class TsqrReduction<T> : MergeableReduction
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly TsqrTree _tree;

    public TsqrReduction(IReadOnlyList<ArrayNode> inputs, TsqrTree tree)
        : base("tsqr", inputs, LevelGrid(tree, 0), [true], DataType.Float64)
    {
        _tree = tree;
    }

    public override string PartialLabel => "tsqr-leaf";

    public override ChunkGrid CombineGrid(int level, ChunkGrid merged) => LevelGrid(_tree, level);

    /// <summary>MathNet's managed working memory (the block as a matrix, the factorization's copy and Q), counted against the budget.</summary>
    public override long PartialHeldBytes(ReadOnlySpan<long> stateIndex) =>
        3L * Inputs[0].Grid.Size(0, stateIndex[0]) * _tree.Columns * sizeof(double);

    public override long CombineHeldBytes(int level, ReadOnlySpan<long> index) =>
        3L * _tree.StackedRows(level, (int)index[0]) * _tree.Columns * sizeof(double);

    public override void PartialDependencies(ReadOnlySpan<long> stateIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        for (int i = 0; i < Inputs.Count; i++)
        {
            dependencies.Add(new ChunkDependency(i, Inputs[i].Grid.Rank == 2 ? [stateIndex[0], 0] : [stateIndex[0]]));
        }
    }

    public override void Partial(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        int n = _tree.Columns;
        int rows = context.Inputs[0].Shape[0];
        if (rows >= n)
        {
            // Only R is needed here: the cached, R-only factorization. The Q pass recomputes the leaf's Q with Qr, whose
            // R is this one to rounding when the block has full rank (R with a positive diagonal is unique). A block
            // of lower (or nearly lower) rank has no unique R: it is factored by Qr here too, so both passes agree.
            var columns = System.Buffers.ArrayPool<double>.Shared.Rent(checked(rows * n));
            try
            {
                TsqrKernels.ReadColumnMajor<T>(context.Inputs, rows, n, columns);
                var tall = DenseBlocks.TallR(columns.AsSpan(0, rows * n), rows, n);
                if (DenseBlocks.WellConditionedDiagonal(tall, n))
                {
                    tall.CopyTo(new Span<double>(context.Output.Pointer, n * n));
                    return;
                }
            }
            finally
            {
                System.Buffers.ArrayPool<double>.Shared.Return(columns);
            }
        }

        var block = TsqrKernels.ReadRows<T>(context.Inputs, n);
        var r = DenseBlocks.Qr(block).R;
        TsqrKernels.WriteRowMajor(r, new Span<double>(context.Output.Pointer, r.RowCount * r.ColumnCount));
    }

    public override void Combine(int level, ChunkGrid grid, ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        int n = _tree.Columns;
        int g = (int)context.ChunkIndex[0];
        int stacked = _tree.StackedRows(level, g);
        var stack = Matrix<double>.Build.Dense(stacked, n);
        int row = 0;
        for (int i = 0; i < context.Inputs.Count; i++)
        {
            int k = _tree.Levels[level - 1][(g * _tree.Fan) + i];
            var r = new ReadOnlySpan<double>(context.Inputs[i].Pointer, k * n);
            for (int a = 0; a < k; a++)
            {
                for (int c = 0; c < n; c++)
                {
                    stack.At(row + a, c, r[(a * n) + c]);
                }
            }

            row += k;
        }

        var (q, rOut) = DenseBlocks.Qr(stack);

        var output = new Span<double>(context.Output.Pointer, _tree.StateLength(level, g));
        TsqrKernels.WriteRowMajor(rOut, output[..(rOut.RowCount * n)]);
        TsqrKernels.WriteRowMajor(q, output[(rOut.RowCount * n)..]);
    }

    private static ChunkGrid LevelGrid(TsqrTree tree, int level) =>
        ChunkGrid.FromSizes([Enumerable.Range(0, tree.Levels[level].Length).Select(g => tree.StateLength(level, g)).ToArray()]);
}

/// <summary>
/// The Q (or U) pass: one task per row block re-reads the block, recomputes its leaf QR (unique thanks to the sign
/// convention, so it matches the R of the first pass) and multiplies its Q by the block's small factor from the tree
/// (the product of the combine Qs on its path, times U_R for an SVD).
/// </summary>
internal sealed unsafe class TsqrQNode<T> : ArrayNode
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly IReadOnlyList<Matrix<double>> _factors;
    private readonly int _columns;

    public TsqrQNode(ArrayNode x, IReadOnlyList<Matrix<double>> factors, string label)
        : base(DataType.Of<T>(), ChunkGrid.FromSizes([x.Grid.Sizes(0), [factors[0].ColumnCount]]), [x])
    {
        _factors = factors;
        _columns = x.Grid.Shape[1] > int.MaxValue ? throw new ArgumentException("too many columns") : (int)x.Grid.Shape[1];
        Label = label;
    }

    public override string Label { get; }

    /// <summary>MathNet's managed working memory: the block, the factorization's copy and Q, and the product.</summary>
    public override long HeldBytes(ReadOnlySpan<long> chunkIndex) =>
        4L * Inputs[0].Grid.Size(0, chunkIndex[0]) * Math.Max(_columns, _factors[0].ColumnCount) * sizeof(double);

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        dependencies.Add(new ChunkDependency(0, [chunkIndex[0], 0]));
    }

    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var block = TsqrKernels.ReadRows<T>(context.Inputs, _columns);
        var factor = _factors[(int)context.ChunkIndex[0]];
        var result = DenseBlocks.Qr(block).Q * factor;
        DenseBlocks.WriteBlock(result, new Span<T>(context.Output.Pointer, result.RowCount * result.ColumnCount));
    }
}

/// <summary>Shared pieces of the TSQR kernels.</summary>
internal static class TsqrKernels
{
    /// <summary>The row block formed by the inputs' chunks side by side (2-D chunks, or 1-D as one column).</summary>
    public static Matrix<double> ReadRows<T>(IReadOnlyList<ChunkBuffer> inputs, int columns)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = inputs[0].Shape[0];
        var block = Matrix<double>.Build.Dense(rows, columns);
        int offset = 0;
        foreach (var input in inputs)
        {
            int cols = input.Shape.Length == 2 ? input.Shape[1] : 1;
            DenseBlocks.ReadBlock<T>(input, rows, cols, block, offset);
            offset += cols;
        }

        return block;
    }

    /// <summary>The row block formed by the inputs' chunks side by side, column-major into <paramref name="target"/> (rows × columns).</summary>
    public static unsafe void ReadColumnMajor<T>(IReadOnlyList<ChunkBuffer> inputs, int rows, int columns, double[] target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int offset = 0;
        foreach (var input in inputs)
        {
            int cols = input.Shape.Length == 2 ? input.Shape[1] : 1;
            var values = new ReadOnlySpan<T>(input.Pointer, checked(rows * cols));
            for (int r = 0; r < rows; r++)
            {
                var row = values.Slice(r * cols, cols);
                for (int c = 0; c < cols; c++)
                {
                    target[((offset + c) * rows) + r] = double.CreateTruncating(row[c]);
                }
            }

            offset += cols;
        }

        if (offset != columns)
        {
            throw new InvalidOperationException($"TSQR row block has {offset} columns, expected {columns}");
        }
    }

    public static void WriteRowMajor(Matrix<double> m, Span<double> output)
    {
        int cols = m.ColumnCount;
        for (int r = 0; r < m.RowCount; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                output[(r * cols) + c] = m.At(r, c);
            }
        }
    }
}
