using System.Numerics;
using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.ML.LinearAlgebra;

/// <summary>
/// Step 1 of a chunked matrix product A·B (A's column chunks equal B's row chunks): one task per (i, k, j) block
/// computes A[i,k]·B[k,j]. With one chunk along k the grid is the result's 2-D grid; otherwise it is 3-D, (A's row
/// chunks, one chunk of size 1 per k, B's column chunks), and <see cref="BlockSumNode{T}"/> sums along k as a tree.
/// </summary>
internal sealed unsafe class MatMulProductNode<T> : ArrayNode
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly bool _threeD;

    public MatMulProductNode(ArrayNode a, ArrayNode b)
        : base(DataType.Of<T>(), ProductGrid(a.Grid, b.Grid), [a, b])
    {
        _threeD = Grid.Rank == 3;
    }

    public override string Label => "matmul-block";

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        long i = chunkIndex[0], k = _threeD ? chunkIndex[1] : 0, j = chunkIndex[^1];
        dependencies.Add(new ChunkDependency(0, [i, k]));
        dependencies.Add(new ChunkDependency(1, [k, j]));
    }

    public override long ScratchBytes(ReadOnlySpan<long> chunkIndex)
    {
        int n = Grid.Size(Grid.Rank - 1, chunkIndex[^1]);
        int k = Inputs[0].Grid.Size(1, _threeD ? chunkIndex[1] : 0);
        return DenseBlocks.UseTransposedB(n) ? (long)k * n * sizeof(T) : 0;
    }

    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var a = context.Inputs[0];
        var b = context.Inputs[1];
        int m = a.Shape[0], k = a.Shape[1], n = b.Shape[1];
        var scratch = context.Scratch is { } s ? new Span<T>(s.Pointer, (int)(s.ByteLength / sizeof(T))) : [];
        DenseBlocks.Multiply(
            new ReadOnlySpan<T>(a.Pointer, m * k),
            new ReadOnlySpan<T>(b.Pointer, k * n),
            new Span<T>(context.Output.Pointer, m * n),
            m,
            k,
            n,
            scratch);
    }

    private static ChunkGrid ProductGrid(ChunkGrid a, ChunkGrid b)
    {
        int inner = a.Sizes(1).Count;
        return inner == 1
            ? ChunkGrid.FromSizes([a.Sizes(0), b.Sizes(1)])
            : ChunkGrid.FromSizes([a.Sizes(0), Enumerable.Repeat(1, inner).ToArray(), b.Sizes(1)]);
    }
}

/// <summary>
/// Step 2 of a chunked matrix product: sums groups of up to <c>fan</c> partial products along the middle dimension
/// (Dask's <c>split_every</c>), repeated until one remains; the last level drops the middle dimension.
/// </summary>
internal sealed unsafe class BlockSumNode<T> : ArrayNode
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int _fan;
    private readonly bool _threeD;

    public BlockSumNode(ArrayNode partials, int fan)
        : base(DataType.Of<T>(), SumGrid(partials.Grid, fan), [partials])
    {
        _fan = fan;
        _threeD = Grid.Rank == 3;
    }

    public override string Label => "matmul-sum";

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        long g = _threeD ? chunkIndex[1] : 0;
        long groups = Inputs[0].Grid.Sizes(1).Count;
        for (long k = g * _fan; k < Math.Min(groups, (g + 1) * _fan); k++)
        {
            dependencies.Add(new ChunkDependency(0, [chunkIndex[0], k, chunkIndex[^1]]));
        }
    }

    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        int count = checked((int)Grid.ChunkElements(context.ChunkIndex));
        var output = new Span<T>(context.Output.Pointer, count);
        new ReadOnlySpan<T>(context.Inputs[0].Pointer, count).CopyTo(output);
        for (int i = 1; i < context.Inputs.Count; i++)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(output, new ReadOnlySpan<T>(context.Inputs[i].Pointer, count), output);
        }
    }

    private static ChunkGrid SumGrid(ChunkGrid partials, int fan)
    {
        int groups = (partials.Sizes(1).Count + fan - 1) / fan;
        return groups == 1
            ? ChunkGrid.FromSizes([partials.Sizes(0), partials.Sizes(2)])
            : ChunkGrid.FromSizes([partials.Sizes(0), Enumerable.Repeat(1, groups).ToArray(), partials.Sizes(2)]);
    }
}
