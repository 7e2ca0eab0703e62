using System.Numerics;
using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>
/// The k largest (k &gt; 0, descending) or smallest (k &lt; 0, ascending) values of every lane along an axis, or their
/// indices (Dask's <c>topk</c>/<c>argtopk</c>), as a tree reduction: each chunk keeps its lanes' best |k| candidates
/// with their indices along the axis, combines keep the best |k| of a group, and the root is the answer. NaN counts as
/// the largest value (NumPy's sort order); equal values keep the lower index first. State layout per chunk: the
/// candidates' values (lanes × |k|, C order with the axis of size |k|), then their int64 indices (−1: none).
/// </summary>
internal sealed unsafe class TopKReduction<T> : MergeableReduction
    where T : unmanaged, INumberBase<T>, IComparisonOperators<T, T, bool>
{
    private readonly int _axis;
    private readonly int _k;
    private readonly bool _largest;
    private readonly bool _indices;
    private readonly ChunkGrid _input;

    public TopKReduction(ArrayNode input, int axis, int k, bool indices)
        : base(indices ? "argtopk" : "topk", [input], StateGrid(input.Grid, axis, Math.Abs(k)), Enumerable.Range(0, input.Grid.Rank).Select(d => d == axis).ToArray())
    {
        _axis = axis;
        _k = Math.Abs(k);
        _largest = k > 0;
        _indices = indices;
        _input = input.Grid;
    }

    public override DataType OutputType => _indices ? DataType.Int64 : DataType.Of<T>();

    // The axis keeps its name (its length becomes |k|), as every other dimension does.
    internal override IReadOnlyList<string?>? ResultDimensionNames => Inputs[0].DimensionNames;

    private static ChunkGrid StateGrid(ChunkGrid grid, int axis, int k) =>
        ChunkGrid.FromSizes(Enumerable.Range(0, grid.Rank).Select(d => d == axis ? (IReadOnlyList<int>)Enumerable.Repeat(k, grid.Sizes(d).Count).ToArray() : grid.Sizes(d)).ToArray());

    public override long StateBytes(int level, ChunkGrid grid, ReadOnlySpan<long> index)
    {
        ArgumentNullException.ThrowIfNull(grid);
        return grid.ChunkElements(index) * (sizeof(T) + sizeof(long));
    }

    public override ChunkGrid CombineGrid(int level, ChunkGrid merged)
    {
        ArgumentNullException.ThrowIfNull(merged);
        return StateGrid(merged, _axis, _k);
    }

    /// <summary>One lane's candidates while they are ranked.</summary>
    public override long PartialHeldBytes(ReadOnlySpan<long> stateIndex) => (long)_input.Size(_axis, stateIndex[_axis]) * (sizeof(T) + sizeof(long) + sizeof(int));

    public override void Partial(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var input = context.Inputs[0];
        var (outer, length, inner) = ScanLanes.Of(input.Shape, _axis);
        var x = new ReadOnlySpan<T>(input.Pointer, checked((int)(outer * length * inner)));
        long first = _input.Offset(_axis, context.ChunkIndex[_axis]);
        var values = new T[length];
        var positions = new long[length];
        var order = new int[length];
        var compare = Comparer<int>.Create(Ranking(values, positions));
        var outValues = Values(context.Output, outer * inner);
        var outIndices = Indices(context.Output, outer * inner);
        for (long o = 0; o < outer; o++)
        {
            for (long k = 0; k < inner; k++)
            {
                for (int i = 0; i < length; i++)
                {
                    values[i] = x[(int)((((o * length) + i) * inner) + k)];
                    positions[i] = first + i;
                }

                Keep(values, positions, (int)length, order, compare, outValues, outIndices, o, k, inner);
            }
        }
    }

    public override void Combine(int level, ChunkGrid grid, ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var shape = context.Output.Shape;
        var (outer, _, inner) = ScanLanes.Of(shape, _axis);
        int n = context.Inputs.Count * _k;
        var values = new T[n];
        var positions = new long[n];
        var order = new int[n];
        var compare = Comparer<int>.Create(Ranking(values, positions));
        var outValues = Values(context.Output, outer * inner);
        var outIndices = Indices(context.Output, outer * inner);
        for (long o = 0; o < outer; o++)
        {
            for (long k = 0; k < inner; k++)
            {
                int count = 0;
                foreach (var input in context.Inputs)
                {
                    var v = Values(input, outer * inner);
                    var p = Indices(input, outer * inner);
                    for (int j = 0; j < _k; j++)
                    {
                        int at = (int)((((o * _k) + j) * inner) + k);
                        if (p[at] >= 0)
                        {
                            values[count] = v[at];
                            positions[count++] = p[at];
                        }
                    }
                }

                Keep(values, positions, count, order, compare, outValues, outIndices, o, k, inner);
            }
        }
    }

    public override ChunkGrid OutputGrid(ChunkGrid root) => root;

    public override void FinalizeDependencies(ReadOnlySpan<long> outputIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        dependencies.Add(new ChunkDependency(0, outputIndex.ToArray()));
    }

    public override void Finalize(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        long lanes = context.Output.ElementCount / _k;
        if (_indices)
        {
            Indices(context.Inputs[0], lanes).CopyTo(context.Output.As<long>());
        }
        else
        {
            Values(context.Inputs[0], lanes).CopyTo(context.Output.As<T>());
        }
    }

    private Span<T> Values(ChunkBuffer buffer, long lanes) => new(buffer.Pointer, checked((int)(lanes * _k)));

    private Span<long> Indices(ChunkBuffer buffer, long lanes)
    {
        int n = checked((int)(lanes * _k));
        return new Span<long>((byte*)buffer.Pointer + ((long)n * sizeof(T)), n);
    }

    // Ranks count candidates and writes the best |k| of lane (o, k) in order (−1 indices where there are fewer).
    // The order and its comparison are made once per chunk task and reused for every lane.
    private void Keep(T[] values, long[] positions, int count, int[] order, IComparer<int> compare, Span<T> outValues, Span<long> outIndices, long o, long k, long inner)
    {
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, 0, count, compare);
        for (int j = 0; j < _k; j++)
        {
            int at = (int)((((o * _k) + j) * inner) + k);
            if (j < count)
            {
                outValues[at] = values[order[j]];
                outIndices[at] = positions[order[j]];
            }
            else
            {
                outValues[at] = default;
                outIndices[at] = -1;
            }
        }
    }

    // Best first: by value (descending for the largest), then lower index first.
    private Comparison<int> Ranking(T[] values, long[] positions) => (a, b) =>
    {
        int c = Rank(values[a], values[b]);
        return c != 0 ? (_largest ? -c : c) : positions[a].CompareTo(positions[b]);
    };

    // NumPy's sort order: NaN above every number.
    private static int Rank(T a, T b)
    {
        bool na = T.IsNaN(a);
        bool nb = T.IsNaN(b);
        return na || nb ? na.CompareTo(nb) : a < b ? -1 : a > b ? 1 : 0;
    }
}
