using System.Diagnostics;
using System.Threading.Tasks.Dataflow;
using ChunkCompute.Graph;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Scheduler;

/// <summary>
/// Runs an <see cref="ExecutionPlan"/> on a TPL Dataflow <see cref="ActionBlock{TInput}"/> under a
/// <see cref="MemoryAccountant"/>.
/// </summary>
/// <remarks>
/// <para><b>Policy.</b> A dispatcher walks the plan's order and reserves each task's output and scratch bytes before
/// the task may start (producers cannot run ahead of their consumers by more than the budget holds: back-pressure).
/// A reserved task is posted to the block when its last input is done, so independent tasks run in parallel up to
/// <see cref="ComputeOptions.MaxDegreeOfParallelism"/>.
/// A window bounds how many tasks are issued ahead of completion; the earliest unfinished task always has its
/// inputs done (they come earlier in the order), so the window cannot stall.</para>
/// <para><b>State.</b> Per task: inputs not yet done (posted at zero), consumers not yet done (its buffer is freed at
/// zero). Results are handed to the caller as each output chunk finishes and then freed.</para>
/// <para><b>Failure.</b> The first failing task cancels the rest; its exception surfaces as
/// <see cref="ChunkTaskFailedException"/> with the chunk index. Cancellation surfaces as
/// <see cref="OperationCanceledException"/>. Either way every buffer is freed.</para>
/// </remarks>
internal sealed class ChunkExecutor
{
    private readonly ExecutionPlan _plan;
    private readonly ComputeOptions _options;
    private readonly Action<ChunkTask, ChunkBuffer> _onOutput;
    private readonly MemoryAccountant _accountant;
    private readonly ChunkBufferPool _pool;
    private readonly Dictionary<ChunkTask, int> _ids;
    private readonly int[] _pendingInputs;
    private readonly int[] _pendingConsumers;
    private readonly ChunkBuffer?[] _buffers;

    // Bytes reserved for a task and not yet owned by one of its buffers (a buffer releases its own bytes when freed).
    private readonly long[] _reservedBytes;
    private readonly bool[] _windowHeld;
    private readonly SemaphoreSlim _window;
    private readonly List<int>[] _dependents;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    // Requests made ahead for a task (slot 0: its node; slot k + 1: its k-th fused producer), and their limit in flight.
    private readonly IDisposable?[]?[] _fetched;
    private readonly bool[] _fetches;
    private readonly SemaphoreSlim _requests;
    private CancellationTokenSource? _cts;
    private long _done;
    private long _bytesRead;
    private long _bytesWritten;
    private long _lastReport;
    private long _bytesProduced;
    private Exception? _failure;

    // Set only when ComputeOptions.Observer is: the one thing a task checks for it (a null test).
    private readonly IComputeObserver? _observer;
    private readonly ComputeRun? _run;
    private readonly int[]? _operations;

    public ChunkExecutor(ExecutionPlan plan, ComputeOptions options, Action<ChunkTask, ChunkBuffer> onOutput, ComputeRun? run = null)
    {
        _plan = plan;
        _options = options;
        _onOutput = onOutput;
        if (run is not null && options.Observer is { } observer)
        {
            _observer = observer;
            _run = run;
            _operations = plan.Order.Select(t => run.OperationOf(t.Node)).ToArray();
            run.Attach(this);
        }
        // Under a shared budget the computation holds only its projected peak of it (Computation reserves that much):
        // issuing in plan order, whenever nothing runs the held bytes are the simulation's, so the peak always fits.
        _accountant = new MemoryAccountant(options.SharedMemory is null ? plan.BudgetBytes : Math.Max(1, plan.ProjectedPeakBytes));
        _pool = new ChunkBufferPool(_accountant);
        int n = plan.Order.Count;
        _ids = new Dictionary<ChunkTask, int>(n, ReferenceEqualityComparer.Instance);
        for (int i = 0; i < n; i++)
        {
            _ids[plan.Order[i]] = i;
        }

        _pendingInputs = new int[n];
        _pendingConsumers = new int[n];
        _buffers = new ChunkBuffer?[n];
        _reservedBytes = new long[n];
        _windowHeld = new bool[n];

        // Issue at most this many tasks ahead of the ones finished: enough to keep every core busy, few enough that
        // reservations track what the work needs now rather than filling the budget with future tasks. Tasks that wait
        // on a network (object stores) need many requests in flight, not cores.
        _fetched = new IDisposable?[]?[n];
        _fetches = new bool[n];
        bool remote = false;
        for (int i = 0; i < n; i++)
        {
            var t = plan.Order[i];
            remote |= t.Node.IsRemote;
            _fetches[i] = t.Node.FetchesAhead(t.ChunkIndex);
            foreach (var p in t.Streamed)
            {
                remote |= p.Node.IsRemote;
                _fetches[i] |= p.Node.FetchesAhead(p.ChunkIndex);
            }
        }

        int requests = Math.Max(1, options.MaxRequestsInFlight);
        _requests = new SemaphoreSlim(requests);
        int window = Math.Max(8, 4 * Math.Max(1, options.MaxDegreeOfParallelism));
        // Remote plans: room for the full request limit on top of the tasks that compute (combines, sinks), so the
        // requests in flight are not capped by tasks waiting on the CPU (measured: mean peaked at 49 of 64 before).
        _window = new SemaphoreSlim(remote ? window + requests : window);
        _dependents = new List<int>[n];
        for (int i = 0; i < n; i++)
        {
            var t = plan.Order[i];
            _pendingInputs[i] = t.Dependencies.Length + 1 + (_fetches[i] ? 1 : 0); // +1: the dispatcher's reservation; +1: the fetch
            _pendingConsumers[i] = t.ConsumerCount;
            _dependents[i] = [];
        }

        for (int i = 0; i < n; i++)
        {
            foreach (var d in plan.Order[i].Dependencies)
            {
                _dependents[_ids[d]].Add(i);
            }
        }
    }

    public long PeakBytes => _accountant.Peak;

    /// <summary>The most native memory the run's chunk pool had at once (chunk buffers and the storage layer's buffers, handed out and kept).</summary>
    internal long PeakResidentBytes => _pool.PeakResidentBytes;

    /// <summary>The most bytes of the storage layer's buffers its tasks had at once (all from the chunk pool).</summary>
    internal long PeakStorageBytes => _pool.PeakStorageBytes;

    public long InUseBytes => _accountant.InUse;

    public long Done => Interlocked.Read(ref _done);

    public long BytesRead => Interlocked.Read(ref _bytesRead);

    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    public long BytesProduced => Interlocked.Read(ref _bytesProduced);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _cts = cts;
        var token = cts.Token;
        int n = _plan.Order.Count;
        var allDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (n == 0)
        {
            return;
        }

        ActionBlock<int>? block = null;
        block = new ActionBlock<int>(
            i =>
            {
                if (token.IsCancellationRequested)
                {
                    Abandon(i);
                    Completed(i);
                    return;
                }

                // The task's computing runs here; a write it ends with may still be in flight when RunAsync returns:
                // the task completes when it lands, without holding this worker.
                var run = RunAsync(i, token);
                if (run.IsCompletedSuccessfully)
                {
                    Completed(i);
                }
                else
                {
                    _ = Finish(i, run, token);
                }
            },
            new ExecutionDataflowBlockOptions { MaxDegreeOfParallelism = Math.Max(1, _options.MaxDegreeOfParallelism), EnsureOrdered = false });

        void Completed(int i)
        {
            if (_windowHeld[i])
            {
                _window.Release();
            }

            if (Interlocked.Increment(ref _done) == n)
            {
                allDone.TrySetResult();
            }
        }

        async Task Finish(int i, ValueTask run, CancellationToken token)
        {
            try
            {
                await run.ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Fail(i, ex, token);
                Abandon(i);
            }

            Completed(i);
        }

        void Ready(int i)
        {
            if (Interlocked.Decrement(ref _pendingInputs[i]) == 0)
            {
                block!.Post(i);
            }
        }

        _ready = Ready;
        try
        {
            for (int i = 0; i < n; i++)
            {
                var t = _plan.Order[i];
                if (!token.IsCancellationRequested)
                {
                    try
                    {
                        await _window.WaitAsync(token).ConfigureAwait(false);
                        _windowHeld[i] = true;
                        await _accountant.ReserveAsync(t.OutputBytes + t.ScratchBytes, token).ConfigureAwait(false);
                        _reservedBytes[i] = t.OutputBytes + t.ScratchBytes;
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }

                if (_fetches[i])
                {
                    // Its memory is reserved: make its request now, with many others in flight; it is ready when done.
                    _ = FetchAhead(i, token);
                }

                Ready(i);
            }

            await allDone.Task.ConfigureAwait(false);
        }
        finally
        {
            block.Complete();
            await block.Completion.ConfigureAwait(false);
            foreach (var b in _buffers)
            {
                b?.Dispose();
            }

            _pool.Dispose();

            Report(force: true);
        }

        if (_failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(_failure).Throw();
        }

        cancellationToken.ThrowIfCancellationRequested();

        // Every reservation must have been released: a leak here is a scheduler bug, reported rather than hidden.
        long leaked = _accountant.InUse;
        if (leaked != 0)
        {
            throw new InvalidOperationException($"memory accounting error: {leaked} bytes still reserved after the run");
        }
    }

    private Action<int>? _ready;

    // A task's failure: the first one is kept (with its chunk) and cancels the rest.
    private void Fail(int i, Exception ex, CancellationToken token)
    {
        var t = _plan.Order[i];
        var wrapped = ex is OperationCanceledException && token.IsCancellationRequested
            ? ex
            : new ChunkTaskFailedException(t.Node.Label, t.ChunkIndex, ex);
        Interlocked.CompareExchange(ref _failure, wrapped, null);
        _cts!.Cancel();
    }

    // Makes the requests a task begins with (a remote chunk read), at most MaxRequestsInFlight at once, then marks the
    // task's fetch input done. A failure fails the computation; the task is then abandoned like every other.
    private async Task FetchAhead(int i, CancellationToken token)
    {
        var t = _plan.Order[i];
        var slots = new IDisposable?[t.Streamed.Count + 1];
        _fetched[i] = slots;
        try
        {
            for (int k = 0; k < slots.Length && !token.IsCancellationRequested; k++)
            {
                var (node, index) = k == 0 ? (t.Node, t.ChunkIndex) : (t.Streamed[k - 1].Node, t.Streamed[k - 1].ChunkIndex);
                if (!node.FetchesAhead(index))
                {
                    continue;
                }

                await _requests.WaitAsync(token).ConfigureAwait(false);
                try
                {
                    slots[k] = await node.FetchAsync(index, token).ConfigureAwait(false);
                }
                finally
                {
                    _requests.Release();
                }
            }
        }
        catch (Exception ex)
        {
            Fail(i, ex, token);
        }

        _ready!(i);
    }

    private void DisposeFetched(int i)
    {
        if (Interlocked.Exchange(ref _fetched[i], null) is { } slots)
        {
            foreach (var f in slots)
            {
                f?.Dispose();
            }
        }
    }

    private async ValueTask RunAsync(int i, CancellationToken token)
    {
        var t = _plan.Order[i];

        // The storage layer's large buffers (reads, decoding, encoding) come from the chunk pool: counted in the
        // task's held bytes, reused within the budget, and returned to the system when the pool does not keep them.
        using var storageBuffers = StorageBufferScope.Use(_pool);
        long started = _observer is null ? 0 : Stopwatch.GetTimestamp();
        int thread = _observer is null ? 0 : Environment.CurrentManagedThreadId;
        var inputs = new ChunkBuffer[t.Dependencies.Length];
        for (int k = 0; k < inputs.Length; k++)
        {
            inputs[k] = _buffers[_ids[t.Dependencies[k]]] ?? throw new InvalidOperationException($"input {t.Dependencies[k]} of {t} is missing");
        }

        var borrowed = t.Node.BorrowOutput(t.ChunkIndex);
        var output = borrowed ?? new ChunkBuffer(t.OutputBytes, t.Node.Grid.ChunkShape(t.ChunkIndex), _pool, _accountant.Release);
        if (borrowed is not null)
        {
            // Lent memory: nothing to compute, so whatever was reserved for the task goes back now.
            long reserved = Interlocked.Exchange(ref _reservedBytes[i], 0);
            if (reserved > 0)
            {
                _accountant.Release(reserved);
            }

            FinishTask(i, t, output, started, thread);
            return;
        }

        _reservedBytes[i] -= t.OutputBytes;
        ChunkBuffer? scratch = null;
        var streamMemory = new ChunkBuffer[t.Streamed.Count];
        ChunkStream? stream = null;
        try
        {
            long ownScratch = t.ScratchBytes - t.HeldBytes;
            for (int k = t.Streamed.Count - 1; k >= 0; k--)
            {
                // The fused producers' streams, source first, each in its own accounted memory.
                var p = t.Streamed[k];
                long bytes = p.Node.StreamBytes(p.ChunkIndex);
                ownScratch -= bytes;
                streamMemory[k] = new ChunkBuffer(bytes, [(int)Math.Min(int.MaxValue, bytes)], _pool, _accountant.Release);
                _reservedBytes[i] -= bytes;
                stream = p.Node.OpenStream(new ChunkStreamContext(p.ChunkIndex, streamMemory[k], stream, token) { Fetched = _fetched[i]?[k + 1] });
            }

            if (ownScratch > 0)
            {
                scratch = new ChunkBuffer(ownScratch, [(int)ownScratch], _pool, _accountant.Release);
                _reservedBytes[i] -= ownScratch;
            }

            var fetched = _fetched[i]?[0];
            var context = stream is null
                ? new ChunkKernelContext(t.ChunkIndex, t.DependencyRefs, inputs, output, scratch, token) { Fetched = fetched }
                : new ChunkKernelContext(t.ChunkIndex, t.DependencyRefs, stream, output, scratch, token) { Fetched = fetched };
            await t.Node.ExecuteAsync(context).ConfigureAwait(false);
        }
        catch
        {
            output.Dispose();
            throw;
        }
        finally
        {
            stream?.Dispose();
            DisposeFetched(i);
            foreach (var m in streamMemory)
            {
                m?.Dispose();
            }

            scratch?.Dispose();

            // The kernels have given back the memory they held themselves (the streams' readers included).
            long held = t.HeldBytes;
            if (held > 0)
            {
                Interlocked.Add(ref _reservedBytes[i], -held);
                _accountant.Release(held);
            }
        }

        var source = t.Streamed.Count > 0 ? t.Streamed[^1] : t;
        if (source.Dependencies.Length == 0 && source.Node is ZarrSourceNode)
        {
            Interlocked.Add(ref _bytesRead, source.OutputBytes);
        }

        FinishTask(i, t, output, started, thread);
    }

    // Hands a finished task's output to the caller and/or its consumers, frees inputs, and wakes dependents.
    private void FinishTask(int i, ChunkTask t, ChunkBuffer output, long started, int thread)
    {
        if (t.IsOutput)
        {
            if (t.Node.IsSink)
            {
                Interlocked.Add(ref _bytesWritten, t.Dependencies.Sum(d => d.OutputBytes));
            }

            _onOutput(t, output);
        }

        if (t.ConsumerCount == 0)
        {
            output.Dispose();
        }
        else
        {
            _buffers[i] = output;
        }

        ReleaseInputs(t);
        foreach (int d in _dependents[i])
        {
            _ready!(d);
        }

        if (_observer is not null)
        {
            Observe(i, t, started, thread);
        }

        Report(force: false);
    }

    private void Observe(int i, ChunkTask t, long started, int thread)
    {
        Interlocked.Add(ref _bytesProduced, t.OutputBytes);
        var start = Stopwatch.GetElapsedTime(_run!.StartTimestamp, started);
        var record = new ComputeTaskRecord(_operations![i], t.ChunkIndex, thread, start, Stopwatch.GetElapsedTime(started), t.OutputBytes);
        _observer!.TaskFinished(_run!, in record);
    }

    // A task that will not run (after a failure or cancellation) still releases what it reserved and its inputs.
    private void Abandon(int i)
    {
        var t = _plan.Order[i];
        DisposeFetched(i);
        long reserved = Interlocked.Exchange(ref _reservedBytes[i], 0);
        if (reserved > 0)
        {
            _accountant.Release(reserved);
        }

        ReleaseInputs(t);
        foreach (int d in _dependents[i])
        {
            _ready!(d);
        }
    }

    private void ReleaseInputs(ChunkTask t)
    {
        foreach (var d in t.Dependencies)
        {
            int id = _ids[d];
            if (Interlocked.Decrement(ref _pendingConsumers[id]) == 0)
            {
                Interlocked.Exchange(ref _buffers[id], null)?.Dispose();
            }
        }
    }

    private void Report(bool force)
    {
        if (_options.Progress is null)
        {
            return;
        }

        long now = _clock.ElapsedMilliseconds;
        long last = Interlocked.Read(ref _lastReport);
        if (!force && now - last < 100)
        {
            return;
        }

        if (force || Interlocked.CompareExchange(ref _lastReport, now, last) == last)
        {
            _options.Progress.Report(new ComputeProgress(Interlocked.Read(ref _done), _plan.Order.Count, Interlocked.Read(ref _bytesRead), Interlocked.Read(ref _bytesWritten), _clock.Elapsed));
        }
    }
}
