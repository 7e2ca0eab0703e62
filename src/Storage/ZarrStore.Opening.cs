using ChunkCompute.Storage.Stores;
using ChunkCompute.Storage.Transactions;

namespace ChunkCompute.Storage;

/// <content>Opening a store: a directory, a URL or a key/value store, with its transaction log when it has one.</content>
public sealed partial class ZarrStore
{
    private static ZarrStore OpenDirectory(string directory, bool create, ZarrStoreOptions? options)
    {
        options ??= new ZarrStoreOptions();
        var live = new DirectoryStore(directory, createIfMissing: create);
        if (!options.Transactional)
        {
            return new ZarrStore(live, options);
        }

        // An existing log is opened; a missing one is created by the first write, not here: opening a store that
        // another tool wrote and only reading it leaves it exactly as it was.
        return WithLog(live, options, c => VersionedDirectory.TryOpen(live, c, LogFiles(options), options.CommitLockTimeout));
    }

    private static ZarrStore WithLog(IStore live, ZarrStoreOptions options, Func<bool, IVersionLog?> opener) =>
        opener(false) is { } versions ? new ZarrStore(live, versions, options) : new ZarrStore(live, options) { _logOpener = opener };

    /// <summary>
    /// Opens a key/value store as a Zarr hierarchy, transactional when it can be: a store with conditional writes
    /// (<see cref="StoreCapabilities.ConditionalCreate"/>, <see cref="StoreCapabilities.ConditionalUpdate"/> and
    /// <see cref="StoreCapabilities.ConditionalDelete"/>: S3 with conditional requests, Azure Blob, <see cref="MemoryStore"/>)
    /// gets the same commits, snapshots, append and resize as a directory, through a log under <c>.chunkcompute/</c>;
    /// one without them gets them only with <see cref="ZarrStoreOptions.SingleWriter"/>, and otherwise is written in
    /// place (each write one whole object, metadata last) and refuses to begin a transaction, naming what it lacks.
    /// Nothing is created: the log is created by the first write.
    /// </summary>
    public static ZarrStore Open(IStore store, ZarrStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        options ??= new ZarrStoreOptions();
        var caps = store.Capabilities;
        if (!options.Transactional || !caps.HasFlag(StoreCapabilities.Writable | StoreCapabilities.Listable))
        {
            return new ZarrStore(store, options);
        }

        var missing = ObjectVersionLog.Needed & ~caps;
        IStore logStore = store;
        if (missing != StoreCapabilities.None)
        {
            if (!options.SingleWriter)
            {
                return new ZarrStore(store, options)
                {
                    _transactionsRefused = $"store '{store.Name}' is not transactional: concurrent transactions on it need conditional writes, and it lacks StoreCapabilities.{missing.ToString().Replace(", ", " and StoreCapabilities.", StringComparison.Ordinal)}; open it with ZarrStoreOptions.SingleWriter when no other process writes it",
                };
            }

            logStore = new SingleWriterStore(store);
        }

        var timings = options.ObjectLogTimings;
        int parallelism = caps.HasFlag(StoreCapabilities.RemoteRequests) ? options.MaxRequestsInFlight : options.MaxConcurrency;
        return WithLog(store, options, c => ObjectVersionLog.TryOpen(logStore, c, timings, options.CommitLockTimeout, parallelism));
    }

    private static TransactionFiles LogFiles(ZarrStoreOptions options) =>
        options.TransactionFiles ?? (!options.Durable ? TransactionFiles.WithoutFlush : options.DirectWrites ? TransactionFiles.Real : TransactionFiles.Buffered);

    /// <summary>
    /// Opens a store in a local directory, creating the directory and a root group (in
    /// <see cref="ZarrStoreOptions.DefaultFormat"/>) when it does not exist; a URL (<c>https://…</c>, or a
    /// registered scheme such as <c>s3://…</c>: <see cref="StoreLocations"/>) opens that store instead, creating nothing.
    /// </summary>
    public static ZarrStore Open(string directory, ZarrStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (StoreLocations.IsUrl(directory))
        {
            return Open(StoreLocations.Open(directory), options);
        }

        bool existed = Directory.Exists(directory);
        var store = OpenDirectory(directory, create: true, options);
        if (!existed)
        {
            store.CreateGroup(string.Empty);
        }

        return store;
    }

    /// <summary>
    /// Opens an existing local directory store without creating anything; a URL opens that store
    /// (<see cref="StoreLocations"/>).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    public static ZarrStore OpenExisting(string directory, ZarrStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        return StoreLocations.IsUrl(directory) ? Open(StoreLocations.Open(directory), options) : OpenDirectory(directory, create: false, options);
    }

    /// <summary>A new store in memory with an empty root group.</summary>
    public static ZarrStore InMemory(ZarrStoreOptions? options = null)
    {
        var store = new ZarrStore(new MemoryStore(), options);
        store.CreateGroup(string.Empty);
        return store;
    }
}
