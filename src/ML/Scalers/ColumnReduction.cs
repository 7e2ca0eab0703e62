using System.Numerics;
using ChunkCompute.Graph;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;

namespace ChunkCompute.ML;

/// <summary>
/// Per-column statistics of a 2-D array as a tree of mergeable states run by the engine: one partial task per input
/// chunk (a state of <see cref="Width"/> float64 values per column), combine tasks merging up to 4 states along the
/// rows, one state per column chunk at the root. NaNs are skipped.
/// </summary>
internal abstract class ColumnReducer
{
    /// <summary>float64 values of state per column.</summary>
    public abstract int Width { get; }

    /// <summary>A short name for plans and errors.</summary>
    public abstract string Name { get; }

    /// <summary>The empty state of global column <paramref name="column"/>.</summary>
    public abstract void Initialize(Span<double> state, int column);

    /// <summary>Adds one row of a chunk (its columns from <paramref name="firstColumn"/> on) to the columns' states.</summary>
    public abstract void Accumulate(ReadOnlySpan<double> row, int firstColumn, Span<double> states);

    /// <summary>Merges <paramref name="from"/> into <paramref name="into"/> (one column's state).</summary>
    public abstract void Merge(Span<double> into, ReadOnlySpan<double> from);

    /// <summary>
    /// Computes the reducers over <paramref name="x"/> in one engine pass (the input is read once for all of them) and
    /// returns each one's states, <c>Width</c> values per column, columns in order.
    /// </summary>
    public static async Task<double[][]> RunAsync<T>(ChunkedArray<T> x, IReadOnlyList<ColumnReducer> reducers, ComputeOptions? options, CancellationToken cancellationToken)
        where T : unmanaged, INumberBase<T>
    {
        var roots = reducers.Select(r => Build(x.Node, r)).ToArray();
        var results = await Computation.ComputeAsync(roots, options, cancellationToken).ConfigureAwait(false);
        return results.Select(r => ((ComputedArray<double>)r).ToArray()).ToArray();

        static ArrayNode Build(ArrayNode input, ColumnReducer reducer)
        {
            ArrayNode node = new ColumnPartialNode<T>(input, reducer);
            while (node.Grid.Shape[0] > 1)
            {
                node = new ColumnCombineNode(node, reducer, 4);
            }

            return node;
        }
    }

    internal static ChunkGrid StateGrid(long rows, ChunkGrid input, int width) =>
        ChunkGrid.FromSizes([Enumerable.Repeat(1, checked((int)rows)).ToArray(), input.Sizes(1).Select(c => checked(c * width)).ToArray()]);
}

/// <summary>One state per input chunk.</summary>
internal sealed unsafe class ColumnPartialNode<T> : ArrayNode
    where T : unmanaged, INumberBase<T>
{
    private readonly ColumnReducer _reducer;

    public ColumnPartialNode(ArrayNode input, ColumnReducer reducer)
        : base(DataType.Float64, ColumnReducer.StateGrid(input.Grid.GridShape[0], input.Grid, reducer.Width), [input])
    {
        _reducer = reducer;
    }

    public override string Label => _reducer.Name + "-partial";

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies) =>
        dependencies.Add(new ChunkDependency(0, chunkIndex.ToArray()));

    public override long ScratchBytes(ReadOnlySpan<long> chunkIndex) => (long)Inputs[0].Grid.Size(1, chunkIndex[1]) * sizeof(double);

    public override void Execute(ChunkKernelContext context)
    {
        var grid = Inputs[0].Grid;
        var index = context.ChunkIndex;
        int rows = grid.Size(0, index[0]);
        int cols = grid.Size(1, index[1]);
        int first = checked((int)grid.Offset(1, index[1]));
        int width = _reducer.Width;
        var states = new Span<double>(context.Output.Pointer, cols * width);
        for (int c = 0; c < cols; c++)
        {
            _reducer.Initialize(states.Slice(c * width, width), first + c);
        }

        var input = new ReadOnlySpan<T>(context.Inputs[0].Pointer, rows * cols);
        var row = new Span<double>(context.Scratch!.Pointer, cols);
        for (int r = 0; r < rows; r++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var source = input.Slice(r * cols, cols);
            for (int c = 0; c < cols; c++)
            {
                row[c] = double.CreateTruncating(source[c]);
            }

            _reducer.Accumulate(row, first, states);
        }
    }
}

/// <summary>Merges up to <c>splitEvery</c> states along the rows.</summary>
internal sealed unsafe class ColumnCombineNode : ArrayNode
{
    private readonly ColumnReducer _reducer;
    private readonly int _splitEvery;

    public ColumnCombineNode(ArrayNode states, ColumnReducer reducer, int splitEvery)
        : base(DataType.Float64, ChunkGrid.FromSizes([Enumerable.Repeat(1, checked((int)((states.Grid.Shape[0] + splitEvery - 1) / splitEvery))).ToArray(), states.Grid.Sizes(1).ToArray()]), [states])
    {
        _reducer = reducer;
        _splitEvery = splitEvery;
    }

    public override string Label => _reducer.Name + "-combine";

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        long rows = Inputs[0].Grid.Shape[0];
        for (long r = chunkIndex[0] * _splitEvery; r < Math.Min(rows, (chunkIndex[0] + 1) * _splitEvery); r++)
        {
            dependencies.Add(new ChunkDependency(0, [r, chunkIndex[1]]));
        }
    }

    public override void Execute(ChunkKernelContext context)
    {
        int n = Grid.Size(1, context.ChunkIndex[1]);
        int width = _reducer.Width;
        var output = new Span<double>(context.Output.Pointer, n);
        new ReadOnlySpan<double>(context.Inputs[0].Pointer, n).CopyTo(output);
        for (int i = 1; i < context.Inputs.Count; i++)
        {
            var from = new ReadOnlySpan<double>(context.Inputs[i].Pointer, n);
            for (int c = 0; c < n; c += width)
            {
                _reducer.Merge(output.Slice(c, width), from.Slice(c, width));
            }
        }
    }
}

/// <summary>
/// Count, min and max of the non-NaN values, and their sums of deviations from a shift (the column's first value in the
/// chunk): S1 = Σ(v − K), S2 = Σ(v − K)², so mean = K + S1 / n and M2 = S2 − S1² / n without cancellation against a
/// large mean. States merge by Chan's formula (the merged state is re-centred on its mean).
/// </summary>
internal sealed class MomentsReducer : ColumnReducer
{
    public const int Count = 0, Shift = 1, S1 = 2, S2 = 3, Min = 4, Max = 5;

    public override int Width => 6;

    public override string Name => "column-moments";

    /// <summary>The mean of a state (NaN when empty).</summary>
    public static double MeanOf(ReadOnlySpan<double> s) => s[Count] > 0 ? s[Shift] + (s[S1] / s[Count]) : double.NaN;

    /// <summary>The sum of squared deviations from the mean of a state.</summary>
    public static double M2Of(ReadOnlySpan<double> s) => s[Count] > 0 ? Math.Max(0, s[S2] - (s[S1] * s[S1] / s[Count])) : double.NaN;

    public override void Initialize(Span<double> state, int column)
    {
        state.Clear();
        state[Min] = double.PositiveInfinity;
        state[Max] = double.NegativeInfinity;
    }

    public override void Accumulate(ReadOnlySpan<double> row, int firstColumn, Span<double> states)
    {
        for (int c = 0; c < row.Length; c++)
        {
            double v = row[c];
            if (double.IsNaN(v))
            {
                continue;
            }

            var s = states.Slice(c * 6, 6);
            if (s[Count] == 0)
            {
                s[Shift] = v;
            }

            double d = v - s[Shift];
            s[Count] += 1;
            s[S1] += d;
            s[S2] += d * d;
            if (v < s[Min])
            {
                s[Min] = v;
            }

            if (v > s[Max])
            {
                s[Max] = v;
            }
        }
    }

    public override void Merge(Span<double> into, ReadOnlySpan<double> from)
    {
        double na = into[Count], nb = from[Count];
        if (nb == 0)
        {
            return;
        }

        if (na == 0)
        {
            from.CopyTo(into);
            return;
        }

        double ma = MeanOf(into), mb = MeanOf(from);
        double n = na + nb;
        double delta = mb - ma;
        double mean = ma + (delta * (nb / n));
        double m2 = M2Of(into) + M2Of(from) + (delta * delta * (na * nb / n));
        into[Count] = n;
        into[Shift] = mean;
        into[S1] = 0;
        into[S2] = m2;
        into[Min] = Math.Min(into[Min], from[Min]);
        into[Max] = Math.Max(into[Max], from[Max]);
    }
}

/// <summary>
/// Per column, counts over <c>Targets</c> × <c>Bins</c> equal-width bins: the coarse pass has one target covering
/// [min, max]; the refinement pass splits chosen coarse bins. A value belongs to target t when its coarse bin is
/// <c>targets[t]</c> (or always, for the coarse pass), and to the fine bin of its position inside that coarse bin.
/// </summary>
internal sealed class HistogramReducer : ColumnReducer
{
    private readonly double[] _low;
    private readonly double[] _high;
    private readonly int _bins;
    private readonly int[][]? _targets;
    private readonly int _targetCount;

    /// <summary>The coarse pass: <paramref name="bins"/> bins over [low, high] per column.</summary>
    public HistogramReducer(double[] low, double[] high, int bins)
        : this(low, high, bins, null)
    {
    }

    /// <summary>The refinement pass: per column, each target coarse bin split into <paramref name="bins"/> fine bins.</summary>
    public HistogramReducer(double[] low, double[] high, int bins, int[][]? targets)
    {
        _low = low;
        _high = high;
        _bins = bins;
        _targets = targets;
        _targetCount = targets is null ? 1 : targets[0].Length;
    }

    public override int Width => _bins * _targetCount;

    public override string Name => _targets is null ? "column-histogram" : "column-histogram-refine";

    /// <summary>The coarse bin of <paramref name="v"/> (the same formula in both passes, so fine counts add up to coarse counts).</summary>
    public static int Bin(double v, double low, double high, int bins)
    {
        if (!(high > low))
        {
            return 0;
        }

        double k = Math.Floor((v - low) / (high - low) * bins);
        return k < 0 ? 0 : k >= bins ? bins - 1 : (int)k;
    }

    /// <summary>The edges of coarse bin <paramref name="bin"/>.</summary>
    public static (double Low, double High) Edges(int bin, double low, double high, int bins)
    {
        double width = (high - low) / bins;
        return (low + (bin * width), bin == bins - 1 ? high : low + ((bin + 1) * width));
    }

    public override void Initialize(Span<double> state, int column) => state.Clear();

    public override void Accumulate(ReadOnlySpan<double> row, int firstColumn, Span<double> states)
    {
        int width = Width;
        for (int c = 0; c < row.Length; c++)
        {
            double v = row[c];
            if (double.IsNaN(v))
            {
                continue;
            }

            int col = firstColumn + c;
            var s = states.Slice(c * width, width);
            int coarse = Bin(v, _low[col], _high[col], _bins);
            if (_targets is null)
            {
                s[coarse] += 1;
                continue;
            }

            var targets = _targets[col];
            for (int t = 0; t < targets.Length; t++)
            {
                if (targets[t] == coarse)
                {
                    var (lo, hi) = Edges(coarse, _low[col], _high[col], _bins);
                    s[(t * _bins) + Bin(v, lo, hi, _bins)] += 1;
                }
            }
        }
    }

    public override void Merge(Span<double> into, ReadOnlySpan<double> from)
    {
        for (int i = 0; i < into.Length; i++)
        {
            into[i] += from[i];
        }
    }
}
