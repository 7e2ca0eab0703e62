using ChunkCompute.Scheduler;

namespace ChunkCompute.Cli.Commands;

/// <summary>Keeps the latest progress report (the final one carries the totals) and forwards every report.</summary>
internal sealed class LastProgress(IProgress<ComputeProgress>? next) : IProgress<ComputeProgress>
{
    private ComputeProgress? _value;

    /// <summary>The latest report, or null before the first.</summary>
    public ComputeProgress? Value => Volatile.Read(ref _value);

    /// <inheritdoc/>
    public void Report(ComputeProgress value)
    {
        Volatile.Write(ref _value, value);
        next?.Report(value);
    }
}
