using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>
/// NumPy's <c>take(x, indices, axis)</c>: output row r along the axis is input row <c>indices[r]</c> (any order,
/// repeats allowed). Output chunks follow the indices in order, cut so that each reads at most
/// <see cref="MaxInputChunks"/> input chunks (scattered indices give shorter output chunks, never a chunk that needs the
/// whole axis in memory).
/// </summary>
internal sealed unsafe class TakeNode : ArrayNode
{
    /// <summary>The most input chunks one output chunk reads.</summary>
    public const int MaxInputChunks = 8;

    private readonly long[] _indices;
    private readonly int _axis;
    private readonly long[] _outputStarts;

    private TakeNode(ArrayNode input, long[] indices, int axis, ChunkGrid grid, long[] outputStarts)
        : base(input.DataType, grid, [input])
    {
        _indices = indices;
        _axis = axis;
        _outputStarts = outputStarts;
    }

    public override string Label => "take";

    public override IReadOnlyList<string?>? DimensionNames => Inputs[0].DimensionNames;

    /// <summary>Builds the node; <paramref name="indices"/> are already checked and made non-negative.</summary>
    public static TakeNode Create(ArrayNode input, long[] indices, int axis)
    {
        var grid = input.Grid;
        int nominal = grid.Sizes(axis).Count == 0 ? 1 : Math.Max(1, grid.Sizes(axis).Max());
        var sizes = new List<int>();
        var starts = new List<long>();
        var seen = new HashSet<long>();
        int size = 0;
        for (long r = 0; r < indices.Length; r++)
        {
            long chunk = grid.ChunkOf(axis, indices[r]);
            if (size > 0 && (size == nominal || (!seen.Contains(chunk) && seen.Count == MaxInputChunks)))
            {
                sizes.Add(size);
                size = 0;
                seen.Clear();
            }

            if (size == 0)
            {
                starts.Add(r);
            }

            seen.Add(chunk);
            size++;
        }

        if (size > 0)
        {
            sizes.Add(size);
        }

        var all = Enumerable.Range(0, grid.Rank).Select(d => d == axis ? (IReadOnlyList<int>)sizes : grid.Sizes(d)).ToArray();
        return new TakeNode(input, indices, axis, ChunkGrid.FromSizes(all), starts.ToArray());
    }

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        if (Grid.ChunkElements(chunkIndex) == 0)
        {
            return;
        }

        var index = chunkIndex.ToArray();
        foreach (long c in InputChunks(chunkIndex[_axis]))
        {
            var at = (long[])index.Clone();
            at[_axis] = c;
            dependencies.Add(new ChunkDependency(0, at));
        }
    }

    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (outer, rows, inner) = ScanLanes.Of(context.Output.Shape, _axis);
        if (outer * rows * inner == 0)
        {
            return;
        }

        int es = DataType.Size;
        long rowBytes = inner * es;
        var chunks = InputChunks(context.ChunkIndex[_axis]);
        var input = Inputs[0].Grid;
        byte* output = (byte*)context.Output.Pointer;
        long first = _outputStarts[context.ChunkIndex[_axis]];
        for (long r = 0; r < rows; r++)
        {
            long row = _indices[first + r];
            long c = input.ChunkOf(_axis, row);
            int k = chunks.IndexOf(c);
            var buffer = context.Inputs[k];
            long local = row - input.Offset(_axis, c);
            long inRows = buffer.Shape[_axis];
            byte* source = (byte*)buffer.Pointer;
            for (long o = 0; o < outer; o++)
            {
                Buffer.MemoryCopy(source + ((((o * inRows) + local) * inner) * es), output + ((((o * rows) + r) * inner) * es), rowBytes, rowBytes);
            }
        }
    }

    // The input chunks (along the axis) an output chunk's indices fall in, in order of first use.
    private List<long> InputChunks(long outputChunk)
    {
        long first = _outputStarts[outputChunk];
        int rows = Grid.Size(_axis, outputChunk);
        var chunks = new List<long>();
        for (long r = first; r < first + rows; r++)
        {
            long c = Inputs[0].Grid.ChunkOf(_axis, _indices[r]);
            if (!chunks.Contains(c))
            {
                chunks.Add(c);
            }
        }

        return chunks;
    }
}
