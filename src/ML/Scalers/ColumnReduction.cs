using System.Numerics;
using System.Numerics.Tensors;
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

    /// <summary>Adds the values of global column <paramref name="column"/> in one chunk (contiguous) to its state.</summary>
    public abstract void Accumulate(ReadOnlySpan<double> values, int column, Span<double> state);

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

    /// <summary>Columns converted and transposed together: a tile of rows × 16 float64 stays in cache while states update.</summary>
    private const int TileColumns = 16;

    public override long ScratchBytes(ReadOnlySpan<long> chunkIndex) =>
        (long)Inputs[0].Grid.Size(0, chunkIndex[0]) * Math.Min(TileColumns, Inputs[0].Grid.Size(1, chunkIndex[1])) * sizeof(double);

    public override void Execute(ChunkKernelContext context)
    {
        var grid = Inputs[0].Grid;
        var index = context.ChunkIndex;
        int rows = grid.Size(0, index[0]);
        int cols = grid.Size(1, index[1]);
        int first = checked((int)grid.Offset(1, index[1]));
        int width = _reducer.Width;
        var states = new Span<double>(context.Output.Pointer, cols * width);
        var input = new ReadOnlySpan<T>(context.Inputs[0].Pointer, rows * cols);
        var tile = new Span<double>(context.Scratch!.Pointer, rows * Math.Min(TileColumns, cols));
        for (int c0 = 0; c0 < cols; c0 += TileColumns)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            int n = Math.Min(TileColumns, cols - c0);
            for (int r = 0; r < rows; r++)
            {
                var source = input.Slice((r * cols) + c0, n);
                for (int k = 0; k < n; k++)
                {
                    tile[(k * rows) + r] = double.CreateTruncating(source[k]);
                }
            }

            for (int k = 0; k < n; k++)
            {
                var state = states.Slice((c0 + k) * width, width);
                _reducer.Initialize(state, first + c0 + k);
                _reducer.Accumulate(tile.Slice(k * rows, rows), first + c0 + k, state);
            }
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

    public override void Accumulate(ReadOnlySpan<double> values, int column, Span<double> state)
    {
        double count = state[Count], shift = state[Shift], s1 = state[S1], s2 = state[S2], min = state[Min], max = state[Max];
        foreach (double v in values)
        {
            if (double.IsNaN(v))
            {
                continue;
            }

            if (count == 0)
            {
                shift = v;
            }

            double d = v - shift;
            count++;
            s1 += d;
            s2 += d * d;
            min = v < min ? v : min;
            max = v > max ? v : max;
        }

        state[Count] = count;
        state[Shift] = shift;
        state[S1] = s1;
        state[S2] = s2;
        state[Min] = min;
        state[Max] = max;
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
/// Per column, counts over equal-width bins. Level 0 has one histogram of <c>Bins</c> bins over [min, max]. A deeper
/// level has one histogram per target, over the interval its path of bins leads to: a value belongs to a target when,
/// bin by bin from [min, max], it falls in the path's bin at every level (the same floating-point steps in every pass,
/// so the counts of a level add up exactly to the count of the bin it splits).
/// </summary>
internal sealed class HistogramReducer : ColumnReducer
{
    private readonly double[] _low;
    private readonly double[] _high;
    private readonly int _bins;
    private readonly int[][][]? _paths;
    private readonly int _targets;

    /// <summary>Level 0: <paramref name="bins"/> bins over [low, high] per column.</summary>
    public HistogramReducer(double[] low, double[] high, int bins)
        : this(low, high, bins, null)
    {
    }

    /// <summary>A deeper level: per column and target, the path of bins chosen so far (all paths of one length).</summary>
    public HistogramReducer(double[] low, double[] high, int bins, int[][][]? paths)
    {
        _low = low;
        _high = high;
        _bins = bins;
        _paths = paths;
        _targets = paths is null ? 1 : paths[0].Length;
    }

    public override int Width => _bins * _targets;

    public override string Name => _paths is null ? "column-histogram" : "column-histogram-refine";

    /// <summary>The bin of <paramref name="v"/> among <paramref name="bins"/> over [low, high] (clamped to the ends).</summary>
    public static int Bin(double v, double low, double high, int bins)
    {
        if (!(high > low))
        {
            return 0;
        }

        double k = Math.Floor((v - low) / (high - low) * bins);
        return k < 0 ? 0 : k >= bins ? bins - 1 : (int)k;
    }

    /// <summary>The edges of bin <paramref name="bin"/> among <paramref name="bins"/> over [low, high].</summary>
    public static (double Low, double High) Edges(int bin, double low, double high, int bins)
    {
        double width = (high - low) / bins;
        return (low + (bin * width), bin == bins - 1 ? high : low + ((bin + 1) * width));
    }

    /// <summary>The interval a path of bins leads to from [low, high].</summary>
    public static (double Low, double High) Interval(ReadOnlySpan<int> path, double low, double high, int bins)
    {
        foreach (int b in path)
        {
            (low, high) = Edges(b, low, high, bins);
        }

        return (low, high);
    }

    public override void Initialize(Span<double> state, int column) => state.Clear();

    public override void Accumulate(ReadOnlySpan<double> values, int column, Span<double> state)
    {
        double low = _low[column], high = _high[column];
        if (_paths is null)
        {
            foreach (double v in values)
            {
                if (!double.IsNaN(v))
                {
                    state[Bin(v, low, high, _bins)] += 1;
                }
            }

            return;
        }

        var paths = _paths[column];
        foreach (double v in values)
        {
            if (double.IsNaN(v))
            {
                continue;
            }

            int first = Bin(v, low, high, _bins);
            for (int t = 0; t < paths.Length; t++)
            {
                var path = paths[t];
                if (path[0] != first)
                {
                    continue;
                }

                var (lo, hi) = Edges(first, low, high, _bins);
                bool inside = true;
                for (int level = 1; level < path.Length && inside; level++)
                {
                    int b = Bin(v, lo, hi, _bins);
                    inside = b == path[level];
                    (lo, hi) = Edges(b, lo, hi, _bins);
                }

                if (inside)
                {
                    state[(t * _bins) + Bin(v, lo, hi, _bins)] += 1;
                }
            }
        }
    }

    public override void Merge(Span<double> into, ReadOnlySpan<double> from) => TensorPrimitives.Add(into, from, into);
}
