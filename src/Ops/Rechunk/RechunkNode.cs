using ChunkCompute.Graph;
using ChunkCompute.Storage.Arrays;

namespace ChunkCompute.Ops;

/// <summary>
/// One direct rechunk stage: output chunk j depends on every input chunk overlapping it and copies the overlaps
/// with <see cref="NdCopy"/>. Its task footprint is those inputs plus the output.
/// </summary>
internal sealed unsafe class RechunkNode : ArrayNode
{
    public RechunkNode(ArrayNode input, ChunkGrid target)
        : base(input.DataType, target, [input])
    {
    }

    /// <inheritdoc/>
    public override IReadOnlyList<string?>? DimensionNames => NamesOfSameShapedInput();

    /// <inheritdoc/>
    public override string Label => "rechunk";

    /// <inheritdoc/>
    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        if (Grid.ChunkElements(chunkIndex) == 0)
        {
            return;
        }

        var src = Inputs[0].Grid;
        int rank = Grid.Rank;
        var first = new long[rank];
        var last = new long[rank];
        for (int d = 0; d < rank; d++)
        {
            long off = Grid.Offset(d, chunkIndex[d]);
            first[d] = src.ChunkOf(d, off);
            last[d] = src.ChunkOf(d, off + Grid.Size(d, chunkIndex[d]) - 1);
        }

        var index = (long[])first.Clone();
        while (true)
        {
            dependencies.Add(new ChunkDependency(0, (long[])index.Clone()));
            int d = rank - 1;
            for (; d >= 0; d--)
            {
                if (++index[d] <= last[d])
                {
                    break;
                }

                index[d] = first[d];
            }

            if (d < 0)
            {
                return;
            }
        }
    }

    /// <inheritdoc/>
    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var src = Inputs[0].Grid;
        int rank = Grid.Rank;
        var outOrigin = Grid.Origin(context.ChunkIndex);
        var outShape = context.Output.Shape.Select(s => (long)s).ToArray();
        var srcStart = new long[rank];
        var dstStart = new long[rank];
        var extent = new long[rank];
        for (int i = 0; i < context.Inputs.Count; i++)
        {
            var input = context.Inputs[i];
            var inOrigin = src.Origin(context.Dependencies[i].ChunkIndex);
            var inShape = input.Shape.Select(s => (long)s).ToArray();
            for (int d = 0; d < rank; d++)
            {
                long start = Math.Max(outOrigin[d], inOrigin[d]);
                long end = Math.Min(outOrigin[d] + outShape[d], inOrigin[d] + inShape[d]);
                srcStart[d] = start - inOrigin[d];
                dstStart[d] = start - outOrigin[d];
                extent[d] = end - start;
            }

            NdCopy.Copy((byte*)input.Pointer, inShape, srcStart, (byte*)context.Output.Pointer, outShape, dstStart, extent, DataType.Size);
        }
    }
}
