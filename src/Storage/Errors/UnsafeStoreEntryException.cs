namespace ChunkCompute.Storage;

/// <summary>
/// A store holds an entry ChunkCompute refuses to follow or open: a symbolic link (which could lead outside the
/// store), a FIFO, socket or device (which could block forever), or a file where a folder must be. Nothing outside the
/// store is read, written or deleted because of it.
/// </summary>
public sealed class UnsafeStoreEntryException : ChunkComputeException
{
    /// <summary>Creates the exception for <paramref name="entry"/> (relative to the store's root) in <paramref name="store"/>.</summary>
    public UnsafeStoreEntryException(string store, string entry, string reason)
        : base($"store '{store}': '{entry}' {reason}; ChunkCompute does not follow links or open special files inside a store (replace it with a regular file or folder)")
    {
        Store = store;
        Entry = entry;
    }

    /// <summary>The store's name (its root directory).</summary>
    public string Store { get; }

    /// <summary>The refused entry's path relative to the store's root, '/'-separated.</summary>
    public string Entry { get; }
}
