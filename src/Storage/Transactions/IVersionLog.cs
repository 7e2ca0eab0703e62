using System.Buffers;
using Microsoft.Win32.SafeHandles;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// A store's transaction log: what snapshots, transactions and <see cref="ZarrStore"/> need from it, whatever the
/// store underneath. Two implementations: <see cref="VersionedDirectory"/> (a local directory: file locks, hard links,
/// rename) and <see cref="ObjectVersionLog"/> (an object store: conditional writes only). The protocols are described
/// in docs/DESIGN.md ("Transactions", "Transactions on object stores").
/// </summary>
internal interface IVersionLog : IDisposable
{
    /// <summary>The store's name for messages.</summary>
    string Name { get; }

    /// <summary>True when this process cannot write the log: versions are read, commits refused.</summary>
    bool IsReadOnly { get; }

    /// <summary>True when this handle's snapshot pin could not be written (its views may lose pre-images to a collection).</summary>
    bool PinsUnavailable { get; }

    /// <summary>True when values at a version are files that can be opened (<see cref="Open"/>); false for object stores.</summary>
    bool OpensFiles { get; }

    /// <summary>True when the store answers over a network: views then state <see cref="StoreCapabilities.RemoteRequests"/>.</summary>
    bool RemoteRequests => false;

    /// <summary>The value of a key at a version, or null (an asynchronous request where the store makes one).</summary>
    ValueTask<IMemoryOwner<byte>?> GetAsync(string key, long version, CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? ValueTask.FromCanceled<IMemoryOwner<byte>?>(cancellationToken) : ValueTask.FromResult(Get(key, version));

    /// <summary>The latest committed (and readable) version.</summary>
    long ReadVersion();

    /// <summary>A view of the latest version, pinned while this handle holds a view at or below it.</summary>
    SnapshotView OpenLatest();

    /// <summary>A view of a version this handle already pins.</summary>
    SnapshotView OpenAt(long version);

    /// <summary>Moves this handle's pin up to the oldest view still alive.</summary>
    void UpdatePin();

    /// <summary>The value of a key at a version, or null.</summary>
    IMemoryOwner<byte>? Get(string key, long version);

    /// <summary>A range of a key's value at a version, or null.</summary>
    IMemoryOwner<byte>? GetRange(string key, ByteRange range, long version);

    /// <summary>The file holding a key's value at a version, or null (only when <see cref="OpensFiles"/>).</summary>
    SafeFileHandle? Open(string key, long version);

    /// <summary>The size of a key's value at a version, or null.</summary>
    long? GetSize(string key, long version);

    /// <summary>Whether a key exists at a version.</summary>
    bool Exists(string key, long version);

    /// <summary>The keys under a prefix at a version.</summary>
    IEnumerable<string> List(string prefix, long version);

    /// <summary>The immediate children of a prefix at a version.</summary>
    IEnumerable<string> ListDirectory(string prefix, long version);

    /// <summary>A new transaction's staging area.</summary>
    /// <exception cref="UnauthorizedAccessException">The log is read-only here.</exception>
    TransactionStaging CreateStaging(string id);

    /// <summary>
    /// The staging area of a transaction another handle (or process) began and still holds open, for a writer joining
    /// it: values written through it land where the owner's commit publishes them once adopted; it never creates,
    /// locks or removes the area. <paramref name="id"/> is already validated (<see cref="TransactionView.ValidateId"/>).
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">The log is read-only here.</exception>
    /// <exception cref="InvalidOperationException">No open transaction has that id on this store.</exception>
    TransactionStaging JoinStaging(string id);

    /// <summary>
    /// Publishes staged changes atomically: <paramref name="changes"/> maps each key to its staged handle (null:
    /// delete); <paramref name="reads"/> are metadata keys read, which must not have changed either. Returns the new
    /// version, or the latest one when nothing changed.
    /// </summary>
    /// <exception cref="ConflictException">A key changed after <paramref name="startVersion"/>.</exception>
    long Commit(TransactionStaging staging, long startVersion, IReadOnlyDictionary<string, string?> changes, IEnumerable<string> reads, CancellationToken cancellationToken);

    /// <summary>Removes what no live snapshot can need.</summary>
    CollectResult Collect(CancellationToken cancellationToken);

    /// <summary>What verification reports about the log, changing nothing.</summary>
    LogInspection Inspect();
}

/// <summary>What <see cref="IVersionLog.Inspect"/> found: problems (each a sentence) and notes.</summary>
internal sealed record LogInspection(int LivePins, int DeadPins, int LiveTransactions, IReadOnlyList<string> Problems, IReadOnlyList<string> Notes);

/// <summary>
/// A transaction's staged values: written before the commit, read by the transaction itself, published by the commit,
/// discarded when the transaction ends. A handle names one staged value (a file path, or a key in the store).
/// </summary>
internal abstract class TransactionStaging
{
    /// <summary>The transaction's id.</summary>
    public abstract string Id { get; }

    /// <summary>The handle a value staged for <paramref name="key"/> has (or would have): staging is keyed by key.</summary>
    public virtual string HandleOf(string key) => throw new NotSupportedException($"the staging of transaction {Id} cannot name a key's handle");

    /// <summary>Whether a value is staged under <paramref name="handle"/>.</summary>
    public virtual bool Contains(string handle) => throw new NotSupportedException($"the staging of transaction {Id} cannot look a handle up");

    /// <summary>The handles among <paramref name="handles"/> with no staged value.</summary>
    public virtual IReadOnlyList<string> Missing(IReadOnlyCollection<string> handles) => [.. handles.Where(h => !Contains(h))];

    /// <summary>A staged value, or null when none is staged under <paramref name="handle"/>.</summary>
    public virtual IMemoryOwner<byte>? TryRead(string handle) => Contains(handle) ? Read(handle) : null;

    /// <summary>A staged value, or null when none is staged (an asynchronous request where the store makes one).</summary>
    public virtual ValueTask<IMemoryOwner<byte>?> TryReadAsync(string handle, CancellationToken cancellationToken) => ValueTask.FromResult(TryRead(handle));

    /// <summary>A staged value's size, or null when none is staged under <paramref name="handle"/>.</summary>
    public virtual long? TrySize(string handle) => Contains(handle) ? Size(handle) : null;

    /// <summary>Stages a value for <paramref name="key"/>; returns its handle.</summary>
    public abstract string Write(string key, ReadOnlySpan<byte> value);

    /// <summary>Stages a value for <paramref name="key"/> (an asynchronous request where the store makes one).</summary>
    public virtual ValueTask<string> WriteAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Write(key, value.Span));
    }

    /// <summary>A staged value.</summary>
    public abstract IMemoryOwner<byte>? Read(string handle);

    /// <summary>A staged value (an asynchronous request where the store makes one).</summary>
    public virtual ValueTask<IMemoryOwner<byte>?> ReadAsync(string handle, CancellationToken cancellationToken) => ValueTask.FromResult(Read(handle));

    /// <summary>A range of a staged value.</summary>
    public abstract IMemoryOwner<byte>? ReadRange(string handle, string key, ByteRange range);

    /// <summary>A staged value's file, or null when staged values are not files.</summary>
    public abstract SafeFileHandle? Open(string handle);

    /// <summary>A staged value's size.</summary>
    public abstract long Size(string handle);

    /// <summary>Discards one staged value (overwritten or deleted again in the transaction).</summary>
    public abstract void Discard(string handle);

    /// <summary>Makes staged values durable before the commit publishes them.</summary>
    public abstract void Flush(IReadOnlyCollection<string> handles, CancellationToken cancellationToken);

    /// <summary>Removes the staging area (the transaction ended), unless the log keeps it for a commit still publishing.</summary>
    public abstract void Remove();
}
