using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using Xunit;

namespace ChunkCompute.Tests.Ops.Structure;

/// <summary>Transpose, reshape, concatenate and stack against naive references, and their chunk rules and errors.</summary>
public sealed class TransposeReshapeTests
{
    [Fact]
    public void Transpose_RandomPermutations_MatchesNaiveReference()
    {
        var rng = new Random(7);
        for (int trial = 0; trial < 60; trial++)
        {
            int rank = rng.Next(1, 5);
            var shape = Enumerable.Range(0, rank).Select(_ => (long)rng.Next(1, 6)).ToArray();
            var grid = StructureTestData.RandomGrid(shape, rng);
            var axes = Enumerable.Range(0, rank).OrderBy(_ => rng.Next()).ToArray();
            var data = StructureTestData.Iota(shape);
            var x = ChunkedArray.FromArray(data, grid).Transpose(axes);
            var outShape = axes.Select(a => shape[a]).ToArray();
            var expected = StructureTestData.Indices(outShape).Select(o =>
            {
                var i = new long[rank];
                for (int j = 0; j < rank; j++)
                {
                    i[axes[j]] = o[j];
                }

                return data[StructureTestData.Flat(shape, i)];
            }).ToArray();
            Assert.Equal(expected, x.Compute().ToArray());
            for (int j = 0; j < rank; j++)
            {
                Assert.Equal(grid.Sizes(axes[j]), x.Chunks.Sizes(j));
            }
        }
    }

    [Fact]
    public void Transpose_NoAxes_ReversesDimensions()
    {
        var x = ChunkedArray.FromArray(StructureTestData.Iota([2, 3, 4]), [2, 3, 4], [1, 2, 3]).Transpose();
        Assert.Equal([4L, 3L, 2L], x.Shape);
        Assert.Equal([0, 12, 4, 16], x.Compute().ToArray().Take(4));
        Assert.Throws<ArgumentException>(() => x.Transpose(0, 0, 1));
    }

    [Fact]
    public void Reshape_MergeAndSplit_KeepsOneInputChunkPerOutputChunk()
    {
        var data = StructureTestData.Iota([6, 4, 5]);
        var x = ChunkedArray.FromArray(data, ChunkGrid.FromSizes([[2, 4], [1, 1, 1, 1], [5]]));
        var merged = x.Reshape(6, 20);
        Assert.Equal([5, 5, 5, 5], merged.Chunks.Sizes(1));
        Assert.Equal(data, merged.Compute().ToArray());
        var split = x.Reshape(3, 2, 2, 2, 5);
        Assert.Equal(data, split.Compute().ToArray());
        Assert.Equal([6L, 4L, 5L], split.Reshape(6, -1, 5).Shape);
    }

    [Fact]
    public void Reshape_IncompatibleChunks_ThrowsSuggestingRechunk()
    {
        var x = ChunkedArray.FromArray(StructureTestData.Iota([6, 4]), [6, 4], [3, 2]);
        var e = Assert.Throws<ArgumentException>(() => x.Reshape(24));
        Assert.Contains("Rechunk([3, -1])", e.Message, StringComparison.Ordinal);
        Assert.Equal(StructureTestData.Iota([6, 4]), x.Rechunk([3, -1]).Reshape(24).Compute().ToArray());
        Assert.Throws<ArgumentException>(() => x.Reshape(5, -1));
        Assert.Throws<ArgumentException>(() => x.Reshape(-1, -1));
    }

    [Fact]
    public void Concatenate_IrregularInputs_ConcatenatesChunkSizes()
    {
        var a = ChunkedArray.FromArray(StructureTestData.Iota([3, 4]), ChunkGrid.FromSizes([[1, 2], [2, 2]]));
        var b = ChunkedArray.FromArray(StructureTestData.Iota([5, 4], 100), ChunkGrid.FromSizes([[4, 1], [1, 3]]));
        var c = StructureOps.Concatenate([a, b], 0);
        Assert.Equal([1, 2, 4, 1], c.Chunks.Sizes(0));
        Assert.Equal([2, 2], c.Chunks.Sizes(1));
        Assert.Equal(StructureTestData.Iota([3, 4]).Concat(StructureTestData.Iota([5, 4], 100)), c.Compute().ToArray());
        Assert.Throws<ArgumentException>(() => StructureOps.Concatenate([a, b], 1));
    }

    [Fact]
    public void Stack_NewAxis_HasChunksOfOne()
    {
        var a = ChunkedArray.FromArray(StructureTestData.Iota([2, 3]), [2, 3], [1, 2]);
        var b = ChunkedArray.FromArray(StructureTestData.Iota([2, 3], 10), [2, 3], [2, 3]);
        var s = StructureOps.Stack([a, b], 1);
        Assert.Equal([2L, 2L, 3L], s.Shape);
        Assert.Equal([1, 1], s.Chunks.Sizes(1));
        Assert.Equal([0, 1, 2, 10, 11, 12, 3, 4, 5, 13, 14, 15], s.Compute().ToArray());
    }
}
