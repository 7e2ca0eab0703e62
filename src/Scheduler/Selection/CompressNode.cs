using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Scheduler;

/// <summary>
/// The rows of an array where a 1-D mask (chunked as the array along the axis) is true, once a counting pass knows how
/// many each mask chunk selects: output chunk g along the axis gathers the selected rows of the mask chunks
/// <c>Groups[g]</c> (consecutive, together at most one input chunk's rows, at most <see cref="MaxInputChunks"/> of them).
/// </summary>
internal sealed unsafe class CompressNode : ArrayNode
{
    /// <summary>The most input chunks one output chunk reads.</summary>
    public const int MaxInputChunks = 8;

    private readonly int _axis;
    private readonly long[][] _groups;

    public CompressNode(ArrayNode input, ArrayNode mask, int axis, ChunkGrid grid, long[][] groups)
        : base(input.DataType, grid, [input, mask])
    {
        _axis = axis;
        _groups = groups;
    }

    public override string Label => "compress";

    public override IReadOnlyList<string?>? DimensionNames => Inputs[0].DimensionNames;

    /// <summary>
    /// Groups mask chunks with <paramref name="counts"/> selected rows each into output chunks along the axis: empty ones
    /// dropped, neighbours merged while they stay within <paramref name="nominal"/> rows and <see cref="MaxInputChunks"/> chunks.
    /// </summary>
    public static (List<int> Sizes, long[][] Groups) Group(long[] counts, int nominal)
    {
        var sizes = new List<int>();
        var groups = new List<long[]>();
        var current = new List<long>();
        long size = 0;
        for (long c = 0; c < counts.Length; c++)
        {
            if (counts[c] == 0)
            {
                continue;
            }

            if (current.Count > 0 && (size + counts[c] > nominal || current.Count == MaxInputChunks))
            {
                sizes.Add(checked((int)size));
                groups.Add([.. current]);
                current.Clear();
                size = 0;
            }

            current.Add(c);
            size += counts[c];
        }

        if (current.Count > 0)
        {
            sizes.Add(checked((int)size));
            groups.Add([.. current]);
        }

        return (sizes, [.. groups]);
    }

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        if (Grid.ChunkElements(chunkIndex) == 0)
        {
            return;
        }

        foreach (long c in _groups[chunkIndex[_axis]])
        {
            var at = chunkIndex.ToArray();
            at[_axis] = c;
            dependencies.Add(new ChunkDependency(0, at));
            dependencies.Add(new ChunkDependency(1, [c]));
        }
    }

    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var shape = context.Output.Shape;
        if (shape.Any(s => s == 0))
        {
            return;
        }

        var (outer, rows, inner) = Lanes(shape, _axis);
        int es = DataType.Size;
        long rowBytes = inner * es;
        byte* output = (byte*)context.Output.Pointer;
        long at = 0;
        for (int m = 0; m < _groups[context.ChunkIndex[_axis]].Length; m++)
        {
            var input = context.Inputs[2 * m];
            var mask = (bool*)context.Inputs[(2 * m) + 1].Pointer;
            long inRows = input.Shape[_axis];
            long maskRows = context.Inputs[(2 * m) + 1].Shape[0];
            byte* source = (byte*)input.Pointer;
            for (long r = 0; r < maskRows; r++)
            {
                if (!mask[r])
                {
                    continue;
                }

                for (long o = 0; o < outer; o++)
                {
                    Buffer.MemoryCopy(source + ((((o * inRows) + r) * inner) * es), output + ((((o * rows) + at) * inner) * es), rowBytes, rowBytes);
                }

                at++;
            }
        }
    }

    internal static (long Outer, long Rows, long Inner) Lanes(int[] shape, int axis)
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

/// <summary>
/// The counting pass of a compress: per input chunk, how many of its rows the mask selects, followed by those rows
/// (so a result small enough to keep is not computed twice). Layout: [int64 selected rows][the selected block].
/// </summary>
internal sealed unsafe class CompressCountNode : ArrayNode
{
    private readonly int _axis;

    public CompressCountNode(ArrayNode input, ArrayNode mask, int axis, ChunkGrid grid)
        : base(DataType.UInt8, grid, [input, mask])
    {
        _axis = axis;
    }

    public override string Label => "compress-count";

    public override long OutputBytes(ReadOnlySpan<long> chunkIndex) => sizeof(long) + (Grid.ChunkElements(chunkIndex) * Inputs[0].DataType.Size);

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        dependencies.Add(new ChunkDependency(0, chunkIndex.ToArray()));
        dependencies.Add(new ChunkDependency(1, [chunkIndex[_axis]]));
    }

    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var input = context.Inputs[0];
        var mask = (bool*)context.Inputs[1].Pointer;
        long maskRows = context.Inputs[1].Shape[0];
        var (outer, rows, inner) = CompressNode.Lanes(input.Shape, _axis);
        long selected = 0;
        for (long r = 0; r < maskRows; r++)
        {
            selected += mask[r] ? 1 : 0;
        }

        byte* output = (byte*)context.Output.Pointer;
        *(long*)output = selected;
        int es = Inputs[0].DataType.Size;
        long rowBytes = inner * es;
        byte* source = (byte*)input.Pointer;
        byte* target = output + sizeof(long);
        long at = 0;
        for (long r = 0; r < maskRows; r++)
        {
            if (!mask[r])
            {
                continue;
            }

            for (long o = 0; o < outer; o++)
            {
                Buffer.MemoryCopy(source + ((((o * rows) + r) * inner) * es), target + ((((o * selected) + at) * inner) * es), rowBytes, rowBytes);
            }

            at++;
        }
    }
}
