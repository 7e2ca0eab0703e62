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

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var input = context.Inputs[0];
        var (outer, length, inner) = ScanLanes.Of(input.Shape, _axis);
        var x = new ReadOnlySpan<TIn>(input.Pointer, checked((int)(outer * length * inner)));
        var totals = context.Output.As<TOut>();
        totals.Fill(ScanMath<TIn, TOut>.Identity(_kind));
        if (inner == 1)
        {
            for (long o = 0; o < outer; o++)
            {
                var acc = totals[(int)o];
                var lane = x.Slice((int)(o * length), (int)length);
                if (_kind == ScanKind.Sum && typeof(TIn) == typeof(TOut) && (typeof(TOut) == typeof(double) || typeof(TOut) == typeof(float)))
                {
                    // A total only sets the next chunks' carry: summed in SIMD lanes (the order of the additions
                    // differs from a running sum's, within the "up to summation order" the scans promise).
                    acc += typeof(TOut) == typeof(double)
                        ? TOut.CreateTruncating(System.Numerics.Tensors.TensorPrimitives.Sum(System.Runtime.InteropServices.MemoryMarshal.Cast<TIn, double>(lane)))
                        : TOut.CreateTruncating(System.Numerics.Tensors.TensorPrimitives.Sum(System.Runtime.InteropServices.MemoryMarshal.Cast<TIn, float>(lane)));
                }
                else
                {
                    for (int i = 0; i < lane.Length; i++)
                    {
                        acc = ScanMath<TIn, TOut>.Combine(_kind, acc, ScanMath<TIn, TOut>.Convert(_kind, lane[i]));
                    }
                }

                totals[(int)o] = acc;
            }

            return;
        }

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
/// The totals of blocks of <see cref="ScanCarryNode{TOut}.Block"/> consecutive chunks along the axis (one slice per
/// block), so a carry combines at most a block's totals and the earlier blocks' instead of every earlier chunk's.
/// </summary>
internal sealed class ScanBlockNode<TOut> : ArrayNode
    where TOut : unmanaged, INumberBase<TOut>
{
    private readonly int _axis;
    private readonly bool _sum;

    public ScanBlockNode(ArrayNode totals, int axis, bool sum)
        : base(totals.DataType, BlockGrid(totals.Grid, axis), [totals])
    {
        _axis = axis;
        _sum = sum;
    }

    public override string Label => "scan-blocks";

    private static ChunkGrid BlockGrid(ChunkGrid totals, int axis) =>
        ChunkGrid.FromSizes(Enumerable.Range(0, totals.Rank).Select(d => d == axis
            ? (IReadOnlyList<int>)Enumerable.Repeat(1, (int)((totals.Shape[axis] + ScanCarryNode<TOut>.Block - 1) / ScanCarryNode<TOut>.Block)).ToArray()
            : totals.Sizes(d)).ToArray());

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        long first = chunkIndex[_axis] * ScanCarryNode<TOut>.Block;
        long end = Math.Min(first + ScanCarryNode<TOut>.Block, Inputs[0].Grid.Shape[_axis]);
        for (long j = first; j < end; j++)
        {
            var index = chunkIndex.ToArray();
            index[_axis] = j;
            dependencies.Add(new ChunkDependency(0, index));
        }
    }

    public override void Execute(ChunkKernelContext context) => ScanCarryNode<TOut>.Combine(context, _sum);
}

/// <summary>
/// The carry of input chunk j along the axis: the combination of the totals of chunks 0…j−1, from the totals of the
/// blocks before j's block and of the chunks before j in its block (at most <see cref="Block"/> + j / Block inputs).
/// Chunk j's scan therefore waits only for the chunks before it, and shares their reads: the input is read once, each
/// chunk held from its read until its scan. Chunked like the totals (one slice per input chunk along the axis).
/// </summary>
internal sealed class ScanCarryNode<TOut> : ArrayNode
    where TOut : unmanaged, INumberBase<TOut>
{
    /// <summary>Chunks per block of totals.</summary>
    public const int Block = 64;

    private readonly int _axis;
    private readonly bool _sum;

    public ScanCarryNode(ArrayNode totals, int axis, bool sum)
        : this(totals, new ScanBlockNode<TOut>(totals, axis, sum), axis, sum)
    {
    }

    private ScanCarryNode(ArrayNode totals, ArrayNode blocks, int axis, bool sum)
        : base(totals.DataType, totals.Grid, [totals, blocks])
    {
        _axis = axis;
        _sum = sum;
    }

    public override string Label => "scan-carry";

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        long j = chunkIndex[_axis];
        for (long b = 0; b < j / Block; b++)
        {
            var index = chunkIndex.ToArray();
            index[_axis] = b;
            dependencies.Add(new ChunkDependency(1, index));
        }

        for (long i = j / Block * Block; i < j; i++)
        {
            var index = chunkIndex.ToArray();
            index[_axis] = i;
            dependencies.Add(new ChunkDependency(0, index));
        }
    }

    public override void Execute(ChunkKernelContext context) => Combine(context, _sum);

    /// <summary>The output: the identity combined with every input, in order (a sum or a product of slices).</summary>
    internal static void Combine(ChunkKernelContext context, bool sum)
    {
        ArgumentNullException.ThrowIfNull(context);
        var result = context.Output.As<TOut>();
        result.Fill(sum ? TOut.Zero : TOut.One);
        foreach (var input in context.Inputs)
        {
            var part = input.As<TOut>();
            for (int k = 0; k < result.Length; k++)
            {
                result[k] = sum ? result[k] + part[k] : result[k] * part[k];
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
        carry[_axis] = chunkIndex[_axis];
        dependencies.Add(new ChunkDependency(1, carry));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var input = context.Inputs[0];
        var (outer, length, inner) = ScanLanes.Of(input.Shape, _axis);
        var x = new ReadOnlySpan<TIn>(input.Pointer, checked((int)(outer * length * inner)));
        var y = context.Output.As<TOut>();
        var carries = context.Inputs[1].As<TOut>();
        if (inner == 1)
        {
            // Lanes along the last axis (1-D arrays): one running value per lane (a plain running sum for cumsum).
            for (long o = 0; o < outer; o++)
            {
                var acc = carries[(int)o];
                int at = (int)(o * length);
                var lane = x.Slice(at, (int)length);
                var result = y.Slice(at, (int)length);
                if (_kind == ScanKind.Sum)
                {
                    for (int i = 0; i < lane.Length; i++)
                    {
                        acc += TOut.CreateTruncating(lane[i]);
                        result[i] = acc;
                    }

                    continue;
                }

                for (int i = 0; i < lane.Length; i++)
                {
                    acc = ScanMath<TIn, TOut>.Combine(_kind, acc, ScanMath<TIn, TOut>.Convert(_kind, lane[i]));
                    result[i] = acc;
                }
            }

            return;
        }

        // Row by row along the axis: each output row is the previous one (the carry for the first) combined with the
        // input row, so reads and writes run in memory order.
        for (long o = 0; o < outer; o++)
        {
            ReadOnlySpan<TOut> previous = carries.Slice((int)(o * inner), (int)inner);
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
