using ChunkCompute.Storage;

namespace ChunkCompute.Scheduler;

/// <summary>
/// A chunk task failed; the rest were cancelled. The original exception is <see cref="Exception.InnerException"/>
/// (never an AggregateException).
/// </summary>
public sealed class ChunkTaskFailedException : ChunkComputeException
{
    /// <summary>Creates the exception for chunk <paramref name="chunkIndex"/> of operation <paramref name="operation"/>.</summary>
    public ChunkTaskFailedException(string operation, IReadOnlyList<long> chunkIndex, Exception innerException)
        : base($"Task '{operation}' failed on chunk [{string.Join(", ", chunkIndex)}]: {innerException?.Message}", innerException)
    {
        Operation = operation;
        ChunkIndex = chunkIndex;
    }

    /// <summary>The operation's label.</summary>
    public string Operation { get; }

    /// <summary>The chunk index in the operation's grid.</summary>
    public IReadOnlyList<long> ChunkIndex { get; }
}
