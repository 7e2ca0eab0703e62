using ChunkCompute.Storage;

namespace ChunkCompute.Scheduler;

/// <summary>
/// Where a computation's chunk tasks run when not in this process: the executor seam of
/// <see cref="ComputeOptions.Cluster"/>. Implementations: <see cref="LocalWorkers"/> (workers in this process),
/// <c>OrleansWorkers</c> (silos of an Orleans cluster), <c>SlurmWorkers</c> (job arrays on a Slurm cluster).
/// </summary>
public interface IChunkWorkers
{
    /// <summary>A description for messages and reports (e.g. the cluster's addresses).</summary>
    string Name { get; }

    /// <summary>The memory budget of one worker, in bytes: every remote task's plan must fit it.</summary>
    long WorkerMemoryBudget { get; }

    /// <summary>How many tasks the coordinator keeps in flight at once.</summary>
    int MaxTasksInFlight { get; }

    /// <summary>
    /// Runs <paramref name="task"/> on one worker — one not named in <paramref name="avoid"/> (workers it already
    /// failed on) while another is available — and returns the worker's reply, which may carry the task's own error.
    /// </summary>
    /// <exception cref="WorkerLostException">The worker could not be reached, failed or disappeared while running the
    /// task (the coordinator retries it on another worker).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the remote task is
    /// cancelled too where the transport can).</exception>
    Task<RemoteTaskReply> RunAsync(RemoteTask task, IReadOnlySet<string> avoid, CancellationToken cancellationToken);
}

/// <summary>Runs a computation's tasks on a cluster (see <see cref="ComputeOptions.Cluster"/>).</summary>
public sealed class ClusterOptions
{
    /// <summary>Creates the options for running <paramref name="job"/> on <paramref name="workers"/>.</summary>
    public ClusterOptions(IChunkWorkers workers, ClusterJob job)
    {
        Workers = workers ?? throw new ArgumentNullException(nameof(workers));
        Job = job ?? throw new ArgumentNullException(nameof(job));
    }

    /// <summary>Where the tasks run.</summary>
    public IChunkWorkers Workers { get; }

    /// <summary>
    /// The job the computed arrays were built by (<see cref="ClusterJobs.Build"/>): workers rebuild it to find the
    /// nodes they compute. The computation's outputs must be the job's outputs, in order (or writes of them).
    /// </summary>
    public ClusterJob Job { get; }

    /// <summary>Attempts per task before the computation fails (a lost worker's task is retried on another). Default 3.</summary>
    public int MaxAttempts { get; init; } = 3;
}

/// <summary>A worker could not run a task: unreachable, crashed, or gone from the cluster. The task may be retried elsewhere.</summary>
public sealed class WorkerLostException : ChunkComputeException
{
    /// <summary>Creates the exception for <paramref name="worker"/>.</summary>
    public WorkerLostException(string worker, string message, Exception? innerException = null)
        : base($"worker {worker}: {message}", innerException)
    {
        Worker = worker;
    }

    /// <summary>The worker.</summary>
    public string Worker { get; }
}

/// <summary>A task failed on a worker (after its retries, if it was retried): names the worker, the operation and the chunk.</summary>
public sealed class RemoteTaskFailedException : ChunkComputeException
{
    /// <summary>Creates the exception.</summary>
    public RemoteTaskFailedException(string worker, string operation, IReadOnlyList<long> chunkIndex, string errorType, string error, int attempts)
        : base($"task '{operation}' failed on chunk [{string.Join(", ", chunkIndex)}] on worker {worker}{(attempts > 1 ? $" (attempt {attempts})" : string.Empty)}: {error} ({errorType})")
    {
        Worker = worker;
        Operation = operation;
        ChunkIndex = chunkIndex;
        ErrorType = errorType;
        Attempts = attempts;
    }

    /// <summary>The worker the last attempt ran on.</summary>
    public string Worker { get; }

    /// <summary>The operation's label.</summary>
    public string Operation { get; }

    /// <summary>The chunk.</summary>
    public IReadOnlyList<long> ChunkIndex { get; }

    /// <summary>The worker's exception type.</summary>
    public string ErrorType { get; }

    /// <summary>Attempts made.</summary>
    public int Attempts { get; }
}

/// <summary>Where a cluster computation's tasks ran.</summary>
/// <param name="Address">The worker.</param>
/// <param name="Tasks">Tasks it completed.</param>
/// <param name="Retried">Tasks that failed or were lost on it and were retried on another worker.</param>
public sealed record WorkerStatistics(string Address, int Tasks, int Retried);
