using ChunkCompute.Graph;
using ChunkCompute.Storage.Arrays;

namespace ChunkCompute.Ops;

/// <summary>
/// NumPy basic slicing. Each output chunk is the part of exactly one input chunk that the selection visits, so the
/// output chunking follows the input's (Dask-style; with steps, chunks shrink by the step; with negative steps their
/// order is reversed). Kernel: <see cref="NdCopy"/> for unit steps, a strided gather otherwise.
/// </summary>
internal sealed unsafe class SliceNode : ArrayNode
{
    private readonly DimensionSelection[] _selection;
    private readonly int[] _keptDims;

    // Per output dimension and output chunk: the input chunk and the element offset of the first selected element
    // inside that input chunk.
    private readonly long[][] _inChunk;
    private readonly long[][] _inLocal;

    private SliceNode(ArrayNode input, DimensionSelection[] selection, int[] keptDims, ChunkGrid grid, long[][] inChunk, long[][] inLocal)
        : base(input.DataType, grid, [input])
    {
        _selection = selection;
        _keptDims = keptDims;
        _inChunk = inChunk;
        _inLocal = inLocal;
    }

    /// <inheritdoc/>
    public override string Label => "getitem";

    /// <summary>The input's names of the dimensions kept (an integer index drops its dimension and name, as xarray's isel).</summary>
    public override IReadOnlyList<string?>? DimensionNames => Inputs[0].DimensionNames is { } names ? _keptDims.Select(d => names[d]).ToArray() : null;

    /// <summary>Builds the node, or returns null when the selection is the whole array.</summary>
    public static ArrayNode Create(ArrayNode input, DimensionSelection[] selection)
    {
        var g = input.Grid;
        if (selection.Select((s, d) => !s.IsIndex && s.Step == 1 && s.Start == 0 && s.Count == g.Shape[d]).All(b => b))
        {
            return input;
        }

        var kept = Enumerable.Range(0, selection.Length).Where(d => !selection[d].IsIndex).ToArray();
        var sizes = new int[kept.Length][];
        var inChunk = new long[kept.Length][];
        var inLocal = new long[kept.Length][];
        for (int j = 0; j < kept.Length; j++)
        {
            int d = kept[j];
            var s = selection[d];
            var sz = new List<int>();
            var ch = new List<long>();
            var lo = new List<long>();
            long o = 0;
            while (o < s.Count)
            {
                long idx = s.Start + (o * s.Step);
                long c = g.ChunkOf(d, idx);
                long begin = g.Offset(d, c);
                long end = begin + g.Size(d, c);
                long n = s.Step > 0 ? ((end - idx - 1) / s.Step) + 1 : ((idx - begin) / -s.Step) + 1;
                n = Math.Min(n, s.Count - o);
                sz.Add(checked((int)n));
                ch.Add(c);
                lo.Add(idx - begin);
                o += n;
            }

            sizes[j] = [.. sz];
            inChunk[j] = [.. ch];
            inLocal[j] = [.. lo];
        }

        return new SliceNode(input, selection, kept, ChunkGrid.FromSizes(sizes), inChunk, inLocal);
    }

    /// <inheritdoc/>
    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        if (Grid.ChunkElements(chunkIndex) == 0)
        {
            return;
        }

        dependencies.Add(new ChunkDependency(0, InputChunk(chunkIndex)));
    }

    /// <inheritdoc/>
    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Inputs.Count == 0)
        {
            return;
        }

        var input = context.Inputs[0];
        var inShape = input.Shape;
        var inIndex = InputChunk(context.ChunkIndex);
        var g = Inputs[0].Grid;
        int rank = _selection.Length;
        var localStart = new long[rank];
        var steps = new long[rank];
        for (int d = 0; d < rank; d++)
        {
            var s = _selection[d];
            localStart[d] = s.IsIndex ? s.Start - g.Offset(d, inIndex[d]) : 0;
            steps[d] = s.Step;
        }

        for (int j = 0; j < _keptDims.Length; j++)
        {
            localStart[_keptDims[j]] = _inLocal[j][context.ChunkIndex[j]];
        }

        var outShape = context.Output.Shape;
        int es = DataType.Size;
        if (steps.All(s => s == 1))
        {
            // Unit steps: a box copy, with the dropped dimensions as extent 1 on both sides.
            var srcShape = inShape.Select(v => (long)v).ToArray();
            var extent = new long[rank];
            for (int d = 0; d < rank; d++)
            {
                extent[d] = 1;
            }

            for (int j = 0; j < _keptDims.Length; j++)
            {
                extent[_keptDims[j]] = outShape[j];
            }

            NdCopy.Copy((byte*)input.Pointer, srcShape, localStart, (byte*)context.Output.Pointer, extent, new long[rank], extent, es);
            return;
        }

        var inStrides = StridedGather.Strides(inShape);
        long baseElement = 0;
        for (int d = 0; d < rank; d++)
        {
            baseElement += localStart[d] * inStrides[d];
        }

        var strides = new long[_keptDims.Length];
        for (int j = 0; j < _keptDims.Length; j++)
        {
            strides[j] = _selection[_keptDims[j]].Step * inStrides[_keptDims[j]];
        }

        StridedGather.Gather((byte*)input.Pointer, baseElement, strides, (byte*)context.Output.Pointer, outShape, es);
    }

    private long[] InputChunk(ReadOnlySpan<long> chunkIndex)
    {
        var g = Inputs[0].Grid;
        var index = new long[_selection.Length];
        for (int d = 0; d < _selection.Length; d++)
        {
            if (_selection[d].IsIndex)
            {
                index[d] = g.ChunkOf(d, _selection[d].Start);
            }
        }

        for (int j = 0; j < _keptDims.Length; j++)
        {
            index[_keptDims[j]] = _inChunk[j][chunkIndex[j]];
        }

        return index;
    }
}
