namespace ChunkCompute.Graph;

/// <summary>Where chunk buffers get their native memory (the scheduler pools it per computation).</summary>
public interface IChunkAllocator
{
    /// <summary>Returns at least <paramref name="bytes"/> bytes, 64-byte aligned.</summary>
    nint Allocate(long bytes);

    /// <summary>Takes back memory from <see cref="Allocate"/> of the same size.</summary>
    void Free(nint pointer, long bytes);
}
