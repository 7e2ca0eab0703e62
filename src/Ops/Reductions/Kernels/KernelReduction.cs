using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>
/// The NumPy reductions as a <see cref="MergeableReduction"/>: a fixed-size state per output element, kept in the
/// input's grid with every reduced dimension cut into chunks of size 1 (one per input chunk). The per-element work is
/// the struct-specialized <see cref="ReductionKernel"/>; this class only lays out the tree (one call per chunk task).
/// </summary>
internal sealed class KernelReduction : MergeableReduction
{
    private readonly ReductionKernel _kernel;
    private readonly ReductionSpec _spec;
    private readonly ChunkGrid _inputGrid;
    private readonly ChunkGrid? _outputGrid;
    private readonly int[] _map;

    /// <summary>A reduction whose result keeps the unreduced dimensions (and the reduced ones as size 1 when <paramref name="keepDims"/>).</summary>
    public KernelReduction(ArrayNode input, ReductionKernel kernel, bool[] reduced, bool keepDims)
        : this(input, kernel, reduced, keepDims, null)
    {
    }

    /// <summary>A reduction over every axis into a fixed result grid (count vectors: histogram, bincount).</summary>
    public KernelReduction(ArrayNode input, ReductionKernel kernel, ChunkGrid outputGrid)
        : this(input, kernel, Enumerable.Repeat(true, input.Grid.Rank).ToArray(), false, outputGrid)
    {
    }

    private KernelReduction(ArrayNode input, ReductionKernel kernel, bool[] reduced, bool keepDims, ChunkGrid? outputGrid)
        : base(kernel.Name, [input], StateGrid(input.Grid, reduced), reduced)
    {
        _kernel = kernel;
        _spec = new ReductionSpec(input.Grid.Shape.ToArray(), reduced, input.ToString());
        _inputGrid = input.Grid;
        _outputGrid = outputGrid;
        _map = outputGrid is not null
            ? Enumerable.Repeat(-1, outputGrid.Rank).ToArray()
            : Enumerable.Range(0, reduced.Length).Where(d => keepDims || !reduced[d]).ToArray();
    }

    public override long StateBytes(int level, ChunkGrid grid, ReadOnlySpan<long> index) => grid.ChunkElements(index) * _kernel.StateSize;

    public override bool ConsumesStream(ReadOnlySpan<long> stateIndex) => _kernel.CanStream;

    public override void Partial(ChunkKernelContext context)
    {
        var origin = _inputGrid.Origin(context.ChunkIndex);
        if (context.InputStream is { } stream)
        {
            _kernel.PartialStream(stream, _inputGrid.ChunkShape(context.ChunkIndex), origin, _spec, context.Output.Bytes);
        }
        else
        {
            _kernel.Partial(context.Inputs[0], origin, _spec, context.Output.Bytes);
        }
    }

    public override void Combine(int level, ChunkGrid grid, ChunkKernelContext context) => _kernel.Combine(context.Inputs, context.Output.Bytes);

    public override DataType OutputType => _kernel.OutputType;

    public override string FinalizeLabel => _kernel.Name;

    /// <summary>Output dimension i reads state dimension <c>map[i]</c> (-1: none); the other state dimensions have one chunk.</summary>
    public override ChunkGrid OutputGrid(ChunkGrid root) =>
        _outputGrid ?? ChunkGrid.FromSizes(_map.Select(d => root.Sizes(d)).ToArray());

    public override void FinalizeDependencies(ReadOnlySpan<long> outputIndex, IList<ChunkDependency> dependencies)
    {
        var index = new long[PartialGrid.Rank];
        for (int i = 0; i < _map.Length; i++)
        {
            if (_map[i] >= 0)
            {
                index[_map[i]] = outputIndex[i];
            }
        }

        dependencies.Add(new ChunkDependency(0, index));
    }

    public override void Finalize(ChunkKernelContext context) => _kernel.Finalize(context.Inputs[0].Bytes, context.Output.Bytes);

    private static ChunkGrid StateGrid(ChunkGrid input, bool[] reduced)
    {
        var sizes = new int[input.Rank][];
        for (int d = 0; d < input.Rank; d++)
        {
            sizes[d] = reduced[d] ? Enumerable.Repeat(1, input.Sizes(d).Count).ToArray() : input.Sizes(d).ToArray();
        }

        return ChunkGrid.FromSizes(sizes);
    }
}
