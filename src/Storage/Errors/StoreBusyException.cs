namespace ChunkCompute.Storage;

/// <summary>
/// The store's commit lock could not be taken within the allowed time: another process is publishing a (large)
/// commit, or is stuck while holding the lock.
/// </summary>
public sealed class StoreBusyException : ChunkComputeException
{
    /// <summary>Creates the exception with a message naming the store and the wait.</summary>
    public StoreBusyException(string message)
        : base(message)
    {
    }
}
