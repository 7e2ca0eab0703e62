using ChunkCompute.Scheduler;
using Spectre.Console;

namespace ChunkCompute.Cli.Progress;

/// <summary>
/// Where a command reports progress: a live Spectre.Console task on a terminal, or nothing (redirected output,
/// <c>--quiet</c>, tests).
/// </summary>
internal sealed class CliProgress
{
    /// <summary>State keys read by the columns.</summary>
    internal const string DoneKey = "done";
    internal const string TotalKey = "total";
    internal const string ReadKey = "read";
    internal const string WrittenKey = "written";
    internal const string SecondsKey = "seconds";
    internal const string BytesUnitKey = "bytes-unit";

    private readonly ProgressTask? _task;

    private CliProgress(ProgressTask? task)
    {
        _task = task;
        Compute = task is null ? null : new Reporter(this);
    }

    /// <summary>A sink that ignores everything.</summary>
    public static CliProgress Silent { get; } = new(null);

    /// <summary>What to pass as <see cref="ComputeOptions.Progress"/>: null when nothing is displayed.</summary>
    public IProgress<ComputeProgress>? Compute { get; }

    /// <summary>Wraps a live task.</summary>
    public static CliProgress For(ProgressTask task) => new(task);

    /// <summary>Starts a new phase: a new label, counting <paramref name="total"/> units (bytes when <paramref name="bytes"/>).</summary>
    public void Phase(string label, long total, bool bytes = false)
    {
        if (_task is null)
        {
            return;
        }

        _task.Description = Markup.Escape(label);
        _task.State.Update<bool>(BytesUnitKey, _ => bytes);
        Report(new ComputeProgress(0, total, 0, 0, TimeSpan.Zero));
    }

    /// <summary>Reports work done so far.</summary>
    public void Report(ComputeProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        if (_task is null)
        {
            return;
        }

        _task.State.Update<long>(DoneKey, _ => progress.TasksDone);
        _task.State.Update<long>(TotalKey, _ => progress.TasksTotal);
        _task.State.Update<long>(ReadKey, _ => progress.BytesRead);
        _task.State.Update<long>(WrittenKey, _ => progress.BytesWritten);
        _task.State.Update<double>(SecondsKey, _ => progress.Elapsed.TotalSeconds);
        _task.MaxValue = Math.Max(1, progress.TasksTotal);
        _task.Value = Math.Min(progress.TasksDone, _task.MaxValue);
    }

    private sealed class Reporter(CliProgress owner) : IProgress<ComputeProgress>
    {
        public void Report(ComputeProgress value) => owner.Report(value);
    }
}
