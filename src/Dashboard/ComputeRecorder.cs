using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ChunkCompute.Scheduler;

namespace ChunkCompute.Dashboard;

/// <summary>
/// Records computations for the dashboard and the performance report: every run's plan and counters, one entry per
/// finished task and a sample of memory and byte counters about ten times a second. Set it (or a
/// <see cref="ComputeDashboard"/>, which has one) as <see cref="ComputeOptions.Observer"/>; one recorder may watch
/// several computations, one after another or at once. Thread-safe.
/// </summary>
public sealed class ComputeRecorder : IComputeObserver, IDisposable
{
    /// <summary>Tasks kept for the task stream; later ones are still counted.</summary>
    public const int MaxRecordedTasks = 200_000;

    private const long SampleEveryMs = 100;
    private readonly Lock _lock = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<RunEntry> _runs = [];
    private readonly List<TaskEntry> _tasks = [];
    private readonly List<Sample> _samples = [];
    private readonly Dictionary<int, int> _lanes = [];
    private readonly Timer _timer;
    private long _lastSample = -SampleEveryMs;
    private long _droppedTasks;
    private bool _disposed;

    /// <summary>Creates a recorder; <paramref name="title"/> heads the page (e.g. the command that runs).</summary>
    public ComputeRecorder(string? title = null)
    {
        Title = string.IsNullOrWhiteSpace(title) ? "ChunkCompute" : title;
        StartedAt = DateTimeOffset.UtcNow;
        _timer = new Timer(_ => TrySample(force: false), null, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>What the page is headed with.</summary>
    public string Title { get; }

    /// <summary>When recording started (UTC): the time axis's zero.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>Runs seen so far.</summary>
    public int RunCount
    {
        get
        {
            lock (_lock)
            {
                return _runs.Count;
            }
        }
    }

    /// <summary>Tasks finished so far, over all runs.</summary>
    public long TasksDone
    {
        get
        {
            lock (_lock)
            {
                return _runs.Sum(r => r.Done);
            }
        }
    }

    /// <inheritdoc/>
    public void RunStarted(ComputeRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        lock (_lock)
        {
            _runs.Add(new RunEntry(run, null, Seconds(_clock.Elapsed) - Seconds(run.Elapsed)));
        }

        TrySample(force: true);
        _timer.Change(SampleEveryMs, SampleEveryMs);
    }

    /// <inheritdoc/>
    public void TaskFinished(ComputeRun run, in ComputeTaskRecord task)
    {
        ArgumentNullException.ThrowIfNull(run);
        bool sample;
        lock (_lock)
        {
            var entry = Find(run);
            if (entry is null)
            {
                return;
            }

            entry.Done++;
            entry.OperationsDone[task.Operation]++;
            if (_tasks.Count < MaxRecordedTasks)
            {
                if (!_lanes.TryGetValue(task.ThreadId, out int lane))
                {
                    lane = _lanes.Count;
                    _lanes[task.ThreadId] = lane;
                }

                _tasks.Add(new TaskEntry(_runs.IndexOf(entry), task.Operation, lane, entry.Start + Seconds(task.Start), Seconds(task.Duration), task.OutputBytes, task.ChunkIndex));
            }
            else
            {
                _droppedTasks++;
            }

            sample = _clock.ElapsedMilliseconds - _lastSample >= SampleEveryMs;
        }

        if (sample)
        {
            TrySample(force: false);
        }
    }

    /// <inheritdoc/>
    public void RunFinished(ComputeRun run, ComputeStatistics? statistics, Exception? error)
    {
        ArgumentNullException.ThrowIfNull(run);
        lock (_lock)
        {
            if (Find(run) is { } entry)
            {
                entry.Statistics = statistics;
                entry.Error = error is null ? null : error.GetType().Name + ": " + error.Message;
                entry.Freeze();
            }
        }

        TrySample(force: true);
        lock (_lock)
        {
            if (!_disposed && _runs.All(r => r.IsFinished))
            {
                _timer.Change(Timeout.Infinite, Timeout.Infinite);
            }
        }
    }

    /// <summary>
    /// Records progress of work that runs outside the engine (an import or export that copies blocks itself) as a run
    /// of one operation named <paramref name="label"/>: its progress and byte counters, no task stream.
    /// </summary>
    public void ReportProgress(string label, ComputeProgress progress)
    {
        ArgumentException.ThrowIfNullOrEmpty(label);
        ArgumentNullException.ThrowIfNull(progress);
        lock (_lock)
        {
            var entry = _runs.LastOrDefault(r => r.Run is null && r.Label == label && !r.IsFinished);
            if (entry is null)
            {
                entry = new RunEntry(null, label, Seconds(_clock.Elapsed) - Seconds(progress.Elapsed));
                _runs.Add(entry);
                _timer.Change(SampleEveryMs, SampleEveryMs);
            }

            entry.Report(progress);
        }

        TrySample(force: false);
    }

    /// <summary>Marks the runs reported with <see cref="ReportProgress"/> as finished.</summary>
    public void CompleteProgress()
    {
        lock (_lock)
        {
            foreach (var r in _runs.Where(r => r.Run is null && !r.IsFinished))
            {
                r.Freeze();
            }
        }

        TrySample(force: true);
    }

    /// <summary>Everything recorded so far as one JSON document (what the report embeds and the page draws).</summary>
    public string ToJson() => Encoding.UTF8.GetString(Snapshot(0, 0, live: false).Json);

    /// <summary>The self-contained HTML report of what was recorded: one file, its scripts and styles inline, no fetch from the network.</summary>
    public string RenderReport() => DashboardPage.Render(ToJson());

    /// <summary>Writes <see cref="RenderReport"/> to <paramref name="path"/> (replacing it).</summary>
    public void WriteReport(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string? directory = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        string temporary = full + ".tmp";
        File.WriteAllText(temporary, RenderReport(), new UTF8Encoding(false));
        File.Move(temporary, full, overwrite: true);
    }

    /// <summary>Stops the sampling timer.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
        }

        _timer.Dispose();
    }

    /// <summary>The runs, every task from <paramref name="fromTask"/> and every sample from <paramref name="fromSample"/> on, as JSON.</summary>
    internal (byte[] Json, int Tasks, int Samples) Snapshot(int fromTask, int fromSample, bool live)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using var w = new Utf8JsonWriter(buffer);
        int tasks, samples;
        lock (_lock)
        {
            tasks = _tasks.Count;
            samples = _samples.Count;
            w.WriteStartObject();
            w.WriteString("title", Title);
            w.WriteString("startedAt", StartedAt.ToString("u", CultureInfo.InvariantCulture));
            w.WriteBoolean("live", live);
            w.WriteNumber("now", Round(Seconds(_clock.Elapsed)));
            w.WriteNumber("lanes", _lanes.Count);
            w.WriteNumber("droppedTasks", _droppedTasks);
            w.WriteNumber("fromTask", fromTask);
            w.WriteNumber("fromSample", fromSample);
            w.WriteStartArray("runs");
            foreach (var r in _runs)
            {
                r.Write(w);
            }

            w.WriteEndArray();
            w.WriteStartArray("tasks");
            for (int i = Math.Min(fromTask, tasks); i < tasks; i++)
            {
                _tasks[i].Write(w);
            }

            w.WriteEndArray();
            w.WriteStartArray("samples");
            for (int i = Math.Min(fromSample, samples); i < samples; i++)
            {
                _samples[i].Write(w);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.Flush();
        return (buffer.WrittenSpan.ToArray(), tasks, samples);
    }

    private RunEntry? Find(ComputeRun run)
    {
        for (int i = _runs.Count - 1; i >= 0; i--)
        {
            if (ReferenceEquals(_runs[i].Run, run))
            {
                return _runs[i];
            }
        }

        return null;
    }

    private void TrySample(bool force)
    {
        lock (_lock)
        {
            long now = _clock.ElapsedMilliseconds;
            if (!force && now - _lastSample < SampleEveryMs)
            {
                return;
            }

            _lastSample = now;
            long inUse = 0, budget = 0, peak = 0, read = 0, produced = 0, written = 0, done = 0;
            foreach (var r in _runs)
            {
                var c = r.Counters();
                if (!r.IsFinished)
                {
                    inUse += c.InUse;
                    budget = Math.Max(budget, r.Budget);
                    peak = Math.Max(peak, c.Peak);
                }

                read += c.Read;
                produced += c.Produced;
                written += c.Written;
                done += c.Done;
            }

            if (budget == 0 && _samples.Count > 0)
            {
                budget = _samples[^1].Budget;
            }

            _samples.Add(new Sample(Seconds(_clock.Elapsed), inUse, budget, peak, read, produced, written, done));
        }
    }

    private static double Seconds(TimeSpan t) => t.TotalSeconds;

    private static double Round(double seconds) => Math.Round(seconds, 6);

    private readonly record struct TaskEntry(int Run, int Operation, int Lane, double Start, double Duration, long Bytes, long[] Chunk)
    {
        public void Write(Utf8JsonWriter w)
        {
            w.WriteStartArray();
            w.WriteNumberValue(Run);
            w.WriteNumberValue(Operation);
            w.WriteNumberValue(Lane);
            w.WriteNumberValue(Round(Start));
            w.WriteNumberValue(Round(Duration));
            w.WriteNumberValue(Bytes);
            w.WriteStringValue(string.Join(",", Chunk));
            w.WriteEndArray();
        }
    }

    private readonly record struct Sample(double Time, long InUse, long Budget, long Peak, long Read, long Produced, long Written, long Done)
    {
        public void Write(Utf8JsonWriter w)
        {
            w.WriteStartArray();
            w.WriteNumberValue(Round(Time));
            w.WriteNumberValue(InUse);
            w.WriteNumberValue(Budget);
            w.WriteNumberValue(Peak);
            w.WriteNumberValue(Read);
            w.WriteNumberValue(Produced);
            w.WriteNumberValue(Written);
            w.WriteNumberValue(Done);
            w.WriteEndArray();
        }
    }

    private readonly record struct Counters(long Done, long Total, long InUse, long Peak, long Read, long Produced, long Written, double Elapsed);

    // A run of the engine (Run set) or work reported as progress (Label set). Mutated under the recorder's lock.
    private sealed class RunEntry
    {
        private Counters? _final;
        private ComputeProgress? _progress;

        public RunEntry(ComputeRun? run, string? label, double start)
        {
            Run = run;
            Label = label;
            Start = Math.Max(0, start);
            OperationsDone = new long[run?.Operations.Count ?? 1];
        }

        public ComputeRun? Run { get; }

        public string? Label { get; }

        public double Start { get; }

        public long Done { get; set; }

        public long[] OperationsDone { get; }

        public ComputeStatistics? Statistics { get; set; }

        public string? Error { get; set; }

        public bool IsFinished => _final is not null;

        public long Budget => Run?.BudgetBytes ?? 0;

        public void Report(ComputeProgress progress)
        {
            _progress = progress;
            Done = progress.TasksDone;
            OperationsDone[0] = progress.TasksDone;
        }

        public void Freeze() => _final = Counters();

        public Counters Counters()
        {
            if (_final is { } final)
            {
                return final;
            }

            if (Run is { } r)
            {
                return new Counters(r.TasksDone, r.TasksTotal, r.InUseBytes, r.PeakBytes, r.BytesRead, r.BytesProduced, r.BytesWritten, r.Elapsed.TotalSeconds);
            }

            var p = _progress!;
            return new Counters(p.TasksDone, p.TasksTotal, 0, 0, p.BytesRead, p.BytesRead, p.BytesWritten, p.Elapsed.TotalSeconds);
        }

        public void Write(Utf8JsonWriter w)
        {
            var c = Counters();
            w.WriteStartObject();
            w.WriteNumber("id", Run?.Id ?? 0);
            w.WriteString("kind", Run is null ? "progress" : "engine");
            w.WriteNumber("start", Round(Start));
            w.WriteNumber("elapsed", Round(c.Elapsed));
            w.WriteBoolean("finished", IsFinished);
            w.WriteBoolean("completed", Statistics is not null || (Run is null && IsFinished));
            if (Error is not null)
            {
                w.WriteString("error", Error);
            }

            w.WriteNumber("budget", Budget);
            w.WriteNumber("projectedPeak", Run?.Plan.ProjectedPeakBytes ?? 0);
            w.WriteNumber("tasksTotal", c.Total);
            w.WriteNumber("tasksDone", c.Done);
            w.WriteNumber("peak", Statistics?.PeakMemoryBytes ?? c.Peak);
            w.WriteNumber("inUse", IsFinished ? 0 : c.InUse);
            w.WriteNumber("read", c.Read);
            w.WriteNumber("produced", c.Produced);
            w.WriteNumber("written", c.Written);
            w.WriteStartArray("operations");
            if (Run is { } run)
            {
                foreach (var op in run.Operations)
                {
                    w.WriteStartObject();
                    w.WriteNumber("index", op.Index);
                    w.WriteString("label", op.Label);
                    w.WriteString("dtype", op.DataType);
                    w.WriteString("shape", string.Join(", ", op.Shape));
                    w.WriteNumber("tasks", op.TaskCount);
                    w.WriteNumber("done", OperationsDone[op.Index]);
                    w.WriteBoolean("output", op.IsOutput);
                    w.WriteStartArray("inputs");
                    foreach (int i in op.Inputs)
                    {
                        w.WriteNumberValue(i);
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                }
            }
            else
            {
                w.WriteStartObject();
                w.WriteNumber("index", 0);
                w.WriteString("label", Label);
                w.WriteString("dtype", string.Empty);
                w.WriteString("shape", string.Empty);
                w.WriteNumber("tasks", c.Total);
                w.WriteNumber("done", c.Done);
                w.WriteBoolean("output", true);
                w.WriteStartArray("inputs");
                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }
    }
}
