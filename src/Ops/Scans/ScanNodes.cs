using System.Numerics;
using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>The cumulative operations: a running sum or product, optionally skipping NaN (as 0 or 1).</summary>
internal enum ScanKind
{
    Sum,
    Product,
    NanSum,
    NanProduct,
}

/// <summary>The element arithmetic of a scan from <typeparamref name="TIn"/> into <typeparamref name="TOut"/>.</summary>
internal static class ScanMath<TIn, TOut>
    where TIn : unmanaged, INumberBase<TIn>
    where TOut : unmanaged, INumberBase<TOut>
{
    public static TOut Identity(ScanKind kind) => kind is ScanKind.Sum or ScanKind.NanSum ? TOut.Zero : TOut.One;

    public static TOut Combine(ScanKind kind, TOut a, TOut b) => kind is ScanKind.Sum or ScanKind.NanSum ? a + b : a * b;

    // NaN is skipped by the nan-scans: it counts as the identity.
    public static TOut Convert(ScanKind kind, TIn value) =>
        kind is ScanKind.NanSum or ScanKind.NanProduct && TIn.IsNaN(value) ? Identity(kind) : TOut.CreateTruncating(value);
}

/// <summary>
/// Chunk (…, j, …) of a scan's totals: the chunk of the input reduced along the scan axis (sum or product), one slice
/// per input chunk (the axis has one element per input chunk). The carries are built from these, not from whole chunks.
/// </summary>
internal sealed unsafe class ScanTotalsNode<TIn, TOut> : ArrayNode
    where TIn : unmanaged, INumberBase<TIn>
    where TOut : unmanaged, INumberBase<TOut>
{
    private readonly int _axis;
    private readonly ScanKind _kind;

    public ScanTotalsNode(ArrayNode input, int axis, ScanKind kind)
        : base(DataType.Of<TOut>(), TotalsGrid(input.Grid, axis), [input])
    {
        _axis = axis;
        _kind = kind;
    }

    public override string Label => "scan-totals";

    // The input's grid with the scan axis replaced by one element (and one chunk of 1) per input chunk along it.
    public static ChunkGrid TotalsGrid(ChunkGrid grid, int axis) =>
        ChunkGrid.FromSizes(Enumerable.Range(0, grid.Rank).Select(d => d == axis ? (IReadOnlyList<int>)Enumerable.Repeat(1, grid.Sizes(d).Count).ToArray() : grid.Sizes(d)).ToArray());

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        dependencies.Add(new ChunkDependency(0, chunkIndex.ToArray()));
    }

    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var input = context.Inputs[0];
        var (outer, length, inner) = ScanLanes.Of(input.Shape, _axis);
        var x = new ReadOnlySpan<TIn>(input.Pointer, checked((int)(outer * length * inner)));
        var totals = context.Output.As<TOut>();
        totals.Fill(ScanMath<TIn, TOut>.Identity(_kind));

        // Row by row along the axis, so the reads run in memory order.
        for (long o = 0; o < outer; o++)
        {
            var acc = totals.Slice((int)(o * inner), (int)inner);
            for (long i = 0; i < length; i++)
            {
                var row = x.Slice((int)(((o * length) + i) * inner), (int)inner);
                for (int k = 0; k < row.Length; k++)
                {
                    acc[k] = ScanMath<TIn, TOut>.Combine(_kind, acc[k], ScanMath<TIn, TOut>.Convert(_kind, row[k]));
                }
            }
        }
    }
}

/// <summary>
/// The carries of a scan: for each input chunk j along the axis, the combination of the totals of chunks 0…j−1 (an
/// exclusive prefix). One chunk along the axis (it holds a slice per input chunk), chunked like the input elsewhere.
/// </summary>
internal sealed class ScanCarryNode<TOut> : ArrayNode
    where TOut : unmanaged, INumberBase<TOut>
{
    private readonly int _axis;
    private readonly bool _sum;

    public ScanCarryNode(ArrayNode totals, int axis, bool sum)
        : base(totals.DataType, CarryGrid(totals.Grid, axis), [totals])
    {
        _axis = axis;
        _sum = sum;
    }

    public override string Label => "scan-carry";

    private static ChunkGrid CarryGrid(ChunkGrid totals, int axis) =>
        ChunkGrid.FromSizes(Enumerable.Range(0, totals.Rank).Select(d => d == axis ? (IReadOnlyList<int>)[totals.Sizes(d).Count] : totals.Sizes(d)).ToArray());

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        long n = Grid.Shape[_axis];
        for (long j = 0; j < n; j++)
        {
            var index = chunkIndex.ToArray();
            index[_axis] = j;
            dependencies.Add(new ChunkDependency(0, index));
        }
    }

    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (outer, n, inner) = ScanLanes.Of(context.Output.Shape, _axis);
        var carries = context.Output.As<TOut>();
        for (long o = 0; o < outer; o++)
        {
            for (long k = 0; k < inner; k++)
            {
                var acc = _sum ? TOut.Zero : TOut.One;
                for (int j = 0; j < n; j++)
                {
                    carries[(int)((((o * n) + j) * inner) + k)] = acc;
                    var total = context.Inputs[j].As<TOut>()[(int)((o * inner) + k)];
                    acc = _sum ? acc + total : acc * total;
                }
            }
        }
    }
}

/// <summary>
/// A chunk of the scan: the input chunk scanned along the axis, starting from the chunk's carry (so each element is
/// the combination of every element before it along the axis, in order within the chunk).
/// </summary>
internal sealed unsafe class ScanNode<TIn, TOut> : ArrayNode
    where TIn : unmanaged, INumberBase<TIn>
    where TOut : unmanaged, INumberBase<TOut>
{
    private readonly int _axis;
    private readonly ScanKind _kind;

    public ScanNode(ArrayNode input, ArrayNode carries, int axis, ScanKind kind, string label)
        : base(DataType.Of<TOut>(), input.Grid, [input, carries])
    {
        _axis = axis;
        _kind = kind;
        Label = label;
    }

    public override string Label { get; }

    public override IReadOnlyList<string?>? DimensionNames => Inputs[0].DimensionNames;

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        dependencies.Add(new ChunkDependency(0, chunkIndex.ToArray()));
        var carry = chunkIndex.ToArray();
        carry[_axis] = 0;
        dependencies.Add(new ChunkDependency(1, carry));
    }

    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var input = context.Inputs[0];
        var (outer, length, inner) = ScanLanes.Of(input.Shape, _axis);
        var x = new ReadOnlySpan<TIn>(input.Pointer, checked((int)(outer * length * inner)));
        var y = context.Output.As<TOut>();
        var carries = context.Inputs[1].As<TOut>();
        long n = context.Inputs[1].Shape[_axis];
        long j = context.ChunkIndex[_axis];
        // Row by row along the axis: each output row is the previous one (the carry for the first) combined with the
        // input row, so reads and writes run in memory order.
        for (long o = 0; o < outer; o++)
        {
            ReadOnlySpan<TOut> previous = carries.Slice((int)(((o * n) + j) * inner), (int)inner);
            for (long i = 0; i < length; i++)
            {
                int at = (int)(((o * length) + i) * inner);
                var row = x.Slice(at, (int)inner);
                var result = y.Slice(at, (int)inner);
                for (int k = 0; k < row.Length; k++)
                {
                    result[k] = ScanMath<TIn, TOut>.Combine(_kind, previous[k], ScanMath<TIn, TOut>.Convert(_kind, row[k]));
                }

                previous = result;
            }
        }
    }
}

/// <summary>A chunk seen as lanes along an axis: outer × length × inner elements in C order.</summary>
internal static class ScanLanes
{
    public static (long Outer, long Length, long Inner) Of(int[] shape, int axis)
    {
        long outer = 1;
        long inner = 1;
        for (int d = 0; d < axis; d++)
        {
            outer *= shape[d];
        }

        for (int d = axis + 1; d < shape.Length; d++)
        {
            inner *= shape[d];
        }

        return (outer, shape[axis], inner);
    }
}
