using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>
/// A window kernel along one axis: output row i (a row is everything at one position along the axis) is computed from
/// input rows i − <see cref="Before"/> … i + <see cref="After"/>. Rows outside the array are zeros; the kernel is told
/// where the window starts so it can treat edges as it must.
/// </summary>
internal abstract class WindowKernel<T, TOut>
    where T : unmanaged
    where TOut : unmanaged
{
    public abstract string Label { get; }

    public abstract int Before { get; }

    public abstract int After { get; }

    /// <summary>Output length along the axis for an input of <paramref name="length"/> (default: the same).</summary>
    public virtual long OutputLength(long length) => length;

    /// <summary>
    /// Computes <paramref name="outputRows"/> rows of <paramref name="inner"/> elements into <paramref name="output"/>
    /// (global output rows <paramref name="firstRow"/>…), from <paramref name="window"/>: input rows
    /// firstRow − Before … firstRow + outputRows − 1 + After, zeros outside the input's <paramref name="length"/> rows.
    /// </summary>
    public abstract void Compute(ReadOnlySpan<T> window, Span<TOut> output, int outputRows, int inner, long firstRow, long length);
}

/// <summary>
/// Chunks of a window operation along an axis: each output chunk gathers the input rows its window needs (its own
/// chunk's and up to <c>Before</c>/<c>After</c> rows of the neighbouring chunks, as many chunks as that takes) into
/// scratch memory, then runs the kernel. Only the chunks the window touches are read: memory is the chunk, its halo and
/// the neighbours it is cut from.
/// </summary>
internal sealed unsafe class AxisWindowNode<T, TOut> : ArrayNode
    where T : unmanaged
    where TOut : unmanaged
{
    private readonly int _axis;
    private readonly WindowKernel<T, TOut> _kernel;
    private readonly ChunkGrid _input;
    private readonly long _length;

    public AxisWindowNode(ArrayNode input, int axis, WindowKernel<T, TOut> kernel)
        : base(DataType.Of<TOut>(), OutputGrid(input.Grid, axis, kernel.OutputLength(input.Grid.Shape[axis])), [input])
    {
        _axis = axis;
        _kernel = kernel;
        _input = input.Grid;
        _length = input.Grid.Shape[axis];
    }

    public override string Label => _kernel.Label;

    public override IReadOnlyList<string?>? DimensionNames => Inputs[0].DimensionNames;

    // The input's chunking, cut at the output's length along the axis (a shorter output drops its last rows).
    private static ChunkGrid OutputGrid(ChunkGrid input, int axis, long length)
    {
        var sizes = new List<IReadOnlyList<int>>();
        for (int d = 0; d < input.Rank; d++)
        {
            if (d != axis)
            {
                sizes.Add(input.Sizes(d));
                continue;
            }

            var cut = new List<int>();
            long left = length;
            foreach (int s in input.Sizes(d))
            {
                if (left <= 0)
                {
                    break;
                }

                cut.Add((int)Math.Min(s, left));
                left -= s;
            }

            sizes.Add(cut);
        }

        return ChunkGrid.FromSizes(sizes);
    }

    // The input rows [first, last) an output chunk's window reads, inside the array.
    private (long First, long Last) InputRows(ReadOnlySpan<long> chunkIndex)
    {
        long start = Grid.Offset(_axis, chunkIndex[_axis]);
        long end = start + Grid.Size(_axis, chunkIndex[_axis]);
        return (Math.Max(0, start - _kernel.Before), Math.Min(_length, end + _kernel.After));
    }

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        if (Grid.ChunkElements(chunkIndex) == 0)
        {
            return;
        }

        var (first, last) = InputRows(chunkIndex);
        if (last <= first)
        {
            return;
        }

        for (long c = _input.ChunkOf(_axis, first); c <= _input.ChunkOf(_axis, last - 1); c++)
        {
            var index = chunkIndex.ToArray();
            index[_axis] = c;
            dependencies.Add(new ChunkDependency(0, index));
        }
    }

    /// <summary>The gathered window: the chunk's rows plus the halo on both sides.</summary>
    public override long ScratchBytes(ReadOnlySpan<long> chunkIndex)
    {
        long rows = Grid.Size(_axis, chunkIndex[_axis]) + _kernel.Before + _kernel.After;
        long elements = Grid.ChunkElements(chunkIndex);
        long perRow = Grid.Size(_axis, chunkIndex[_axis]) == 0 ? 0 : elements / Grid.Size(_axis, chunkIndex[_axis]);
        return rows * perRow * sizeof(T);
    }

    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var shape = context.Output.Shape;
        var (outer, rows, inner) = ScanLanes.Of(shape, _axis);
        if (outer * rows * inner == 0)
        {
            return;
        }

        long firstRow = Grid.Offset(_axis, context.ChunkIndex[_axis]);
        var output = context.Output.As<TOut>();
        int before = _kernel.Before;
        int after = _kernel.After;

        // One slab (the axis is the first non-trivial one) whose rows are exactly one input chunk's: the rows whose
        // window lies inside that chunk are computed straight from it, and only the first and last few rows (whose
        // windows reach the neighbours) from small gathered windows — the chunk itself is not copied.
        if (outer == 1 && OwnChunk(context, firstRow, rows) is { } own)
        {
            int head = (int)Math.Min(before, rows);
            int tail = (int)Math.Max(head, rows - after);
            if (tail > head)
            {
                var values = new ReadOnlySpan<T>(own.Pointer, checked((int)(rows * inner)));
                _kernel.Compute(
                    values.Slice((head - before) * (int)inner, (tail - head + before + after) * (int)inner),
                    output.Slice(head * (int)inner, (tail - head) * (int)inner),
                    tail - head,
                    (int)inner,
                    firstRow + head,
                    _length);
            }

            ComputeGathered(context, output, firstRow, 0, head, inner);
            ComputeGathered(context, output, firstRow, tail, (int)rows - tail, inner);
            return;
        }

        int windowRows = (int)rows + before + after;
        var window = Gather(context, firstRow - before, windowRows, outer, inner);
        for (long o = 0; o < outer; o++)
        {
            _kernel.Compute(
                window.Slice((int)(o * windowRows * inner), (int)(windowRows * inner)),
                output.Slice((int)(o * rows * inner), (int)(rows * inner)),
                (int)rows,
                (int)inner,
                firstRow,
                _length);
        }
    }

    // The input chunk whose rows along the axis are exactly the output chunk's, when there is one.
    private ChunkBuffer? OwnChunk(ChunkKernelContext context, long firstRow, long rows)
    {
        for (int i = 0; i < context.Inputs.Count; i++)
        {
            long c = context.Dependencies[i].ChunkIndex[_axis];
            if (_input.Offset(_axis, c) == firstRow && _input.Size(_axis, c) == rows)
            {
                return context.Inputs[i];
            }
        }

        return null;
    }

    // Output rows [from, from + count) of a one-slab chunk, from a window gathered for just them.
    private void ComputeGathered(ChunkKernelContext context, Span<TOut> output, long firstRow, int from, int count, long inner)
    {
        if (count <= 0)
        {
            return;
        }

        int windowRows = count + _kernel.Before + _kernel.After;
        var window = Gather(context, firstRow + from - _kernel.Before, windowRows, 1, inner);
        _kernel.Compute(window, output.Slice(from * (int)inner, count * (int)inner), count, (int)inner, firstRow + from, _length);
    }

    // Rows [windowStart, windowStart + windowRows) along the axis (zeros outside the array) of every slab, gathered
    // from the input chunks into scratch.
    private Span<T> Gather(ChunkKernelContext context, long windowStart, int windowRows, long outer, long inner)
    {
        var window = new Span<T>(context.Scratch!.Pointer, checked((int)(outer * windowRows * inner)));
        window.Clear();
        foreach (var input in context.Inputs.Zip(context.Dependencies))
        {
            var buffer = input.First;
            long c = input.Second.ChunkIndex[_axis];
            long inStart = _input.Offset(_axis, c);
            int inRows = buffer.Shape[_axis];
            long from = Math.Max(inStart, windowStart);
            long to = Math.Min(inStart + inRows, windowStart + windowRows);
            if (to <= from)
            {
                continue;
            }

            var source = new ReadOnlySpan<T>(buffer.Pointer, checked((int)(outer * inRows * inner)));
            int count = (int)((to - from) * inner);
            for (long o = 0; o < outer; o++)
            {
                source.Slice((int)(((o * inRows) + (from - inStart)) * inner), count)
                    .CopyTo(window.Slice((int)(((o * windowRows) + (from - windowStart)) * inner), count));
            }
        }

        return window;
    }
}
