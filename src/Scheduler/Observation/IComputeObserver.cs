namespace ChunkCompute.Scheduler;

/// <summary>
/// Watches computations as they run (<see cref="ComputeOptions.Observer"/>): the dashboard and the performance report
/// of <c>ChunkCompute.Dashboard</c> implement it. The engine calls it from its worker threads, so an implementation
/// must be thread-safe and quick (record and return; draw elsewhere). With no observer set the engine pays one null
/// check per task.
/// </summary>
public interface IComputeObserver
{
    /// <summary>A computation was planned and is about to run its first task. Passes a rechunk plans for itself arrive as runs of their own, before the run that asked for them.</summary>
    /// <param name="run">The run: its plan and live counters (read them whenever you like, e.g. on a timer, while it runs).</param>
    void RunStarted(ComputeRun run);

    /// <summary>A task finished (its output handed on). Called on the worker that ran it.</summary>
    /// <param name="run">The run it belongs to.</param>
    /// <param name="task">What ran, where and when.</param>
    void TaskFinished(ComputeRun run, in ComputeTaskRecord task);

    /// <summary>The run ended: completed, failed or cancelled.</summary>
    /// <param name="run">The run; its counters hold their final values.</param>
    /// <param name="statistics">What it reports when it completed; null when it failed or was cancelled.</param>
    /// <param name="error">Why it did not complete; null when it did.</param>
    void RunFinished(ComputeRun run, ComputeStatistics? statistics, Exception? error);
}

/// <summary>One finished task, as an <see cref="IComputeObserver"/> sees it.</summary>
/// <param name="Operation">Index of its operation in <see cref="ComputeRun.Operations"/>.</param>
/// <param name="ChunkIndex">Its output chunk in the operation's chunk grid.</param>
/// <param name="ThreadId">The managed thread that started it (a task stream draws one lane per thread).</param>
/// <param name="Start">When it started, since the run started.</param>
/// <param name="Duration">How long it ran, until its output was handed on.</param>
/// <param name="OutputBytes">Bytes of its output chunk.</param>
public readonly record struct ComputeTaskRecord(int Operation, long[] ChunkIndex, int ThreadId, TimeSpan Start, TimeSpan Duration, long OutputBytes);

/// <summary>One operation of a planned run: a node of the lowered graph with its tasks (what <c>Explain()</c> lists).</summary>
/// <param name="Index">Its index in <see cref="ComputeRun.Operations"/>.</param>
/// <param name="Label">Its label, with the producers streamed into it (<c>zarr → mean-partial</c>).</param>
/// <param name="DataType">Its element type's name.</param>
/// <param name="Shape">Its array shape.</param>
/// <param name="TaskCount">Its tasks in the plan.</param>
/// <param name="Inputs">Indices of the operations it reads from.</param>
/// <param name="IsOutput">Whether it is one of the run's outputs.</param>
public sealed record ComputeOperation(int Index, string Label, string DataType, IReadOnlyList<long> Shape, int TaskCount, IReadOnlyList<int> Inputs, bool IsOutput);
