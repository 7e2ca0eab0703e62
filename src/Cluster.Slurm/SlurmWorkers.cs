using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;

namespace ChunkCompute.Cluster.Slurm;

/// <summary>
/// Runs a computation's chunk tasks as Slurm job arrays, as dask-jobqueue does for Dask: tasks arriving within
/// <see cref="SlurmWorkersOptions.BatchDelay"/> are written as task files into one folder under
/// <see cref="SlurmWorkersOptions.WorkDirectory"/> and submitted with one <c>sbatch --array</c>; each array task runs
/// <c>run-task</c> (<see cref="SlurmTaskRunner"/>) on a compute node, which writes a reply file. Reply files and
/// <c>squeue</c> are polled; an array task that ends without a reply is submitted again (up to
/// <see cref="SlurmWorkersOptions.MaxResubmits"/> times) and then reported lost, naming the task and its log file.
/// Cancelling a task (Ctrl-C) cancels its array task with <c>scancel</c>; disposing cancels every array in flight.
/// </summary>
public sealed class SlurmWorkers : IChunkWorkers, IDisposable
{
    private readonly SlurmWorkersOptions _options;
    private readonly IReadOnlyList<string> _command;
    private readonly SlurmCommands _slurm;
    private readonly Channel<Entry> _queue = Channel.CreateUnbounded<Entry>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<SlurmArray> _arrays = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _batcher;
    private readonly Task _poller;
    private List<Entry>? _gathering;
    private long _arraysSubmitted;
    private long _resubmissions;
    private int _disposed;

    /// <summary>Creates the workers; the work folder is created when missing.</summary>
    /// <exception cref="ArgumentException">An option is out of range, or no worker command can be found.</exception>
    public SlurmWorkers(SlurmWorkersOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MemoryBudget);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MemoryOverhead);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxResubmits);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxArraySize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxArraySize, SlurmTaskRunner.MaxIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxTasksInFlight);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PollInterval, TimeSpan.FromMilliseconds(10));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ReplyGrace, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(options.SbatchArguments);
        _options = options;
        _command = options.ResolveWorkerCommand();
        _slurm = new SlurmCommands(options.Environment);
        Directory.CreateDirectory(options.WorkDirectory);
        _batcher = Task.Run(() => BatchAsync(_stop.Token));
        _poller = Task.Run(() => PollAsync(_stop.Token));
    }

    /// <inheritdoc/>
    public string Name => $"Slurm{(_options.Partition is null ? string.Empty : " partition " + _options.Partition)} (job arrays in {_options.WorkDirectory})";

    /// <inheritdoc/>
    public long WorkerMemoryBudget => _options.MemoryBudget;

    /// <inheritdoc/>
    public int MaxTasksInFlight => _options.MaxTasksInFlight > 0 ? _options.MaxTasksInFlight : _options.MaxArraySize;

    /// <summary>The command array tasks run (before <c>run-task DIR</c>).</summary>
    public IReadOnlyList<string> WorkerCommand => _command;

    /// <summary>Job arrays submitted so far (resubmissions included).</summary>
    public long ArraysSubmitted => Interlocked.Read(ref _arraysSubmitted);

    /// <summary>Array tasks submitted again after ending without a reply.</summary>
    public long Resubmissions => Interlocked.Read(ref _resubmissions);

    /// <summary>The Slurm job ids of the arrays with tasks still running or queued.</summary>
    public IReadOnlyList<string> JobsInFlight
    {
        get
        {
            lock (_arrays)
            {
                return _arrays.SelectMany(a => a.Entries).Where(e => !e.Finished && e.JobId is not null).Select(e => e.JobId!).Distinct().ToArray();
            }
        }
    }

    /// <inheritdoc/>
    public async Task<RemoteTaskReply> RunAsync(RemoteTask task, IReadOnlySet<string> avoid, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(avoid);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();

        // Only a first attempt is resubmitted: the coordinator's own retries are one submission each, so a task that
        // always fails is submitted MaxResubmits + MaxAttempts times in all.
        var entry = new Entry(task, task.ToBytes(), 1 + (task.Attempt == 0 ? _options.MaxResubmits : 0));
        using var registration = cancellationToken.Register(() => entry.Done.TrySetCanceled(cancellationToken));
        if (!_queue.Writer.TryWrite(entry))
        {
            throw new ObjectDisposedException(nameof(SlurmWorkers));
        }

        return await entry.Done.Task.ConfigureAwait(false);
    }

    // Gathers the tasks that arrive within BatchDelay of the first (up to MaxArraySize) into one array.
    private async Task BatchAsync(CancellationToken stop)
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                var batch = new List<Entry>();
                Volatile.Write(ref _gathering, batch);
                var deadline = Stopwatch.GetTimestamp() + (long)(_options.BatchDelay.TotalSeconds * Stopwatch.Frequency);
                while (batch.Count < _options.MaxArraySize)
                {
                    while (batch.Count < _options.MaxArraySize && reader.TryRead(out var e))
                    {
                        batch.Add(e);
                    }

                    var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
                    if (batch.Count >= _options.MaxArraySize || left <= TimeSpan.Zero)
                    {
                        break;
                    }

                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop);
                    wait.CancelAfter(left);
                    try
                    {
                        if (!await reader.WaitToReadAsync(wait.Token).ConfigureAwait(false))
                        {
                            break;
                        }
                    }
                    catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                    {
                        break;
                    }
                }

                batch.RemoveAll(e => e.Done.Task.IsCompleted); // cancelled while waiting
                if (batch.Count > 0)
                {
                    await SubmitArrayAsync(batch, stop).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task SubmitArrayAsync(List<Entry> batch, CancellationToken stop)
    {
        string dir = Path.Combine(_options.WorkDirectory, "array-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N")[..12]);
        var array = new SlurmArray(dir, batch);
        try
        {
            Directory.CreateDirectory(dir);
            for (int i = 0; i < batch.Count; i++)
            {
                batch[i].Array = array;
                batch[i].Index = i;
                await File.WriteAllBytesAsync(SlurmTaskRunner.TaskFile(dir, i), batch[i].Bytes, stop).ConfigureAwait(false);
            }

            await File.WriteAllTextAsync(Path.Combine(dir, "run.sh"), Script(dir), stop).ConfigureAwait(false);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(Path.Combine(dir, "run.sh"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }

            await File.WriteAllTextAsync(Path.Combine(dir, SlurmTaskRunner.MarkerFileName), "task files of one job array of ChunkCompute's SlurmWorkers\n", stop).ConfigureAwait(false);
            lock (_arrays)
            {
                _arrays.Add(array);
            }

            await SubmitAsync(array, batch, stop).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stop.IsCancellationRequested)
        {
            var lost = new WorkerLostException("slurm", $"could not submit a job array of {batch.Count} task(s) in {dir}: {ex.Message}", ex);
            foreach (var e in batch)
            {
                e.Finished = true;
                e.Done.TrySetException(lost);
            }

            lock (_arrays)
            {
                _arrays.Remove(array);
            }

            TryDeleteDirectory(dir);
        }
    }

    // Submits (or submits again) the given entries of an array: their indices in one sbatch.
    private async Task SubmitAsync(SlurmArray array, IReadOnlyList<Entry> entries, CancellationToken stop)
    {
        var args = new List<string>
        {
            "--job-name=chunkcompute",
            "--output=" + Path.Combine(array.Directory, "log-%a.txt"),
            "--open-mode=append",
            "--chdir=" + array.Directory,
            "--no-requeue",
            "--ntasks=1",
            string.Create(CultureInfo.InvariantCulture, $"--mem={(_options.MemoryBudget + _options.MemoryOverhead + (1 << 20) - 1) >> 20}M"),
        };
        if (_options.Partition is not null)
        {
            args.Add("--partition=" + _options.Partition);
        }

        args.AddRange(_options.SbatchArguments);
        string job = await _slurm.SubmitAsync(Path.Combine(array.Directory, "run.sh"), entries.Select(e => e.Index).ToArray(), args, stop).ConfigureAwait(false);
        Interlocked.Increment(ref _arraysSubmitted);
        lock (_arrays)
        {
            foreach (var e in entries)
            {
                e.JobId = job;
                e.Submissions++;
                e.EndedSince = null;
            }
        }
    }

    private string Script(string dir)
    {
        var words = _command.Concat(["run-task", dir]).Select(Quote);
        return "#!/bin/sh\n# Written by ChunkCompute's SlurmWorkers: runs array task $SLURM_ARRAY_TASK_ID of this folder.\nexec " + string.Join(' ', words) + "\n";
    }

    private static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private async Task PollAsync(CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(_options.PollInterval, stop).ConfigureAwait(false);
                try
                {
                    await PollOnceAsync(stop).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ChunkComputeException)
                {
                    // A transient failure (squeue not answering, a file system hiccup): the next poll tries again.
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private async Task PollOnceAsync(CancellationToken stop)
    {
        List<Entry> open;
        lock (_arrays)
        {
            open = _arrays.SelectMany(a => a.Entries).Where(e => !e.Finished && e.JobId is not null).ToList();
        }

        // Tasks cancelled by their callers: their array tasks are cancelled.
        var cancelled = open.Where(e => e.Done.Task.IsCanceled).ToList();
        if (cancelled.Count > 0)
        {
            await _slurm.CancelAsync(cancelled.Select(e => e.SlurmId).ToArray(), stop).ConfigureAwait(false);
            foreach (var e in cancelled)
            {
                Finish(e, keep: false);
            }
        }

        open.RemoveAll(e => e.Finished);
        foreach (var e in open)
        {
            TryReadReply(e);
        }

        open.RemoveAll(e => e.Finished);
        if (open.Count > 0)
        {
            var states = await _slurm.QueryAsync(open.Select(e => e.JobId!).Distinct().ToArray(), stop).ConfigureAwait(false);
            if (states is not null)
            {
                var again = new List<Entry>();
                long now = Stopwatch.GetTimestamp();
                foreach (var e in open)
                {
                    if (states.TryGetValue((e.JobId!, e.Index), out var state))
                    {
                        e.Node = state.Node.Length > 0 ? state.Node : e.Node;
                        e.State = state.State;
                        if (!state.HasEnded)
                        {
                            e.EndedSince = null;
                            continue;
                        }
                    }
                    else
                    {
                        e.State = e.State is null ? "gone from the queue"
                            : e.State.StartsWith("gone", StringComparison.Ordinal) ? e.State : $"gone from the queue (last {e.State})";
                    }

                    // Ended (or gone) without a reply: given ReplyGrace for the reply to show, then lost.
                    e.EndedSince ??= now;
                    if (Stopwatch.GetElapsedTime(e.EndedSince.Value, now) < _options.ReplyGrace || TryReadReply(e))
                    {
                        continue;
                    }

                    if (e.Submissions < e.AllowedSubmissions && !e.Done.Task.IsCompleted)
                    {
                        again.Add(e);
                    }
                    else
                    {
                        Lose(e);
                    }
                }

                foreach (var group in again.GroupBy(e => e.Array!))
                {
                    Interlocked.Add(ref _resubmissions, group.Count());
                    try
                    {
                        await SubmitAsync(group.Key, group.ToList(), stop).ConfigureAwait(false);
                    }
                    catch (ChunkComputeException ex)
                    {
                        foreach (var e in group)
                        {
                            Lose(e, ex);
                        }
                    }
                }
            }
        }

        CleanUpFinishedArrays();
    }

    private bool TryReadReply(Entry e)
    {
        string file = SlurmTaskRunner.ReplyFile(e.Array!.Directory, e.Index);
        if (!File.Exists(file))
        {
            return false;
        }

        RemoteTaskReply reply;
        try
        {
            reply = RemoteTaskReply.FromBytes(File.ReadAllBytes(file));
        }
        catch (Exception ex) when (ex is IOException or ChunkComputeException)
        {
            Lose(e, ex);
            return true;
        }

        // Files first, then the reply: a caller that has all its replies finds the finished arrays' folders gone.
        Finish(e, keep: false);
        CleanUpFinishedArrays();
        e.Done.TrySetResult(reply);
        return true;
    }

    private void Lose(Entry e, Exception? inner = null)
    {
        string worker = string.Create(CultureInfo.InvariantCulture, $"slurm@{e.Node ?? "?"}");
        string log = SlurmTaskRunner.LogFile(e.Array!.Directory, e.Index);
        string reason = inner is null ? $"ended {e.State ?? "?"} without a reply" : inner.Message;
        e.Done.TrySetException(new WorkerLostException(
            worker,
            $"array task {e.SlurmId} running {e.Task} {reason} after {e.Submissions} submission(s); its log: {log}",
            inner));
        Finish(e, keep: true);
    }

    // A finished task's files are removed, except a lost task's task file and log (to read, or to rerun with run-task).
    private void Finish(Entry e, bool keep)
    {
        lock (_arrays)
        {
            e.Finished = true;
            e.Kept = keep;
        }

        string dir = e.Array!.Directory;
        TryDelete(SlurmTaskRunner.ReplyFile(dir, e.Index));
        if (!keep)
        {
            TryDelete(SlurmTaskRunner.TaskFile(dir, e.Index));
            TryDelete(SlurmTaskRunner.LogFile(dir, e.Index));
        }
    }

    private void CleanUpFinishedArrays()
    {
        List<SlurmArray> done;
        lock (_arrays)
        {
            done = _arrays.Where(a => a.Entries.All(e => e.Finished)).ToList();
            _arrays.RemoveAll(done.Contains);
        }

        foreach (var a in done.Where(a => !a.Entries.Any(e => e.Kept)))
        {
            TryDeleteDirectory(a.Directory);
        }
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static void TryDeleteDirectory(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Cancels the arrays in flight (<c>scancel</c>), fails their tasks and removes their files.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        _stop.Cancel();
        try
        {
            Task.WaitAll([_batcher, _poller], TimeSpan.FromSeconds(30));
        }
        catch (AggregateException)
        {
        }

        List<Entry> open;
        lock (_arrays)
        {
            open = _arrays.SelectMany(a => a.Entries).Where(e => !e.Finished).ToList();
        }

        var submitted = open.Where(e => e.JobId is not null).Select(e => e.SlurmId).ToArray();
        try
        {
            _slurm.CancelAsync(submitted, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (ChunkComputeException)
        {
        }

        var disposed = new ObjectDisposedException(nameof(SlurmWorkers), "the Slurm workers were disposed while the task ran");
        foreach (var e in open)
        {
            e.Done.TrySetException(disposed);
            Finish(e, keep: false);
        }

        while (_queue.Reader.TryRead(out var queued))
        {
            queued.Done.TrySetException(disposed);
        }

        foreach (var gathered in Volatile.Read(ref _gathering) ?? [])
        {
            gathered.Done.TrySetException(disposed); // read by the batcher, never submitted
        }

        CleanUpFinishedArrays();
        _stop.Dispose();
    }

    private sealed class Entry(RemoteTask task, byte[] bytes, int allowedSubmissions)
    {
        public RemoteTask Task { get; } = task;

        public byte[] Bytes { get; } = bytes;

        public int AllowedSubmissions { get; } = allowedSubmissions;

        public TaskCompletionSource<RemoteTaskReply> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public SlurmArray? Array { get; set; }

        public int Index { get; set; }

        public string? JobId { get; set; }

        public int Submissions { get; set; }

        public string? State { get; set; }

        public string? Node { get; set; }

        public long? EndedSince { get; set; }

        public bool Finished { get; set; }

        public bool Kept { get; set; }

        public string SlurmId => string.Create(CultureInfo.InvariantCulture, $"{JobId}_{Index}");
    }

    private sealed class SlurmArray(string directory, IReadOnlyList<Entry> entries)
    {
        public string Directory { get; } = directory;

        public IReadOnlyList<Entry> Entries { get; } = entries;
    }
}
