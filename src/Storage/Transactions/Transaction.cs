using System.Text.Json.Nodes;

namespace ChunkCompute.Storage;

/// <summary>
/// A set of changes to a transactional store, published atomically by <see cref="Commit"/>: create and delete arrays
/// and groups, set attributes, write regions, append and resize. Until then nothing is visible to other handles or
/// processes; arrays opened from the transaction read its own writes. Staged chunks live on disk, so a transaction may
/// write more than memory. Disposing without committing (or <see cref="Abort"/>) discards everything.
/// </summary>
/// <example>
/// <code>
/// using var store = ZarrStore.Open("data.zarr");
/// using (var tx = store.BeginTransaction())
/// {
///     var x = tx.OpenArray&lt;float&gt;("x");
///     x.Append(newRows);                 // O(appended data)
///     tx.CreateGroup("meta").SetAttributes(new JsonObject { ["source"] = "sensor 3" });
///     tx.Commit();                       // all or nothing; ConflictException if another commit touched the same chunks
/// }
/// </code>
/// </example>
public sealed class Transaction : IDisposable
{
    private readonly ZarrStore _parent;
    private volatile bool _advertised;

    internal Transaction(ZarrStore parent, Transactions.SnapshotView baseView)
    {
        _parent = parent;
        View = new Transactions.TransactionView(baseView.Share());
        Zarr = new ZarrStore(View, parent.Options);
    }

    internal Transactions.TransactionView View { get; }

    internal ZarrStore Zarr { get; }

    /// <summary>
    /// The transaction's own hierarchy, as a store handle: what it reads (its writes over its snapshot) and where its
    /// writes go. Use it where an API takes a <see cref="ZarrStore"/>; it is valid until the transaction ends.
    /// </summary>
    public ZarrStore Store => Zarr;

    /// <summary>
    /// The transaction's id: what writers in other handles or processes pass to <see cref="ZarrStore.JoinTransaction"/>
    /// to stage values into it. On an object store, reading it the first time records (one request) that the transaction
    /// is open to joined writers.
    /// </summary>
    public string Id
    {
        get
        {
            if (!_advertised && View.IsOpen)
            {
                View.Advertise();
                _advertised = true;
            }

            return View.Id;
        }
    }

    /// <summary>
    /// Registers values that writers joined to this transaction (<see cref="ZarrStore.JoinTransaction"/>) staged under
    /// <paramref name="keys"/> as if this transaction had written them; <see cref="Commit"/> publishes them. Keys are
    /// validated like any store key; each must have a value staged in this transaction, else nothing is adopted.
    /// Adopting a key again (a retried task) is harmless. Thread-safe.
    /// </summary>
    /// <param name="keys">The store keys the joined writers wrote (<see cref="TransactionWriter.WrittenKeys"/>).</param>
    /// <exception cref="ArgumentException">A key is not a valid store key.</exception>
    /// <exception cref="InvalidOperationException">A key has no staged value in this transaction (the message names it),
    /// or the transaction was committed or aborted.</exception>
    public void AdoptStaged(IEnumerable<string> keys) => View.Adopt(keys);

    /// <summary>The committed version this transaction began at (what it reads, besides its own writes).</summary>
    public long StartVersion => View.Base.Version;

    /// <summary>The version this transaction's commit published; null before <see cref="Commit"/>.</summary>
    public long? CommittedVersion { get; private set; }

    /// <summary>True until committed, aborted or disposed.</summary>
    public bool IsActive => View.IsOpen;

    /// <summary>The store's name.</summary>
    public string Name => _parent.Name;

    /// <summary>Creates an array of element type <typeparamref name="T"/> in this transaction.</summary>
    public ZarrArray<T> CreateArray<T>(string path, long[] shape, int[] chunks, ArrayOptions? options = null)
        where T : unmanaged => Zarr.CreateArray<T>(path, shape, chunks, options);

    /// <summary>Creates an array in this transaction.</summary>
    public ZarrArray CreateArray(string path, DataType dataType, long[] shape, int[] chunks, ArrayOptions? options = null) =>
        Zarr.CreateArray(path, dataType, shape, chunks, options);

    /// <summary>Opens an array as this transaction sees it; its writes, appends and resizes join the transaction.</summary>
    public ZarrArray OpenArray(string path) => Zarr.OpenArray(path);

    /// <summary>Opens an array of element type <typeparamref name="T"/> as this transaction sees it.</summary>
    public ZarrArray<T> OpenArray<T>(string path)
        where T : unmanaged => Zarr.OpenArray<T>(path);

    /// <summary>Creates a group (and missing parents) in this transaction.</summary>
    public ZarrGroup CreateGroup(string path, JsonObject? attributes = null, ZarrFormat? format = null) =>
        Zarr.CreateGroup(path, attributes, format);

    /// <summary>Opens a group as this transaction sees it.</summary>
    public ZarrGroup OpenGroup(string path = "") => Zarr.OpenGroup(path);

    /// <summary>Whether an array, a group or nothing is at <paramref name="path"/> in this transaction.</summary>
    public NodeKind? GetNodeKind(string path) => Zarr.GetNodeKind(path);

    /// <summary>The arrays and groups below <paramref name="path"/> as this transaction sees them.</summary>
    public IReadOnlyList<NodeInfo> ListNodes(string path = "", bool recursive = true) => Zarr.ListNodes(path, recursive);

    /// <summary>Deletes a node and everything below it in this transaction.</summary>
    public bool Delete(string path) => Zarr.Delete(path);

    /// <summary>
    /// Publishes every change atomically and returns the new version; the store handle that began the transaction
    /// moves to it. A failure (an I/O error, a full disk, cancellation before publishing) leaves the store unchanged.
    /// </summary>
    /// <exception cref="ConflictException">Another commit changed a chunk or metadata document this transaction wrote
    /// (or a metadata document it read) after it began.</exception>
    /// <exception cref="InvalidOperationException">The transaction was already committed or aborted.</exception>
    public long Commit(CancellationToken cancellationToken = default)
    {
        var committed = View.Commit(cancellationToken);
        CommittedVersion = committed.Version;
        _parent.OnCommitted(committed);
        return committed.Version;
    }

    // Commits and returns a view of the committed version for the caller to hold (an auto-committed array).
    internal Transactions.SnapshotView CommitAndView(CancellationToken cancellationToken)
    {
        var committed = View.Commit(cancellationToken);
        CommittedVersion = committed.Version;
        var forCaller = committed.Share();
        _parent.OnCommitted(committed);
        return forCaller;
    }

    /// <summary>Discards every change (idempotent).</summary>
    public void Abort() => View.Abort();

    /// <summary>Aborts the transaction unless it was committed.</summary>
    public void Dispose() => View.Abort();

    /// <inheritdoc/>
    public override string ToString() => View.ToString();
}

/// <summary>What <see cref="ZarrStore.CollectGarbage"/> removed.</summary>
/// <param name="PreImageVersions">Versions whose pre-images (replaced chunks) no live snapshot could read any more.</param>
/// <param name="CommitRecords">Commit records at or below the oldest live snapshot.</param>
/// <param name="DeadPins">Pins of snapshot readers whose process has died.</param>
/// <param name="OrphanedStagings">Staging folders of transactions whose process died before committing.</param>
/// <param name="ChunksBeyondShape">Stored chunks wholly outside their array's shape (left by shrinking resizes).</param>
/// <param name="OldestLiveVersion">The oldest version a live snapshot still reads.</param>
public sealed record GarbageCollection(int PreImageVersions, int CommitRecords, int DeadPins, int OrphanedStagings, long ChunksBeyondShape, long OldestLiveVersion);
