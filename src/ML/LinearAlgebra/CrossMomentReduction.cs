using System.Numerics;
using System.Numerics.Tensors;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Storage;

namespace ChunkCompute.ML.LinearAlgebra;

/// <summary>What a cross-moment tree produces from its merged (count, means, co-moment) states.</summary>
internal enum CrossMomentKind
{
    /// <summary>XᵀX: raw sums of products, no centering.</summary>
    Gram,

    /// <summary>Co-moments / (count - ddof).</summary>
    Covariance,

    /// <summary>Co-moments / sqrt(own variances).</summary>
    Correlation,
}

/// <summary>
/// The mergeable state of the cross moments of column blocks a and b over some rows, all float64:
/// [count, mean_a (na), mean_b (nb), M (na × nb, row-major)], M = Σ (x_a − mean_a)ᵀ(x_b − mean_b), or the raw Σ x_aᵀx_b
/// with zero means when uncentered (Gram). Merged with Chan et al.'s pairwise update.
/// </summary>
internal static class CrossMomentState
{
    public static long Doubles(int na, int nb) => 1 + na + nb + ((long)na * nb);

    public static void Merge(ReadOnlySpan<double> other, Span<double> into, int na, int nb, bool centered)
    {
        double n1 = into[0], n2 = other[0];
        var m = into.Slice(1 + na + nb, na * nb);
        TensorPrimitives.Add(m, other.Slice(1 + na + nb, na * nb), m);
        into[0] = n1 + n2;
        if (!centered || n2 == 0)
        {
            return;
        }

        if (n1 == 0)
        {
            other[..(1 + na + nb)].CopyTo(into);
            return;
        }

        double n = n1 + n2;
        var meanA = into.Slice(1, na);
        var meanB = into.Slice(1 + na, nb);
        var otherA = other.Slice(1, na);
        var otherB = other.Slice(1 + na, nb);
        Span<double> deltaB = nb <= 512 ? stackalloc double[nb] : new double[nb];
        TensorPrimitives.Subtract(otherB, meanB, deltaB);
        double w = n1 * n2 / n;
        for (int p = 0; p < na; p++)
        {
            double deltaA = otherA[p] - meanA[p];
            TensorPrimitives.MultiplyAdd(deltaB, w * deltaA, m.Slice(p * nb, nb), m.Slice(p * nb, nb));
            meanA[p] += deltaA * n2 / n;
        }

        for (int q = 0; q < nb; q++)
        {
            meanB[q] += deltaB[q] * n2 / n;
        }
    }
}

/// <summary>
/// Gram, covariance and correlation as one tree reduction. Partial (row block i, column block a, column block b): the
/// state of rows i of column blocks a and b; only a ≤ b is ever requested (the result is symmetric), so culling creates
/// half the tasks. State grid: (one chunk of size 1 per row block, column chunks, column chunks) of
/// <see cref="CrossMomentState"/> bytes, merged along the row blocks with Chan's update. Finalize: the n × n result on
/// the grid (column chunks, column chunks); chunk (a, b) reads state (a, b) when a ≤ b and the transpose of state (b, a)
/// otherwise, and a correlation also reads the diagonal states (a, a) and (b, b).
/// </summary>
/// <remarks>
/// A diagonal partial (a = b) reads one chunk, so it can be streamed: it then takes the rows in blocks (at least 64
/// rows), computes each block's state as a whole chunk's and merges it into the chunk's state with Chan's update.
/// </remarks>
internal sealed unsafe class CrossMomentReduction<T> : MergeableReduction
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly CrossMomentKind _kind;
    private readonly double _ddof;
    private readonly bool _centered;
    private readonly ChunkGrid _input;

    public CrossMomentReduction(ArrayNode x, CrossMomentKind kind, double ddof)
        : base("cross-moment", [x], ChunkGrid.FromSizes([Enumerable.Repeat(1, x.Grid.Sizes(0).Count).ToArray(), x.Grid.Sizes(1), x.Grid.Sizes(1)]), [true, false, false])
    {
        _kind = kind;
        _ddof = ddof;
        _centered = kind != CrossMomentKind.Gram;
        _input = x.Grid;
    }

    public override string FinalizeLabel => _kind switch
    {
        CrossMomentKind.Gram => "gram",
        CrossMomentKind.Covariance => "covariance",
        _ => "correlation",
    };

    public override long StateBytes(int level, ChunkGrid grid, ReadOnlySpan<long> index) =>
        CrossMomentState.Doubles(grid.Size(1, index[1]), grid.Size(2, index[2])) * sizeof(double);

    public override long PartialScratchBytes(ReadOnlySpan<long> stateIndex)
    {
        int na = PartialGrid.Size(1, stateIndex[1]), nb = PartialGrid.Size(2, stateIndex[2]);
        long rows = ((long)na + nb) * sizeof(double);
        return stateIndex[1] != stateIndex[2] ? rows
            : rows + StateBytes(0, PartialGrid, stateIndex) + RowBlocks<T>.BufferBytes(na, BlockRows(_input.Size(0, stateIndex[0]), na));
    }

    public override void PartialDependencies(ReadOnlySpan<long> stateIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        dependencies.Add(new ChunkDependency(0, [stateIndex[0], stateIndex[1]]));
        if (stateIndex[2] != stateIndex[1])
        {
            dependencies.Add(new ChunkDependency(0, [stateIndex[0], stateIndex[2]]));
        }
    }

    public override bool ConsumesStream(ReadOnlySpan<long> stateIndex) => stateIndex[1] == stateIndex[2];

    public override void Partial(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var index = context.ChunkIndex;
        int rows = _input.Size(0, index[0]), na = PartialGrid.Size(1, index[1]), nb = PartialGrid.Size(2, index[2]);
        int length = checked((int)CrossMomentState.Doubles(na, nb));
        var state = new Span<double>(context.Output.Pointer, length);
        var scratch = new Span<double>(context.Scratch!.Pointer, na + nb);
        if (context.InputStream is null)
        {
            var a = new ReadOnlySpan<T>(context.Inputs[0].Pointer, rows * na);
            var b = new ReadOnlySpan<T>(context.Inputs[^1].Pointer, rows * nb);
            BlockState(a, b, rows, na, nb, state, scratch);
            return;
        }

        // Streamed (a = b): blocks of rows, each block's state merged into the chunk's.
        int block = BlockRows(rows, na);
        var part = new Span<double>((double*)context.Scratch.Pointer + na + nb, length);
        var buffer = new Span<T>((double*)context.Scratch.Pointer + na + nb + length, block * na);
        var reader = new RowBlocks<T>(context, rows, na, block, buffer);
        bool first = true;
        state.Clear();
        while (reader.Next(out var values))
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            int n = values.Length / na;
            BlockState(values, values, n, na, na, first ? state : part, scratch);
            if (!first)
            {
                CrossMomentState.Merge(part, state, na, na, _centered);
            }

            first = false;
        }
    }

    public override void Combine(int level, ChunkGrid grid, ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(context);
        int na = grid.Size(1, context.ChunkIndex[1]), nb = grid.Size(2, context.ChunkIndex[2]);
        int length = checked((int)CrossMomentState.Doubles(na, nb));
        var into = new Span<double>(context.Output.Pointer, length);
        new ReadOnlySpan<double>(context.Inputs[0].Pointer, length).CopyTo(into);
        for (int i = 1; i < context.Inputs.Count; i++)
        {
            CrossMomentState.Merge(new ReadOnlySpan<double>(context.Inputs[i].Pointer, length), into, na, nb, _centered);
        }
    }

    public override DataType OutputType => DataType.Of<T>();

    public override ChunkGrid OutputGrid(ChunkGrid root)
    {
        ArgumentNullException.ThrowIfNull(root);
        return ChunkGrid.FromSizes([root.Sizes(1), root.Sizes(2)]);
    }

    public override void FinalizeDependencies(ReadOnlySpan<long> outputIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        long lo = Math.Min(outputIndex[0], outputIndex[1]), hi = Math.Max(outputIndex[0], outputIndex[1]);
        dependencies.Add(new ChunkDependency(0, [0, lo, hi]));
        if (_kind == CrossMomentKind.Correlation && lo != hi)
        {
            dependencies.Add(new ChunkDependency(0, [0, lo, lo]));
            dependencies.Add(new ChunkDependency(0, [0, hi, hi]));
        }
    }

    public override void Finalize(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        long a = context.ChunkIndex[0], b = context.ChunkIndex[1];
        bool transposed = a > b;
        int nLo = PartialGrid.Size(1, Math.Min(a, b)), nHi = PartialGrid.Size(1, Math.Max(a, b));
        var state = new ReadOnlySpan<double>(context.Inputs[0].Pointer, checked((int)CrossMomentState.Doubles(nLo, nHi)));
        var m = state.Slice(1 + nLo + nHi, nLo * nHi);
        double count = state[0];
        ReadOnlySpan<double> diagLo = default, diagHi = default;
        if (_kind == CrossMomentKind.Correlation)
        {
            var lo = context.Inputs.Count > 1 ? context.Inputs[1] : context.Inputs[0];
            var hi = context.Inputs.Count > 1 ? context.Inputs[2] : context.Inputs[0];
            diagLo = new ReadOnlySpan<double>(lo.Pointer, checked((int)CrossMomentState.Doubles(nLo, nLo))).Slice(1 + nLo + nLo);
            diagHi = new ReadOnlySpan<double>(hi.Pointer, checked((int)CrossMomentState.Doubles(nHi, nHi))).Slice(1 + nHi + nHi);
        }

        var output = new Span<T>(context.Output.Pointer, nLo * nHi);
        int rows = transposed ? nHi : nLo, cols = transposed ? nLo : nHi;
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                int p = transposed ? c : r, q = transposed ? r : c;
                double v = m[(p * nHi) + q];
                v = _kind switch
                {
                    CrossMomentKind.Gram => v,
                    CrossMomentKind.Covariance => v / (count - _ddof),
                    _ => Correlation(v, diagLo[(p * nLo) + p], diagHi[(q * nHi) + q]),
                };
                output[(r * cols) + c] = T.CreateTruncating(v);
            }
        }
    }

    // The state of `rows` rows of blocks a and b (two passes: column means, then co-moments about them).
    private void BlockState(ReadOnlySpan<T> a, ReadOnlySpan<T> b, int rows, int na, int nb, Span<double> state, Span<double> scratch)
    {
        var rowA = scratch[..na];
        var rowB = scratch.Slice(na, nb);
        state.Clear();
        state[0] = rows;
        var meanA = state.Slice(1, na);
        var meanB = state.Slice(1 + na, nb);
        var m = state.Slice(1 + na + nb, na * nb);
        if (_centered && rows > 0)
        {
            ColumnMeans(a, rows, na, meanA, rowA);
            ColumnMeans(b, rows, nb, meanB, rowB);
        }

        for (int r = 0; r < rows; r++)
        {
            Widen(a.Slice(r * na, na), rowA);
            Widen(b.Slice(r * nb, nb), rowB);
            TensorPrimitives.Subtract(rowA, meanA, rowA);
            TensorPrimitives.Subtract(rowB, meanB, rowB);
            for (int p = 0; p < na; p++)
            {
                var target = m.Slice(p * nb, nb);
                TensorPrimitives.MultiplyAdd(rowB, rowA[p], target, target);
            }
        }
    }

    // Rows per streamed block: about 64 KiB of input and at least 64 rows (a block's merge costs about one row's update).
    private static int BlockRows(int rows, int cols) => Math.Max(1, Math.Min(rows, Math.Max(64, (64 << 10) / Math.Max(1, cols * sizeof(T)))));

    private static void ColumnMeans(ReadOnlySpan<T> block, int rows, int cols, Span<double> mean, Span<double> row)
    {
        for (int r = 0; r < rows; r++)
        {
            Widen(block.Slice(r * cols, cols), row);
            TensorPrimitives.Add(mean, row, mean);
        }

        TensorPrimitives.Divide(mean, rows, mean);
    }

    private static void Widen(ReadOnlySpan<T> source, Span<double> target)
    {
        if (typeof(T) == typeof(double))
        {
            System.Runtime.InteropServices.MemoryMarshal.Cast<T, double>(source).CopyTo(target);
            return;
        }

        for (int i = 0; i < source.Length; i++)
        {
            target[i] = double.CreateTruncating(source[i]);
        }
    }

    // NumPy's corrcoef clips to [-1, 1]; a constant column gives NaN (0/0), as NumPy does.
    private static double Correlation(double m, double varP, double varQ)
    {
        double v = m / Math.Sqrt(varP * varQ);
        return double.IsNaN(v) ? v : Math.Clamp(v, -1, 1);
    }
}
