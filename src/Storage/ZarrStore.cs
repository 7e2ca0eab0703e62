using System.Collections.Concurrent;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChunkCompute.Storage.Caching;
using ChunkCompute.Storage.Stores;
using ChunkCompute.Storage.Transactions;

namespace ChunkCompute.Storage;

/// <summary>
/// A Zarr hierarchy over a key/value store: create, open, list and delete arrays and groups of Zarr v2 or v3.
/// Opening a directory that does not exist creates it with an empty root group.
/// </summary>
/// <remarks>
/// A directory store opened with <see cref="Open(string, ZarrStoreOptions?)"/> or <see cref="OpenExisting"/> is transactional: the handle reads
/// one committed version (a snapshot; arrays opened from it keep reading the version they were opened at, even while
/// other processes commit) until <see cref="Refresh"/>; every write method publishes atomically as its own commit;
/// <see cref="BeginTransaction"/> groups any number of changes into one commit. The bookkeeping lives in the hidden
/// <c>.chunkcompute/</c> folder, which zarr-python ignores. Stores wrapped with the public constructor (memory, custom)
/// are written in place, without transactions.
/// </remarks>
/// <example>
/// <code>
/// using var store = ZarrStore.Open("data.zarr");
/// var x = store.CreateArray&lt;float&gt;("x", shape: [1000, 512], chunks: [256, 512]);
/// x.Write(values);
/// float[] back = store.OpenArray&lt;float&gt;("x").Read();
/// </code>
/// </example>
public sealed partial class ZarrStore : IDisposable
{
    private static readonly JsonSerializerOptions V3Json = new() { WriteIndented = true, IndentSize = 2, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions V2Json = new() { WriteIndented = true, IndentSize = 4, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly ConcurrentDictionary<string, Lock[]> _chunkLocks = new(StringComparer.Ordinal);

    private readonly Lock _logGate = new();
    private IVersionLog? _versions;

    // A store whose transaction log does not exist yet: read as it is (reading never writes); the log is opened with
    // create: true by the first write, with create: false by Refresh.
    private Func<bool, IVersionLog?>? _logOpener;

    // Why this handle cannot begin transactions, when its store could have them but lacks a capability they need.
    private string? _transactionsRefused;
    private readonly IStore _underlying;
    private IStore _view;

    /// <summary>Wraps a key/value store; writes go straight to it (no transactions).</summary>
    public ZarrStore(IStore store, ZarrStoreOptions? options = null)
    {
        _underlying = _view = store ?? throw new ArgumentNullException(nameof(store));
        Options = options ?? new ZarrStoreOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Options.MaxConcurrency, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Options.MaxRequestsInFlight, nameof(options));
        Cache = Options.ChunkCacheBytes > 0 ? new ChunkCache(Options.ChunkCacheBytes) : null;
    }

    // A transactional directory store: reads through a pinned snapshot, writes through commits.
    private ZarrStore(IStore live, IVersionLog versions, ZarrStoreOptions options)
        : this(live, options)
    {
        _versions = versions;
        _view = versions.OpenLatest();
    }

    // A transaction's own hierarchy: reads its writes over its snapshot; nothing cached (staged values change).
    internal ZarrStore(TransactionView transaction, ZarrStoreOptions options)
    {
        _underlying = _view = transaction;
        Options = options;
        TransactionView = transaction;
    }

    // A writer joined to another handle's transaction: reads its staged values over the latest version, stages writes.
    internal ZarrStore(JoinedTransactionView joined, ZarrStoreOptions options)
    {
        _underlying = _view = joined;
        Options = options;
    }

    // The transaction log, created now if this handle has none yet (the first write to a store without one).
    private IVersionLog? EnsureVersions()
    {
        if (_versions is { } existing || _logOpener is not { } opener)
        {
            return _versions;
        }

        lock (_logGate)
        {
            if (_versions is null)
            {
                var created = opener(true)
                    ?? throw new UnauthorizedAccessException($"store '{Name}' is read-only for this process: its transaction log '{VersionedDirectory.FolderName}/' cannot be created, so it can be read, not changed");
                var view = created.OpenLatest();
                _versions = created;
                _view = view;
            }

            return _versions;
        }
    }

    /// <summary>
    /// The key/value view this handle reads: the store itself, or for a transactional store the snapshot of
    /// <see cref="Version"/> (read-only; write through the array and store methods or a transaction).
    /// </summary>
    public IStore Store => _view;

    /// <summary>
    /// The committed version this handle reads: 0 for a directory store ChunkCompute has not written yet (it has no
    /// transaction log; the first write creates one); null when the store is not transactional.
    /// </summary>
    public long? Version => _view switch
    {
        SnapshotView s => s.Version,
        TransactionView t => t.Base.Version,
        _ when _logOpener is not null => 0,
        _ => null,
    };

    /// <summary>
    /// True when this handle's snapshot is pinned, so no collection by another process can remove what it reads. False
    /// for a store whose transaction log this process cannot write (a read-only mount, another user's store) or that
    /// has none yet: it is then read as it is on disk.
    /// </summary>
    public bool IsSnapshotPinned => _versions is { PinsUnavailable: false };

    /// <summary>
    /// True when this process can read the store but not change it: its transaction log is not writable here, or the
    /// store underneath does not state <see cref="StoreCapabilities.Writable"/> (an HTTP store, say).
    /// </summary>
    public bool IsReadOnly => _versions is { IsReadOnly: true } || !_underlying.Capabilities.HasFlag(StoreCapabilities.Writable);

    /// <summary>True for a directory store with a transaction log (commits, snapshots, append/resize in transactions).</summary>
    public bool IsTransactional => AutoCommits || TransactionView is not null;

    internal TransactionView? TransactionView { get; }

    /// <summary>True when this handle is a transaction's hierarchy (<see cref="Transaction.Store"/>).</summary>
    public bool IsInTransaction => TransactionView is not null;

    internal IVersionLog? Versions => _versions;

    /// <summary>The directory underneath, for a directory store (what <see cref="Verify"/> scans for links).</summary>
    internal DirectoryStore? LocalDirectory => _underlying as DirectoryStore;

    /// <summary>
    /// True when each write through this handle becomes its own commit: a transactional store used outside a
    /// transaction. Writers that must publish several keys at once (a lazy write's chunks and metadata) begin a
    /// transaction instead.
    /// </summary>
    public bool AutoCommits => _versions is not null || _logOpener is not null;

    /// <summary>Moves this handle to the latest committed version (arrays opened before keep theirs).</summary>
    public void Refresh()
    {
        if (_versions is null && _logOpener is { } opener)
        {
            // Another process may have written the store since: read through its log from now on.
            lock (_logGate)
            {
                if (_versions is null && opener(false) is { } found)
                {
                    _versions = found;
                    _view = found.OpenLatest();
                }
            }

            return;
        }

        if (_versions is not null)
        {
            MoveTo(_versions.OpenLatest());
        }
    }

    private void MoveTo(SnapshotView view)
    {
        var old = _view as SnapshotView;
        _view = view;
        old?.Release();
        _versions?.UpdatePin();
    }

    /// <summary>
    /// Begins a transaction on the latest version: any number of array and group changes, published atomically by
    /// <see cref="Transaction.Commit"/> and discarded by <see cref="Transaction.Abort"/> or disposal. The handle moves
    /// to the latest version first.
    /// </summary>
    /// <exception cref="NotSupportedException">The store is not a transactional directory store.</exception>
    public Transaction BeginTransaction()
    {
        var versions = RequireVersions();
        MoveTo(versions.OpenLatest());
        return new Transaction(this, (SnapshotView)_view);
    }

    /// <summary>
    /// Opens a writer that stages values into the open transaction <paramref name="transactionId"/>, begun by another
    /// handle or process on the same store (its <see cref="Transaction.Id"/>): reads see that transaction's staged values
    /// first (array metadata its owner staged, say), then the store's latest version; writes are staged in the
    /// transaction and published only by the owner's <see cref="Transaction.Commit"/>, after it adopts them with
    /// <see cref="Transaction.AdoptStaged"/> (<see cref="TransactionWriter.WrittenKeys"/> are the keys to adopt). Nothing
    /// outside the store's staging is touched, whatever the id.
    /// </summary>
    /// <param name="transactionId">The id of the open transaction to join.</param>
    /// <exception cref="ArgumentException"><paramref name="transactionId"/> is not a transaction id.</exception>
    /// <exception cref="InvalidOperationException">No open transaction has that id on this store.</exception>
    /// <exception cref="NotSupportedException">The store is not transactional, or this handle is a transaction's.</exception>
    public TransactionWriter JoinTransaction(string transactionId)
    {
        TransactionView.ValidateId(transactionId, nameof(transactionId));
        var versions = RequireVersions();
        var staging = versions.JoinStaging(transactionId);
        var view = new JoinedTransactionView(versions.OpenLatest(), staging);
        return new TransactionWriter(new ZarrStore(view, Options), view);
    }

    /// <summary>
    /// Runs <paramref name="body"/> in a transaction and commits it; on a <see cref="ConflictException"/> runs it again
    /// on the latest version, up to <paramref name="retries"/> more times.
    /// </summary>
    public void Transact(Action<Transaction> body, int retries = 3, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        Transact<object?>(tx => { body(tx); return null; }, retries, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="body"/> in a transaction, commits it and returns its result; on a
    /// <see cref="ConflictException"/> runs it again on the latest version, up to <paramref name="retries"/> more times.
    /// </summary>
    public T Transact<T>(Func<Transaction, T> body, int retries = 3, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfNegative(retries);
        for (int attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var tx = BeginTransaction();
            T result = body(tx);
            try
            {
                tx.Commit(cancellationToken);
                return result;
            }
            catch (ConflictException) when (attempt < retries)
            {
                Thread.Sleep(Random.Shared.Next(1, 5 << Math.Min(attempt, 6)));
            }
        }
    }

    /// <summary>
    /// Collects what no live snapshot needs: pre-images of replaced chunks older than every live reader, commit
    /// records, pins of crashed processes, staged files of crashed transactions, and chunks beyond each array's
    /// shape (left by shrinking resizes).
    /// </summary>
    public GarbageCollection CollectGarbage(CancellationToken cancellationToken = default)
    {
        var versions = RequireVersions();
        long beyond = 0;
        Transact(tx =>
        {
            beyond = 0;
            foreach (var node in tx.ListNodes())
            {
                if (node.Kind == NodeKind.Array)
                {
                    beyond += tx.OpenArray(node.Path).DeleteChunksBeyondShape(cancellationToken);
                }
            }
        }, retries: 3, cancellationToken);
        var r = versions.Collect(cancellationToken);
        Refresh();
        return new GarbageCollection(r.PreImageVersions, r.Records, r.DeadPins, r.OrphanedStagings, beyond, r.Horizon);
    }

    /// <summary>
    /// Checks the whole store: every node's metadata parses, every stored chunk decodes (checksums included), and the
    /// transaction log has no half-done commit or orphaned staging. Problems are collected, not thrown. At most
    /// <paramref name="memoryBudget"/> bytes of chunks are decoded at once (default: one chunk per core).
    /// </summary>
    public StoreVerification Verify(IProgress<VerifyProgress>? progress = null, long? memoryBudget = null, CancellationToken cancellationToken = default) =>
        StoreVerifier.Verify(this, progress, memoryBudget, cancellationToken);

    internal void OnCommitted(SnapshotView committed)
    {
        if (_versions is not null)
        {
            MoveTo(committed);
        }
        else
        {
            committed.Release();
        }
    }

    private IVersionLog RequireVersions() => EnsureVersions()
        ?? throw new NotSupportedException(TransactionView is not null
            ? "transactions do not nest: use the enclosing transaction"
            : _transactionsRefused
                ?? $"store '{Name}' is not transactional: transactions need a directory store or a store with conditional writes, opened with ZarrStore.Open or OpenExisting (and Transactional = true)");

    // Runs a store-level change as one commit on the latest version (retrying conflicts), then reads that version.
    private T AutoCommit<T>(Func<ZarrStore, T> body) => Transact(tx => body(tx.Zarr));

    // Runs a write of one array as one commit on the array's version, then moves the array to the committed version.
    // Conflicts on chunks only (another writer got there first) are retried on the latest version as long as the
    // array's metadata is unchanged: partial chunks are then re-read, so no update is lost.
    internal void AutoCommitArray(ZarrArray array, Action<ZarrArray> body, CancellationToken cancellationToken)
    {
        RequireVersions();
        var baseView = array.View as SnapshotView ?? (SnapshotView)_view;
        for (int attempt = 0; ; attempt++)
        {
            using var tx = new Transaction(this, baseView);
            var bound = new ZarrArray(tx.Zarr, array.Path, array.Metadata);
            tx.View.Watch(array.MetadataKeys);
            body(bound);
            try
            {
                array.Rebind(tx.CommitAndView(cancellationToken), bound.Metadata);
                return;
            }
            catch (ConflictException ex) when (attempt < 8 && !VersionedDirectory.IsMetadataKey(ex.Key))
            {
                var latest = _versions!.OpenLatest();
                foreach (var key in array.MetadataKeys)
                {
                    if (!(baseView.Get(key) ?? []).AsSpan().SequenceEqual(latest.Get(key) ?? []))
                    {
                        throw new ConflictException(Name, array.Path, key, baseView.Version, latest.Version);
                    }
                }

                baseView = latest;
                Thread.Sleep(Random.Shared.Next(0, 2 << Math.Min(attempt, 5)));
            }
        }
    }

    /// <summary>The store's name for messages (its directory).</summary>
    public string Name => Store.Name;

    /// <summary>This handle's settings.</summary>
    public ZarrStoreOptions Options { get; }

    /// <summary>The decoded-chunk cache, or null when turned off.</summary>
    public ChunkCache? Cache { get; }

    /// <summary>Creates an array of element type <typeparamref name="T"/>.</summary>
    public ZarrArray<T> CreateArray<T>(string path, long[] shape, int[] chunks, ArrayOptions? options = null)
        where T : unmanaged => CreateArray(path, DataType.Of<T>(), shape, chunks, options).As<T>();

    /// <summary>Creates an array, and any missing parent groups.</summary>
    /// <exception cref="InvalidOperationException">A node already exists at the path and <see cref="ArrayOptions.Overwrite"/> is false.</exception>
    public ZarrArray CreateArray(string path, DataType dataType, long[] shape, int[] chunks, ArrayOptions? options = null)
    {
        options ??= new ArrayOptions();
        if (AutoCommits)
        {
            var created = AutoCommit(z => z.CreateArray(path, dataType, shape, chunks, options));
            return new ZarrArray(this, created.Path, created.Metadata);
        }

        path = StoreKeys.NormalizePath(path);
        var format = FormatFor(path, "an array", options.Format);
        var metadata = ArrayMetadata.Create(format, dataType, shape, chunks, options);
        PrepareNode(path, format, options.Overwrite);
        WriteArrayMetadata(path, metadata);
        return new ZarrArray(this, path, metadata);
    }

    /// <summary>Opens the array at <paramref name="path"/>.</summary>
    /// <exception cref="NodeNotFoundException">No array is there.</exception>
    /// <exception cref="InvalidMetadataException">Its metadata is malformed.</exception>
    /// <exception cref="UnsupportedCodecException">It uses a codec ChunkCompute does not implement.</exception>
    /// <exception cref="UnsupportedDataTypeException">It uses a data type ChunkCompute does not implement.</exception>
    public ZarrArray OpenArray(string path)
    {
        path = StoreKeys.NormalizePath(path);
        string v3Key = StoreKeys.Join(path, "zarr.json");
        var v3 = ReadJson(v3Key);
        if (v3 is not null)
        {
            if (NodeType(v3, v3Key) != "array")
            {
                throw new NodeNotFoundException(Name, path, "array (a group is there)");
            }

            return new ZarrArray(this, path, ParseMetadata(path, v3Key, () => ArrayMetadata.ParseV3(v3)));
        }

        string v2Key = StoreKeys.Join(path, ".zarray");
        var v2 = ReadJson(v2Key) ?? throw new NodeNotFoundException(Name, path, "array");
        var attrs = ReadJson(StoreKeys.Join(path, ".zattrs"));
        return new ZarrArray(this, path, ParseMetadata(path, v2Key, () => ArrayMetadata.ParseV2(v2, attrs)));
    }

    /// <summary>Opens the array at <paramref name="path"/> as element type <typeparamref name="T"/>.</summary>
    /// <exception cref="DataTypeMismatchException">The array's element type is not <typeparamref name="T"/>.</exception>
    public ZarrArray<T> OpenArray<T>(string path)
        where T : unmanaged => OpenArray(path).As<T>();

    /// <summary>Creates a group (and missing parents) with optional attributes; an existing group is kept.</summary>
    public ZarrGroup CreateGroup(string path, JsonObject? attributes = null, ZarrFormat? format = null)
    {
        if (AutoCommits)
        {
            var g = AutoCommit(z => z.CreateGroup(path, attributes, format));
            return new ZarrGroup(this, g.Path, g.Format, g.AttributesCore);
        }

        path = StoreKeys.NormalizePath(path);
        var kind = GetNodeKind(path);
        if (kind == NodeKind.Array)
        {
            throw new InvalidOperationException($"an array already exists at '{path}' in store '{Name}'");
        }

        var fmt = kind == NodeKind.Group ? DetectFormat(path)!.Value : FormatFor(path, "a group", format);
        if (format is { } asked && asked != fmt)
        {
            throw new InvalidOperationException($"cannot make '{path}' a Zarr {Lower(asked)} group in store '{Name}': a Zarr {Lower(fmt)} group is already there");
        }

        if (path.Length > 0)
        {
            EnsureParents(path, fmt);
        }

        if (kind == NodeKind.Group && attributes is null)
        {
            return OpenGroup(path);
        }

        WriteGroupMetadata(path, fmt, attributes ?? []);
        return new ZarrGroup(this, path, fmt, attributes?.DeepClone().AsObject() ?? []);
    }

    /// <summary>Opens the group at <paramref name="path"/> ("" for the root).</summary>
    /// <exception cref="NodeNotFoundException">No group is there.</exception>
    public ZarrGroup OpenGroup(string path = "")
    {
        path = StoreKeys.NormalizePath(path);
        string v3Key = StoreKeys.Join(path, "zarr.json");
        var v3 = ReadJson(v3Key);
        if (v3 is not null)
        {
            if (NodeType(v3, v3Key) != "group")
            {
                throw new NodeNotFoundException(Name, path, "group (an array is there)");
            }

            return new ZarrGroup(this, path, ZarrFormat.V3, v3["attributes"] as JsonObject is { } a ? a.DeepClone().AsObject() : []);
        }

        if (ReadJson(StoreKeys.Join(path, ".zgroup")) is null)
        {
            throw new NodeNotFoundException(Name, path, "group");
        }

        var attrs = ReadJson(StoreKeys.Join(path, ".zattrs"));
        return new ZarrGroup(this, path, ZarrFormat.V2, attrs ?? []);
    }

    /// <summary>Deletes the node at <paramref name="path"/> and everything below it. Returns false if nothing was there.</summary>
    public bool Delete(string path)
    {
        if (AutoCommits)
        {
            return AutoCommit(z => z.Delete(path));
        }

        path = StoreKeys.NormalizePath(path);
        string prefix = path.Length == 0 ? string.Empty : path + "/";
        bool any = false;
        foreach (var key in Store.List(prefix).ToList())
        {
            any |= Store.Delete(key);
        }

        Cache?.RemovePrefix(prefix);
        if (any && path.Length > 0)
        {
            UpdateConsolidated(path, deleted: true);
        }

        return any;
    }

    /// <summary>Writes an array's metadata documents (and the consolidated metadata that covers them, if any).</summary>
    internal void WriteArrayMetadata(string path, ArrayMetadata metadata)
    {
        if (metadata.Format == ZarrFormat.V3)
        {
            WriteJson(StoreKeys.Join(path, "zarr.json"), metadata.ToV3Json(), V3Json);
        }
        else
        {
            WriteJson(StoreKeys.Join(path, ".zarray"), metadata.ToV2Json(), V2Json);
            string attrsKey = StoreKeys.Join(path, ".zattrs");
            if (metadata.Attributes.Count > 0 || Store.Exists(attrsKey))
            {
                WriteJson(attrsKey, metadata.Attributes, V2Json);
            }
        }

        UpdateConsolidated(path, deleted: false);
    }

    internal void WriteGroupMetadata(string path, ZarrFormat format, JsonObject attributes)
    {
        if (AutoCommits)
        {
            AutoCommit(z =>
            {
                z.WriteGroupMetadata(path, format, attributes);
                return 0;
            });
            return;
        }

        if (format == ZarrFormat.V3)
        {
            string key = StoreKeys.Join(path, "zarr.json");
            var doc = new JsonObject { ["zarr_format"] = 3, ["node_type"] = "group", ["attributes"] = attributes.DeepClone() };
            if (ReadJson(key)?["consolidated_metadata"] is JsonObject consolidated)
            {
                doc["consolidated_metadata"] = consolidated.DeepClone(); // a group's own consolidated metadata is kept
            }

            WriteJson(key, doc, V3Json);
        }
        else
        {
            WriteJson(StoreKeys.Join(path, ".zgroup"), new JsonObject { ["zarr_format"] = 2 }, V2Json);
            string attrsKey = StoreKeys.Join(path, ".zattrs");
            if (attributes.Count > 0 || Store.Exists(attrsKey))
            {
                WriteJson(attrsKey, attributes, V2Json);
            }
        }

        UpdateConsolidated(path, deleted: false);
    }

    internal Lock[] ChunkLocksFor(string path) => _chunkLocks.GetOrAdd(path, _ => ZarrArray.NewLocks());

    private void PrepareNode(string path, ZarrFormat format, bool overwrite)
    {
        if (GetNodeKind(path) is { } existing)
        {
            if (!overwrite)
            {
                throw new InvalidOperationException($"a{(existing == NodeKind.Array ? "n array" : " group")} already exists at '{path}' in store '{Name}'; pass Overwrite = true to replace it");
            }

            Delete(path);
        }

        if (path.Length > 0)
        {
            EnsureParents(path, format);
        }
    }

    private void EnsureParents(string path, ZarrFormat format)
    {
        int slash = path.LastIndexOf('/');
        string parent = slash < 0 ? string.Empty : path[..slash];
        var kind = GetNodeKind(parent);
        if (kind == NodeKind.Array)
        {
            throw new InvalidOperationException($"cannot create '{path}': '{parent}' is an array in store '{Name}'");
        }

        if (kind is null)
        {
            if (parent.Length > 0)
            {
                EnsureParents(parent, format);
            }

            WriteGroupMetadata(parent, format, []);
        }
    }

    /// <summary>Releases the chunk cache and, for a transactional store, this handle's snapshot pin.</summary>
    public void Dispose()
    {
        Cache?.Clear();
        _versions?.Dispose();
        (_underlying as IDisposable)?.Dispose();
    }
}
