using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>
/// Step 2 of a tree reduction: each task merges a group of up to <c>fan[d]</c> state chunks per reduced dimension
/// (Dask's <c>partial_reduce</c> with <c>split_every</c>). Repeated until one state chunk remains along them.
/// </summary>
internal sealed class ReduceCombineNode : ArrayNode
{
    private readonly ReductionKernel _kernel;
    private readonly bool[] _reduced;
    private readonly int[] _fan;

    public ReduceCombineNode(ArrayNode input, ReductionKernel kernel, bool[] reduced, int[] fan)
        : base(DataType.UInt8, CombinedGrid(input.Grid, reduced, fan), [input])
    {
        _kernel = kernel;
        _reduced = reduced;
        _fan = fan;
    }

    public override string Label => _kernel.Name + "-combine";

    public override long OutputBytes(ReadOnlySpan<long> chunkIndex) => Grid.ChunkElements(chunkIndex) * _kernel.StateSize;

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        int rank = Grid.Rank;
        var inputGrid = Inputs[0].Grid.GridShape;
        var start = new long[rank];
        var stop = new long[rank];
        for (int d = 0; d < rank; d++)
        {
            start[d] = _reduced[d] ? chunkIndex[d] * _fan[d] : chunkIndex[d];
            stop[d] = _reduced[d] ? Math.Min(inputGrid[d], start[d] + _fan[d]) : chunkIndex[d] + 1;
        }

        var index = (long[])start.Clone();
        while (true)
        {
            dependencies.Add(new ChunkDependency(0, (long[])index.Clone()));
            int d = rank - 1;
            for (; d >= 0; d--)
            {
                if (++index[d] < stop[d])
                {
                    break;
                }

                index[d] = start[d];
            }

            if (d < 0)
            {
                return;
            }
        }
    }

    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _kernel.Combine(context.Inputs, context.Output.Bytes);
    }

    private static ChunkGrid CombinedGrid(ChunkGrid input, bool[] reduced, int[] fan)
    {
        var sizes = new int[input.Rank][];
        for (int d = 0; d < input.Rank; d++)
        {
            int n = input.Sizes(d).Count;
            sizes[d] = reduced[d] ? Enumerable.Repeat(1, (n + fan[d] - 1) / fan[d]).ToArray() : input.Sizes(d).ToArray();
        }

        return ChunkGrid.FromSizes(sizes);
    }
}
