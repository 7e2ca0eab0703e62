using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>
/// No in-memory rechunk plan fits the memory budget. Raised by <see cref="RechunkPlanner.Plan"/> (and so by
/// <c>Rechunk</c>) when the graph is built, before anything runs.
/// </summary>
public sealed class RechunkBudgetException : ChunkComputeException
{
    /// <summary>Creates the exception.</summary>
    public RechunkBudgetException(string message, long requiredBytes, long budgetBytes)
        : base(message)
    {
        RequiredBytes = requiredBytes;
        BudgetBytes = budgetBytes;
    }

    /// <summary>The smallest number of bytes the best plan found (or any in-memory plan) needs at once.</summary>
    public long RequiredBytes { get; }

    /// <summary>The budget that was given.</summary>
    public long BudgetBytes { get; }
}
