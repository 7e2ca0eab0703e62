namespace ChunkCompute.Storage;

/// <summary>Settings of a <see cref="ZarrStore"/> handle.</summary>
public sealed class ZarrStoreOptions
{
    /// <summary>Bytes of decoded chunks kept in the LRU chunk cache; 0 turns the cache off. Default 64 MiB.</summary>
    public long ChunkCacheBytes { get; init; } = 64L << 20;

    /// <summary>Chunks read or written at once. Default: the number of cores.</summary>
    public int MaxConcurrency { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Requests in flight at once when a region is read or written on a store that answers over a network
    /// (<see cref="Stores.StoreCapabilities.RemoteRequests"/>: S3, Azure Blob, HTTP), each holding one chunk's bytes.
    /// Default 64: latency, not cores, limits such stores. Local stores use <see cref="MaxConcurrency"/>.
    /// </summary>
    public int MaxRequestsInFlight { get; init; } = 64;

    /// <summary>Store chunks that hold only the fill value (default false: they are deleted, as zarr-python 3 does).</summary>
    public bool WriteEmptyChunks { get; init; }

    /// <summary>The format of new arrays and groups when not given. Default Zarr v3.</summary>
    public ZarrFormat DefaultFormat { get; init; } = ZarrFormat.V3;

    /// <summary>
    /// Whether a directory store, or an object store with conditional writes, keeps a transaction log (default true):
    /// snapshot reads, atomic commits, append and resize in transactions. When false (or the store is read-only) writes
    /// go straight to the files or objects.
    /// </summary>
    public bool Transactional { get; init; } = true;

    /// <summary>
    /// Whether commits flush data and directories to disk before they publish (default true): a commit survives power
    /// loss. False keeps commits atomic against killed processes (kill -9 at any instant still leaves the old or the
    /// new version) but a power loss may lose or tear the latest commits — the guarantee stores without a log give.
    /// </summary>
    public bool Durable { get; init; } = true;

    /// <summary>
    /// Whether a durable directory store writes staged values of 16 MiB and more with <c>O_DIRECT</c> on Linux (default
    /// true): they go to the device without the page cache, whose write-back a durable commit would otherwise wait for
    /// (several times slower on the machines measured). Such values are then read from the disk, not from the cache,
    /// the first time. Where the file system refuses direct I/O, values are written through the page cache as when
    /// this is false. No effect when <see cref="Durable"/> is false.
    /// </summary>
    public bool DirectWrites { get; init; } = true;

    /// <summary>How long a commit waits for another process's commit to finish. Default 60 s.</summary>
    public TimeSpan CommitLockTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Allows transactions on an object store that lacks conditional writes (s3rver, an S3-compatible service without
    /// <c>If-None-Match</c>/<c>If-Match</c>): their conditions are then checked by reading first, which is only correct
    /// while no other process writes the store. Default false: such a store refuses to begin a transaction, naming the
    /// capability it lacks.
    /// </summary>
    public bool SingleWriter { get; init; }

    /// <summary>The leases of an object store's transaction log (tests shorten them).</summary>
    internal Transactions.ObjectLogTimings? ObjectLogTimings { get; init; }

    /// <summary>The file operations of the commit protocol (tests inject faults here).</summary>
    internal Transactions.TransactionFiles? TransactionFiles { get; init; }
}
