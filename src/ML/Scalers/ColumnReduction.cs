using System.Numerics;
using System.Numerics.Tensors;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
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
        var roots = reducers.Select(r => Tree(x, r).Root).ToArray();
        var results = await Computation.ComputeAsync(roots, options, cancellationToken).ConfigureAwait(false);
        return results.Select(r => ((ComputedArray<double>)r).ToArray()).ToArray();
    }

    /// <summary>The reduction tree of <paramref name="reducer"/> over <paramref name="x"/> (fan-in 4 along the rows).</summary>
    public static ReductionTree Tree<T>(ChunkedArray<T> x, ColumnReducer reducer)
        where T : unmanaged, INumberBase<T> => ReductionTree.Build(new ColumnReduction<T>(x.Node, reducer), 4);
}

/// <summary>
/// A <see cref="ColumnReducer"/> as a tree reduction: the state grid is (one chunk of size 1 per row block, the input's
/// column chunks × <see cref="ColumnReducer.Width"/>) float64, so the root is read as the result. A partial takes its
/// chunk whole or streamed (<see cref="RowBlocks{T}"/>): blocks of rows are converted and transposed a tile of
/// 16 columns at a time, so each column's values reach <see cref="ColumnReducer.Accumulate"/> in row order either way.
/// </summary>
internal sealed unsafe class ColumnReduction<T> : MergeableReduction
    where T : unmanaged, INumberBase<T>
{
    /// <summary>Columns converted and transposed together: a tile of rows × 16 float64 stays in cache while states update.</summary>
    private const int TileColumns = 16;

    private readonly ColumnReducer _reducer;
    private readonly ChunkGrid _input;

    public ColumnReduction(ArrayNode input, ColumnReducer reducer)
        : base(reducer.Name, [input], StateGrid(input.Grid, reducer.Width), [true, false], DataType.Float64)
    {
        _reducer = reducer;
        _input = input.Grid;
    }

    public override bool ConsumesStream(ReadOnlySpan<long> stateIndex) => true;

    public override long PartialScratchBytes(ReadOnlySpan<long> stateIndex)
    {
        int rows = _input.Size(0, stateIndex[0]), cols = _input.Size(1, stateIndex[1]);
        int block = BlockRows(rows, cols);
        return ((long)block * Math.Min(TileColumns, cols) * sizeof(double)) + RowBlocks<T>.BufferBytes(cols, block);
    }

    public override void Partial(ChunkKernelContext context)
    {
        var index = context.ChunkIndex;
        int rows = _input.Size(0, index[0]);
        int cols = _input.Size(1, index[1]);
        int first = checked((int)_input.Offset(1, index[1]));
        int width = _reducer.Width;
        int block = BlockRows(rows, cols);
        var states = new Span<double>(context.Output.Pointer, cols * width);
        var scratch = context.Scratch!;
        var tile = new Span<double>(scratch.Pointer, block * Math.Min(TileColumns, cols));
        var buffer = new Span<T>((byte*)scratch.Pointer + (tile.Length * sizeof(double)), block * cols);
        for (int c = 0; c < cols; c++)
        {
            _reducer.Initialize(states.Slice(c * width, width), first + c);
        }

        var reader = new RowBlocks<T>(context, rows, cols, block, buffer);
        while (reader.Next(out var input))
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            int n = input.Length / cols;
            for (int c0 = 0; c0 < cols; c0 += TileColumns)
            {
                int w = Math.Min(TileColumns, cols - c0);
                for (int r = 0; r < n; r++)
                {
                    var source = input.Slice((r * cols) + c0, w);
                    for (int k = 0; k < w; k++)
                    {
                        tile[(k * n) + r] = double.CreateTruncating(source[k]);
                    }
                }

                for (int k = 0; k < w; k++)
                {
                    _reducer.Accumulate(tile.Slice(k * n, n), first + c0 + k, states.Slice((c0 + k) * width, width));
                }
            }
        }
    }

    public override void Combine(int level, ChunkGrid grid, ChunkKernelContext context)
    {
        int n = grid.Size(1, context.ChunkIndex[1]);
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

    // Rows per block: about 256 KiB of input, at least 16 rows (so per-column calls stay few) and at most 1024.
    private static int BlockRows(int rows, int cols) => Math.Max(1, Math.Min(rows, Math.Clamp((256 << 10) / Math.Max(1, cols * sizeof(T)), 16, 1024)));

    private static ChunkGrid StateGrid(ChunkGrid input, int width) =>
        ChunkGrid.FromSizes([Enumerable.Repeat(1, input.Sizes(0).Count).ToArray(), input.Sizes(1).Select(c => checked(c * width)).ToArray()]);
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
