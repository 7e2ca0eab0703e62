using ChunkCompute.Storage;

namespace ChunkCompute.Scheduler;

/// <summary>
/// A computation cannot run within its memory budget; raised before any chunk is read, naming the operation, the bytes
/// it needs and how to fix it.
/// </summary>
public sealed class MemoryPlanRefusedException : ChunkComputeException
{
    /// <summary>Creates the exception.</summary>
    public MemoryPlanRefusedException(string operation, long requiredBytes, long budgetBytes, string fix)
        : base($"The plan needs {Format(requiredBytes)} at its peak (at '{operation}'), more than the memory budget of {Format(budgetBytes)}. {fix}")
    {
        Operation = operation;
        RequiredBytes = requiredBytes;
        BudgetBytes = budgetBytes;
    }

    /// <summary>The operation at the peak.</summary>
    public string Operation { get; }

    /// <summary>Bytes needed.</summary>
    public long RequiredBytes { get; }

    /// <summary>The budget.</summary>
    public long BudgetBytes { get; }

    internal static string Format(long bytes) => ByteSize.Format(bytes);
}
