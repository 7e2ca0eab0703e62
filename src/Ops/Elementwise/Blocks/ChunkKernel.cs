namespace ChunkCompute.Ops;

/// <summary>
/// A user kernel for <see cref="MapBlocksExtensions.MapBlocks{T, U}"/>: reads one input chunk (C order, exactly the
/// chunk's extent) and fills the whole output chunk. It may run on any thread, concurrently with other chunks.
/// </summary>
/// <typeparam name="T">The input element type.</typeparam>
/// <typeparam name="U">The output element type.</typeparam>
/// <param name="input">The input chunk's elements.</param>
/// <param name="output">The output chunk's elements, to be written in full.</param>
/// <param name="info">Where the chunk is.</param>
public delegate void ChunkKernel<T, U>(ReadOnlySpan<T> input, Span<U> output, ChunkInfo info);
