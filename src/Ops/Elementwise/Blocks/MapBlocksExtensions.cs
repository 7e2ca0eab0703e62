using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>Dask's <c>map_blocks</c>: a user kernel per chunk.</summary>
public static class MapBlocksExtensions
{
    /// <summary>
    /// Applies <paramref name="kernel"/> to every chunk of <paramref name="array"/>, producing an array of
    /// <typeparamref name="U"/> with the same chunks, or with <paramref name="outputChunks"/> (same number of chunks
    /// per dimension; each output chunk may differ in size from its input chunk). An exception thrown by the kernel
    /// reaches the caller of <c>Compute</c> as a <c>ChunkTaskFailedException</c> whose InnerException is the original.
    /// </summary>
    /// <typeparam name="T">The input element type.</typeparam>
    /// <typeparam name="U">The output element type.</typeparam>
    /// <param name="array">The input.</param>
    /// <param name="kernel">The per-chunk function.</param>
    /// <param name="outputChunks">The output grid, or null for the input's.</param>
    /// <exception cref="ArgumentException"><paramref name="outputChunks"/> does not have the input's number of chunks per dimension.</exception>
    public static ChunkedArray<U> MapBlocks<T, U>(this ChunkedArray<T> array, ChunkKernel<T, U> kernel, ChunkGrid? outputChunks = null)
        where T : unmanaged
        where U : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentNullException.ThrowIfNull(kernel);
        var grid = outputChunks ?? array.Chunks;
        if (!grid.GridShape.SequenceEqual(array.Chunks.GridShape))
        {
            throw new ArgumentException($"output chunks {grid} must have the input's number of chunks per dimension [{string.Join(", ", array.Chunks.GridShape)}], not [{string.Join(", ", grid.GridShape)}]", nameof(outputChunks));
        }

        return new ChunkedArray<U>(new MapBlocksNode<T, U>(array.Node, kernel, grid));
    }
}
