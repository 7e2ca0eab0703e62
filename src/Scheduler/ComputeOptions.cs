namespace ChunkCompute.Scheduler;

/// <summary>How a computation runs.</summary>
public sealed class ComputeOptions
{
    /// <summary>Default budget: 1 GiB.</summary>
    public const long DefaultMemoryBudget = 1L << 30;

    /// <summary>
    /// The hard limit, in bytes, on all chunk buffers at once (decoded inputs, intermediates, outputs awaiting write).
    /// The in-memory result you ask for is not counted. Default 1 GiB. It is the only budget: rechunks choose their
    /// route (in memory, in stages, or through a temporary on-disk array) when the computation is planned, within it.
    /// </summary>
    public long MemoryBudget { get; init; } = DefaultMemoryBudget;

    /// <summary>
    /// An accountant shared with other computations and ML batch streams (<c>BatchOptions.SharedMemory</c>) so that
    /// together they hold at most its <see cref="MemoryAccountant.Budget"/>. The computation is planned within the
    /// smaller of that and <see cref="MemoryBudget"/>, reserves its projected peak from the accountant before the first
    /// task (waiting while the others hold too much; refused at once when batch streams' leases leave too little) and
    /// returns it when it ends. Null (the default): the computation has <see cref="MemoryBudget"/> to itself.
    /// </summary>
    public MemoryAccountant? SharedMemory { get; init; }

    /// <summary>The budget the computation is planned within: <see cref="MemoryBudget"/>, capped by the shared accountant's.</summary>
    internal long EffectiveBudget => SharedMemory is null ? MemoryBudget : Math.Min(MemoryBudget, SharedMemory.Budget);

    /// <summary>Where rechunks that go through disk put their temporary Zarr arrays; null (the default) for the system temp directory.</summary>
    public string? TemporaryDirectory { get; init; }

    /// <summary>Tasks run at once. Default: the number of cores.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Requests to stores that answer over a network (S3, Azure Blob, HTTP) in flight at once: chunk reads made ahead
    /// of decoding and chunk writes awaited without a thread. Default 64: such stores are limited by latency, not cores,
    /// and every byte in flight is still reserved from <see cref="MemoryBudget"/> first. Local stores are unaffected.
    /// </summary>
    public int MaxRequestsInFlight { get; init; } = 64;

    /// <summary>Receives progress now and then (at most every 100 ms) and once at the end.</summary>
    public IProgress<ComputeProgress>? Progress { get; init; }

    /// <summary>
    /// Watches the computation task by task (and the passes it plans for itself): the live dashboard and the
    /// performance report of <c>ChunkCompute.Dashboard</c> (<c>ComputeDashboard</c>, <c>ComputeRecorder</c>) are
    /// observers. Null (the default): nothing is recorded, and the engine pays one null check per task.
    /// </summary>
    public IComputeObserver? Observer { get; init; }

    /// <summary>
    /// Runs the tasks on a cluster's workers instead of in this process (null, the default: in this process). The plan
    /// is the same: workers compute the chunks below a reduction's merge steps (or the outputs, or the data a write
    /// stores), each task planned within the worker's budget (refused before anything runs when one cannot fit it);
    /// small results come back in replies, writes are staged by the workers in this computation's transaction and
    /// published by it in one commit. <see cref="MemoryBudget"/> is the coordinator's own budget.
    /// </summary>
    public ClusterOptions? Cluster { get; init; }
}

/// <summary>A progress report.</summary>
/// <param name="TasksDone">Tasks finished.</param>
/// <param name="TasksTotal">Tasks in the plan.</param>
/// <param name="BytesRead">Decoded bytes produced by store reads.</param>
/// <param name="BytesWritten">Bytes handed to store writes.</param>
/// <param name="Elapsed">Time since the computation started.</param>
public sealed record ComputeProgress(long TasksDone, long TasksTotal, long BytesRead, long BytesWritten, TimeSpan Elapsed);

/// <summary>What a finished computation reports.</summary>
/// <param name="Tasks">Tasks run.</param>
/// <param name="PeakMemoryBytes">The accountant's peak of reserved and held chunk bytes.</param>
/// <param name="ProjectedPeakBytes">The plan's projection.</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record ComputeStatistics(long Tasks, long PeakMemoryBytes, long ProjectedPeakBytes, TimeSpan Elapsed)
{
    /// <summary>For a computation on a cluster (<see cref="ComputeOptions.Cluster"/>): where its tasks ran; otherwise empty.</summary>
    public IReadOnlyList<WorkerStatistics> Workers { get; init; } = [];
}
