using ChunkCompute.Dashboard;
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
    private readonly ComputeRecorder? _recorder;
    private string _label;

    private CliProgress(ProgressTask? task, IComputeObserver? observer, ComputeRecorder? recorder, string label)
    {
        _task = task;
        _recorder = recorder;
        _label = label;
        Observer = observer;
        Compute = task is null ? null : new Reporter(this);
    }

    /// <summary>A sink that ignores everything.</summary>
    public static CliProgress Silent { get; } = new(null, null, null, "work");

    /// <summary>What to pass as <see cref="ComputeOptions.Observer"/>: the dashboard or report recorder, or null.</summary>
    public IComputeObserver? Observer { get; }

    /// <summary>What to pass as <see cref="ComputeOptions.Progress"/>: null when nothing is displayed.</summary>
    public IProgress<ComputeProgress>? Compute { get; }

    /// <summary>Wraps a live task.</summary>
    public static CliProgress For(ProgressTask task) => new(task, null, null, "work");

    /// <summary>Wraps a live task (or none) and a dashboard or report recorder (or none).</summary>
    public static CliProgress For(ProgressTask? task, IComputeObserver? observer, ComputeRecorder? recorder, string label) => new(task, observer, recorder, label);

    /// <summary>Starts a new phase: a new label, counting <paramref name="total"/> units (bytes when <paramref name="bytes"/>).</summary>
    public void Phase(string label, long total, bool bytes = false)
    {
        _label = label;
        if (_task is null)
        {
            return;
        }

        _task.Description = Markup.Escape(label);
        _task.State.Update<bool>(BytesUnitKey, _ => bytes);
        Report(new ComputeProgress(0, total, 0, 0, TimeSpan.Zero));
    }

    /// <summary>Reports work done so far by a command that copies blocks itself (shown on the dashboard as its progress).</summary>
    public void Report(ComputeProgress progress)
    {
        ArgumentNullException.ThrowIfNull(progress);
        _recorder?.ReportProgress(_label, progress);
        Display(progress);
    }

    // The engine's reports: the dashboard has the engine's own account of them (Observer), so only the bar shows them.
    private void Display(ComputeProgress progress)
    {
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
        public void Report(ComputeProgress value) => owner.Display(value);
    }
}
