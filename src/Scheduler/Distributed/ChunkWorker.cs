using System.Collections.Concurrent;
using System.Diagnostics;
using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Scheduler;

/// <summary>
/// Runs remote tasks in a worker process, whatever the transport (an Orleans grain, a Slurm array task, or
/// <see cref="LocalWorkers"/>): rebuilds the task's job once per computation, computes the one chunk asked for with the
/// in-process engine, and returns it or stages it in the coordinator's transaction. All tasks running at once share the
/// worker's memory budget.
/// </summary>
public sealed class ChunkWorker : IDisposable
{
    private const int JobsKept = 16;
    private readonly ConcurrentDictionary<string, BuiltJob> _jobs = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _slots;
    private readonly MemoryAccountant _memory;
    private readonly object _gate = new();
    private long _completed;
    private long _failed;
    private bool _disposed;

    /// <summary>Creates a worker named <paramref name="name"/> with <paramref name="memoryBudget"/> bytes for all its tasks together.</summary>
    /// <param name="name">The worker's address or name (in replies and errors).</param>
    /// <param name="memoryBudget">The hard limit on the chunk buffers of all its tasks at once.</param>
    /// <param name="maxConcurrentTasks">Tasks run at once (default: the number of cores).</param>
    /// <param name="temporaryDirectory">Where tasks put temporary arrays; null for the system temp directory.</param>
    public ChunkWorker(string name, long memoryBudget, int maxConcurrentTasks = 0, string? temporaryDirectory = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(memoryBudget);
        Name = name;
        MemoryBudget = memoryBudget;
        MaxConcurrentTasks = maxConcurrentTasks > 0 ? maxConcurrentTasks : Environment.ProcessorCount;
        TemporaryDirectory = temporaryDirectory;
        _slots = new SemaphoreSlim(MaxConcurrentTasks);
        _memory = new MemoryAccountant(memoryBudget);
    }

    /// <summary>The worker's name.</summary>
    public string Name { get; }

    /// <summary>The worker's memory budget, shared by its tasks.</summary>
    public long MemoryBudget { get; }

    /// <summary>Tasks run at once.</summary>
    public int MaxConcurrentTasks { get; }

    /// <summary>Where tasks put temporary arrays (null: the system temp directory).</summary>
    public string? TemporaryDirectory { get; }

    /// <summary>Tasks completed successfully.</summary>
    public long TasksCompleted => Interlocked.Read(ref _completed);

    /// <summary>Tasks that failed (their replies carry the error).</summary>
    public long TasksFailed => Interlocked.Read(ref _failed);

    /// <summary>The peak of the worker's accounted chunk bytes.</summary>
    public long PeakMemoryBytes => _memory.Peak;

    /// <summary>Runs a serialized task and returns the serialized reply (for transports that carry bytes).</summary>
    /// <exception cref="ChunkComputeException">The bytes are not a task.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public async Task<byte[]> RunAsync(byte[] task, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        var reply = await RunAsync(RemoteTask.FromBytes(task), cancellationToken).ConfigureAwait(false);
        return reply.ToBytes();
    }

    /// <summary>
    /// Runs one task. A failing task is a reply carrying its error (<see cref="RemoteTaskReply.Succeeded"/> false), never
    /// an exception; only cancellation throws.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<RemoteTaskReply> RunAsync(RemoteTask task, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var clock = Stopwatch.StartNew();
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        BuiltJob? job = null;
        try
        {
            job = Acquire(task);
            var node = job.Find(task);
            RemoteTaskReply reply;
            if (task.Kind == RemoteTaskKind.Return)
            {
                var sink = new CaptureChunkSink(node, task.ChunkIndex);
                await RunLocallyAsync(sink, task, cancellationToken).ConfigureAwait(false);
                reply = new RemoteTaskReply(Name, sink.Data, [], clock.Elapsed);
            }
            else
            {
                reply = await StageAsync(job, node, task, clock, cancellationToken).ConfigureAwait(false);
            }

            Interlocked.Increment(ref _completed);
            return reply;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _failed);
            // The exception itself, not a wrapper: its type decides whether the coordinator retries (the coordinator
            // names the operation and the chunk).
            return RemoteTaskReply.Failed(Name, ex, clock.Elapsed);
        }
        finally
        {
            job?.Release();
            _slots.Release();
        }
    }

    private async Task<RemoteTaskReply> StageAsync(BuiltJob job, ArrayNode node, RemoteTask task, Stopwatch clock, CancellationToken cancellationToken)
    {
        if (task.StoreLocation is null || task.TransactionId is null || task.ArrayPath is null)
        {
            throw new ChunkComputeException($"{task}: a staging task needs the store, the transaction and the array");
        }

        var store = job.Context.OpenStore(task.StoreLocation, writeEmptyChunks: true);
        using var writer = store.JoinTransaction(task.TransactionId);
        var target = writer.Store.OpenArray(task.ArrayPath);
        if (target.DataType != node.DataType || !target.Shape.SequenceEqual(node.Grid.Shape))
        {
            throw new ChunkComputeException($"{task}: the staged array '{task.ArrayPath}' is {target.DataType.Name} [{string.Join(", ", target.Shape)}] but the data is {node.DataType.Name} [{string.Join(", ", node.Grid.Shape)}]");
        }

        await RunLocallyAsync(new StageChunkSink(node, task.ChunkIndex, target), task, cancellationToken).ConfigureAwait(false);
        return new RemoteTaskReply(Name, [], writer.WrittenKeys.ToArray(), clock.Elapsed);
    }

    private Task RunLocallyAsync(ArrayNode sink, RemoteTask task, CancellationToken cancellationToken)
    {
        var options = new ComputeOptions
        {
            MemoryBudget = Math.Min(task.MemoryBudget, MemoryBudget),
            SharedMemory = _memory,
            TemporaryDirectory = TemporaryDirectory,
            MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount / MaxConcurrentTasks),
        };
        return Computation.RunAsync([new Computation.DiscardingSink(sink)], options, cancellationToken);
    }

    // The task's job, built once per computation (by job id) and kept while tasks use it; older idle jobs are closed.
    private BuiltJob Acquire(RemoteTask task)
    {
        BuiltJob job;
        lock (_gate)
        {
            job = _jobs.GetOrAdd(task.JobId, _ => new BuiltJob(task.Job));
            if (job.Job.Name != task.Job.Name || !job.Job.Arguments.SequenceEqual(task.Job.Arguments))
            {
                throw new ChunkComputeException($"{task}: job {task.JobId} was '{job.Job}' on this worker, not '{task.Job}'");
            }

            job.AddUser();
            job.LastUsed = Stopwatch.GetTimestamp();
            if (_jobs.Count > JobsKept)
            {
                foreach (var (id, old) in _jobs.Where(j => j.Value.Users == 0).OrderBy(j => j.Value.LastUsed).Take(_jobs.Count - JobsKept).ToList())
                {
                    _jobs.TryRemove(id, out _);
                    old.Dispose();
                }
            }
        }

        job.EnsureBuilt();
        return job;
    }

    /// <summary>Closes the jobs' stores.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var job in _jobs.Values)
            {
                job.Dispose();
            }

            _jobs.Clear();
        }
    }

    private sealed class BuiltJob(ClusterJob job) : IDisposable
    {
        private readonly ClusterJobContext _context = ClusterJobs.CreateContext(job);
        private Lazy<List<ArrayNode>[]>? _walks;

        public ClusterJob Job => job;

        public ClusterJobContext Context => _context;

        private int _users;

        public int Users => Volatile.Read(ref _users);

        public void AddUser() => Interlocked.Increment(ref _users);

        public long LastUsed { get; set; }

        public void EnsureBuilt() => _ = Walks;

        private List<ArrayNode>[] Walks => LazyInitializer.EnsureInitialized(ref _walks, () => new Lazy<List<ArrayNode>[]>(Build, LazyThreadSafetyMode.PublicationOnly)).Value;

        public void Release() => Interlocked.Decrement(ref _users);

        public ArrayNode Find(RemoteTask task)
        {
            var walks = Walks;
            if (task.Output >= walks.Length)
            {
                throw new ChunkComputeException($"{task}: job '{job}' has {walks.Length} outputs, not {task.Output + 1}");
            }

            var walk = walks[task.Output];
            if (task.Node >= walk.Count)
            {
                throw new ChunkComputeException($"{task}: output {task.Output} of job '{job}' has {walk.Count} nodes here, not {task.Node + 1}: the worker built a different graph (different code or data)");
            }

            var node = walk[task.Node];
            string signature = JobGraph.Signature(node);
            if (signature != task.Signature)
            {
                throw new ChunkComputeException($"{task}: node {task.Node} of job '{job}' is {signature} on this worker, {task.Signature} on the coordinator: the worker built a different graph (different code or data)");
            }

            return node;
        }

        public void Dispose() => _context.Dispose();

        private List<ArrayNode>[] Build() => ClusterJobs.Build(job, _context).Select(JobGraph.Walk).ToArray();
    }
}
