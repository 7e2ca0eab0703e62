namespace ChunkCompute.Storage.Stores;

/// <summary>
/// Native memory for the storage layer's chunk-sized temporary buffers (compressed reads, decode and write buffers,
/// encoder staging); see <see cref="StorageBufferScope"/>.
/// </summary>
public interface IStorageBufferAllocator
{
    /// <summary>Returns at least <paramref name="bytes"/> bytes of native memory, 64-byte aligned.</summary>
    nint Allocate(long bytes);

    /// <summary>Takes back memory from <see cref="Allocate"/> of the same size.</summary>
    void Free(nint pointer, long bytes);
}

/// <summary>
/// Makes the storage layer take its large temporary buffers (1 MiB and more) from an allocator for the rest of the
/// current asynchronous flow (the work started from it included, such as a parallel chunk read): a scheduler runs each
/// task in a scope of its chunk pool, so that memory is the memory it counts against the budget, and is returned to
/// the pool (and, when the pool does not keep it, to the operating system) as soon as it is freed. Dispose the scope
/// to restore the previous allocator; every buffer taken in it must be freed before the allocator is disposed.
/// </summary>
public static class StorageBufferScope
{
    /// <summary>Uses <paramref name="allocator"/> until the result is disposed (in the same flow).</summary>
    public static IDisposable Use(IStorageBufferAllocator allocator)
    {
        ArgumentNullException.ThrowIfNull(allocator);
        var previous = StorageBuffers.Allocator;
        StorageBuffers.Allocator = allocator;
        return new Restore(previous);
    }

    private sealed class Restore(IStorageBufferAllocator? previous) : IDisposable
    {
        public void Dispose() => StorageBuffers.Allocator = previous;
    }
}
