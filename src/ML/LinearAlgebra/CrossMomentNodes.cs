using System.Numerics;
using System.Numerics.Tensors;
using ChunkCompute.Graph;
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
/// Step 1: one task per (row block i, column block a, column block b) computes the state of rows i of column blocks a
/// and b. Only a ≤ b is ever requested (the result is symmetric), so culling creates half the tasks.
/// Grid: (one chunk of size 1 per row block, column chunks, column chunks); the state bytes are its output.
/// </summary>
internal sealed unsafe class CrossMomentPartialNode<T> : ArrayNode
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly bool _centered;

    public CrossMomentPartialNode(ArrayNode x, bool centered)
        : base(DataType.UInt8, ChunkGrid.FromSizes([Enumerable.Repeat(1, x.Grid.Sizes(0).Count).ToArray(), x.Grid.Sizes(1), x.Grid.Sizes(1)]), [x])
    {
        _centered = centered;
    }

    public override string Label => "cross-moment-partial";

    public override long OutputBytes(ReadOnlySpan<long> chunkIndex) =>
        CrossMomentState.Doubles(Grid.Size(1, chunkIndex[1]), Grid.Size(2, chunkIndex[2])) * sizeof(double);

    public override long ScratchBytes(ReadOnlySpan<long> chunkIndex) =>
        ((long)Grid.Size(1, chunkIndex[1]) + Grid.Size(2, chunkIndex[2])) * sizeof(double);

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        dependencies.Add(new ChunkDependency(0, [chunkIndex[0], chunkIndex[1]]));
        if (chunkIndex[2] != chunkIndex[1])
        {
            dependencies.Add(new ChunkDependency(0, [chunkIndex[0], chunkIndex[2]]));
        }
    }

    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var blockA = context.Inputs[0];
        var blockB = context.Inputs[^1];
        int rows = blockA.Shape[0], na = blockA.Shape[1], nb = blockB.Shape[1];
        var a = new ReadOnlySpan<T>(blockA.Pointer, rows * na);
        var b = new ReadOnlySpan<T>(blockB.Pointer, rows * nb);
        var state = new Span<double>(context.Output.Pointer, checked((int)CrossMomentState.Doubles(na, nb)));
        var scratch = new Span<double>(context.Scratch!.Pointer, na + nb);
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
}

/// <summary>Step 2: merges groups of up to <c>fan</c> states along the row-block dimension, repeated until one remains.</summary>
internal sealed unsafe class CrossMomentCombineNode : ArrayNode
{
    private readonly int _fan;
    private readonly bool _centered;

    public CrossMomentCombineNode(ArrayNode states, int fan, bool centered)
        : base(DataType.UInt8, ChunkGrid.FromSizes([Enumerable.Repeat(1, (states.Grid.Sizes(0).Count + fan - 1) / fan).ToArray(), states.Grid.Sizes(1), states.Grid.Sizes(2)]), [states])
    {
        _fan = fan;
        _centered = centered;
    }

    public override string Label => "cross-moment-combine";

    public override long OutputBytes(ReadOnlySpan<long> chunkIndex) =>
        CrossMomentState.Doubles(Grid.Size(1, chunkIndex[1]), Grid.Size(2, chunkIndex[2])) * sizeof(double);

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        long count = Inputs[0].Grid.Sizes(0).Count;
        for (long g = chunkIndex[0] * _fan; g < Math.Min(count, (chunkIndex[0] + 1) * _fan); g++)
        {
            dependencies.Add(new ChunkDependency(0, [g, chunkIndex[1], chunkIndex[2]]));
        }
    }

    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        int na = Grid.Size(1, context.ChunkIndex[1]), nb = Grid.Size(2, context.ChunkIndex[2]);
        int length = checked((int)CrossMomentState.Doubles(na, nb));
        var into = new Span<double>(context.Output.Pointer, length);
        new ReadOnlySpan<double>(context.Inputs[0].Pointer, length).CopyTo(into);
        for (int i = 1; i < context.Inputs.Count; i++)
        {
            CrossMomentState.Merge(new ReadOnlySpan<double>(context.Inputs[i].Pointer, length), into, na, nb, _centered);
        }
    }
}

/// <summary>
/// Step 3: the n × n result on the grid (column chunks, column chunks). Chunk (a, b) reads state (a, b) when a ≤ b
/// and the transpose of state (b, a) otherwise; a correlation also reads the diagonal states (a, a) and (b, b).
/// </summary>
internal sealed unsafe class CrossMomentFinalizeNode<T> : ArrayNode
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly CrossMomentKind _kind;
    private readonly double _ddof;

    public CrossMomentFinalizeNode(ArrayNode states, CrossMomentKind kind, double ddof)
        : base(DataType.Of<T>(), ChunkGrid.FromSizes([states.Grid.Sizes(1), states.Grid.Sizes(2)]), [states])
    {
        _kind = kind;
        _ddof = ddof;
    }

    public override string Label => _kind switch
    {
        CrossMomentKind.Gram => "gram",
        CrossMomentKind.Covariance => "covariance",
        _ => "correlation",
    };

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        long lo = Math.Min(chunkIndex[0], chunkIndex[1]), hi = Math.Max(chunkIndex[0], chunkIndex[1]);
        dependencies.Add(new ChunkDependency(0, [0, lo, hi]));
        if (_kind == CrossMomentKind.Correlation && lo != hi)
        {
            dependencies.Add(new ChunkDependency(0, [0, lo, lo]));
            dependencies.Add(new ChunkDependency(0, [0, hi, hi]));
        }
    }

    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        long a = context.ChunkIndex[0], b = context.ChunkIndex[1];
        bool transposed = a > b;
        int nLo = Grid.Size(0, Math.Min(a, b)), nHi = Grid.Size(0, Math.Max(a, b));
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

    // NumPy's corrcoef clips to [-1, 1]; a constant column gives NaN (0/0), as NumPy does.
    private static double Correlation(double m, double varP, double varQ)
    {
        double v = m / Math.Sqrt(varP * varQ);
        return double.IsNaN(v) ? v : Math.Clamp(v, -1, 1);
    }
}
