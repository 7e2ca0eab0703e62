namespace ChunkCompute.Scheduler;

/// <summary>
/// Workers in this process, each with its own budget: the cluster path (job rebuilt by name, tasks cut and named,
/// replies, staging in the write's transaction, retries) without a network, to check a job before it goes to a real
/// cluster, and the reference the other transports are tested against.
/// </summary>
public sealed class LocalWorkers : IChunkWorkers, IDisposable
{
    private readonly ChunkWorker[] _workers;
    private readonly int[] _running;
    private readonly HashSet<string> _lost = new(StringComparer.Ordinal);
    private int _next;

    /// <summary>Creates <paramref name="count"/> workers of <paramref name="memoryBudget"/> bytes each.</summary>
    public LocalWorkers(int count, long memoryBudget, int tasksPerWorker = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(memoryBudget);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tasksPerWorker);
        _workers = Enumerable.Range(0, count).Select(i => new ChunkWorker($"local-{i}", memoryBudget, tasksPerWorker)).ToArray();
        _running = new int[count];
        WorkerMemoryBudget = memoryBudget;
        MaxTasksInFlight = count * tasksPerWorker * 2;
    }

    /// <inheritdoc/>
    public string Name => $"{_workers.Length} local workers";

    /// <inheritdoc/>
    public long WorkerMemoryBudget { get; }

    /// <inheritdoc/>
    public int MaxTasksInFlight { get; }

    /// <summary>The workers.</summary>
    public IReadOnlyList<ChunkWorker> Workers => _workers;

    /// <summary>Test hook: called before a worker runs a task; an exception thrown here is that worker being lost.</summary>
    internal Action<RemoteTask, string>? BeforeTask { get; set; }

    /// <summary>Takes a worker out, as if its process died: its tasks are lost and it gets no more.</summary>
    internal void Lose(string worker)
    {
        lock (_lost)
        {
            _lost.Add(worker);
        }
    }

    /// <inheritdoc/>
    public async Task<RemoteTaskReply> RunAsync(RemoteTask task, IReadOnlySet<string> avoid, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(avoid);
        int chosen = Choose(avoid);
        var worker = _workers[chosen];
        try
        {
            BeforeTask?.Invoke(task, worker.Name);
            var reply = await worker.RunAsync(RemoteTask.FromBytes(task.ToBytes()), cancellationToken).ConfigureAwait(false);
            if (IsLost(worker.Name))
            {
                throw new WorkerLostException(worker.Name, "the worker was lost while running the task");
            }

            return RemoteTaskReply.FromBytes(reply.ToBytes());
        }
        catch (Exception ex) when (ex is not (WorkerLostException or OperationCanceledException))
        {
            throw new WorkerLostException(worker.Name, ex.Message, ex);
        }
        finally
        {
            Interlocked.Decrement(ref _running[chosen]);
        }
    }

    // The least busy worker not lost and not avoided (an avoided one when no other is left), ties in turn.
    private int Choose(IReadOnlySet<string> avoid)
    {
        lock (_lost)
        {
            int best = -1;
            int start = _next++ % _workers.Length; // ties go round the workers
            for (int pass = 0; pass < 2 && best < 0; pass++)
            {
                for (int k = 0; k < _workers.Length; k++)
                {
                    int i = (start + k) % _workers.Length;
                    if (_lost.Contains(_workers[i].Name) || (pass == 0 && avoid.Contains(_workers[i].Name)))
                    {
                        continue;
                    }

                    if (best < 0 || Volatile.Read(ref _running[i]) < Volatile.Read(ref _running[best]))
                    {
                        best = i;
                    }
                }
            }

            if (best < 0)
            {
                throw new WorkerLostException(Name, "every worker is lost");
            }

            Interlocked.Increment(ref _running[best]);
            return best;
        }
    }

    private bool IsLost(string worker)
    {
        lock (_lost)
        {
            return _lost.Contains(worker);
        }
    }

    /// <summary>Closes the workers.</summary>
    public void Dispose()
    {
        foreach (var w in _workers)
        {
            w.Dispose();
        }
    }
}
