using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>
/// A rechunk cannot fit the memory budget. Raised by <see cref="RechunkPlanner.Plan"/> when no in-memory plan fits,
/// and when a computation is planned (<c>Compute</c>, <c>ToStore</c>, <c>Explain</c>) for a rechunk that fits neither
/// in memory nor through an on-disk intermediate: before anything runs.
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
