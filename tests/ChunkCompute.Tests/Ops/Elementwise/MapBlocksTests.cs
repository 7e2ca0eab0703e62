using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;

namespace ChunkCompute.Tests.Ops.Elementwise;

/// <summary>User kernels per chunk: data, chunk information, output type and chunking, and failures.</summary>
public sealed class MapBlocksTests
{
    [Fact]
    public void MapBlocks_KernelSeesChunkAndOrigin_WritesOutputType()
    {
        var data = Enumerable.Range(0, 7 * 5).Select(i => (double)i).ToArray();
        var x = ChunkedArray.FromArray(data, ChunkGrid.FromSizes([[3, 1, 3], [2, 3]]));
        var y = x.MapBlocks((ReadOnlySpan<double> input, Span<long> output, ChunkInfo info) =>
        {
            for (int i = 0; i < input.Length; i++)
            {
                int row = i / info.ChunkShape[1];
                int col = i % info.ChunkShape[1];
                long global = ((info.Origin[0] + row) * 5) + info.Origin[1] + col;
                output[i] = (long)input[i] == global ? global * 10 : -1;
            }
        });

        Assert.Equal(data.Select(v => (long)v * 10), y.Compute().ToArray());
        Assert.Equal("map-blocks", y.Node.Label);
    }

    [Fact]
    public void MapBlocks_ThenElementwise_FusesAfterTheBarrier()
    {
        var x = ChunkedArray.Arange<int>(0, 10, 1, 4);
        var y = (x.MapBlocks<int, int>((input, output, _) => input.CopyTo(output)) + 1) * 2;
        Assert.Equal("fused(add,multiply)", y.Node.Label);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (i + 1) * 2), y.Compute().ToArray());
    }

    [Fact]
    public void MapBlocks_DeclaredOutputChunks_ShrinksEachChunk()
    {
        var x = ChunkedArray.Arange<double>(0, 10, 1, 4);
        var firsts = x.MapBlocks<double, double>((input, output, info) => output[0] = input[0], ChunkGrid.FromSizes([[1, 1, 1]]));
        Assert.Equal([0.0, 4.0, 8.0], firsts.Compute().ToArray());
        Assert.Throws<ArgumentException>(() => x.MapBlocks<double, double>((_, _, _) => { }, ChunkGrid.FromSizes([[1, 1]])));
    }

    [Fact]
    public void MapBlocks_KernelThrows_CallerGetsChunkTaskFailedExceptionWithOriginal()
    {
        var x = ChunkedArray.Arange<double>(0, 10, 1, 4);
        var y = x.MapBlocks<double, double>((input, output, info) =>
        {
            if (info.ChunkIndex[0] == 1)
            {
                throw new InvalidOperationException("kernel failed on purpose");
            }

            input.CopyTo(output);
        });

        var ex = Assert.Throws<ChunkTaskFailedException>(() => y.Compute());
        var inner = Assert.IsType<InvalidOperationException>(ex.InnerException);
        Assert.Equal("kernel failed on purpose", inner.Message);
        Assert.Equal("map-blocks", ex.Operation);
        Assert.Equal([1L], ex.ChunkIndex);
    }
}
