using System.Buffers;
using ChunkCompute.Storage.Stores;
using Microsoft.Win32.SafeHandles;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// A transaction's staged values on an object store, as keys under its staging prefix in the store itself (so that a
/// finisher can publish them if the writer dies after its commit point). Writers in other processes find an open
/// transaction by its marker key (<see cref="MarkerName"/>, written by <see cref="Advertise"/>); a joined staging writes
/// under the owner's prefix and never removes anything.
/// </summary>
internal sealed class ObjectStaging(IStore store, string prefix, string id, bool joined = false) : TransactionStaging
{
    /// <summary>The name, under a staging prefix, of the key that says the transaction is open for joined writers (no staged key ends so: those end with '~').</summary>
    public const string MarkerName = "open";

    private readonly Lock _gate = new();
    private bool _advertised;
    private bool _removed;

    /// <summary>
    /// Writes the marker that lets writers in other processes join this transaction (once; one request). Removed with
    /// the staging when the transaction ends.
    /// </summary>
    public void Advertise()
    {
        lock (_gate)
        {
            if (!_advertised && !_removed && !joined)
            {
                store.Set(prefix + MarkerName, System.Text.Encoding.UTF8.GetBytes(id));
                _advertised = true;
            }
        }
    }

    /// <summary>True once the staged values may belong to a commit: the log, not the transaction, removes them.</summary>
    public bool Retained { get; set; }

    /// <summary>True once the commit was published (publishing removed the values).</summary>
    public bool Published { get; set; }

    public override string Id => id;

    public override string HandleOf(string key) => prefix + key + VersionedDirectory.LogFileSuffix;

    public override bool Contains(string handle) => store.Exists(handle);

    public override IReadOnlyList<string> Missing(IReadOnlyCollection<string> handles)
    {
        if (handles.Count <= 8 || !store.Capabilities.HasFlag(StoreCapabilities.Listable))
        {
            return base.Missing(handles);
        }

        var staged = store.List(prefix).ToHashSet(StringComparer.Ordinal); // one listing instead of a request per key
        return [.. handles.Where(h => !staged.Contains(h))];
    }

    public override IMemoryOwner<byte>? TryRead(string handle) => store.GetPooled(handle);

    public override ValueTask<IMemoryOwner<byte>?> TryReadAsync(string handle, CancellationToken cancellationToken) => store.GetPooledAsync(handle, cancellationToken);

    public override long? TrySize(string handle) => store.GetSize(handle);

    public override string Write(string key, ReadOnlySpan<byte> value)
    {
        string staged = prefix + key + VersionedDirectory.LogFileSuffix;
        store.Set(staged, value);
        return staged;
    }

    public override async ValueTask<string> WriteAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        string staged = prefix + key + VersionedDirectory.LogFileSuffix;
        await store.SetAsync(staged, value, cancellationToken).ConfigureAwait(false);
        return staged;
    }

    public override IMemoryOwner<byte>? Read(string handle) => store.GetPooled(handle)
        ?? throw new IOException($"store '{store.Name}': the staged value '{handle}' of transaction {id} is missing");

    public override async ValueTask<IMemoryOwner<byte>?> ReadAsync(string handle, CancellationToken cancellationToken) =>
        await store.GetPooledAsync(handle, cancellationToken).ConfigureAwait(false)
        ?? throw new IOException($"store '{store.Name}': the staged value '{handle}' of transaction {id} is missing");

    public override IMemoryOwner<byte>? ReadRange(string handle, string key, ByteRange range) => store.GetRangePooled(handle, range);

    public override SafeFileHandle? Open(string handle) => null;

    public override long Size(string handle) => store.GetSize(handle)
        ?? throw new IOException($"store '{store.Name}': the staged value '{handle}' of transaction {id} is missing");

    public override void Discard(string handle) => store.Delete(handle);

    public override void Flush(IReadOnlyCollection<string> handles, CancellationToken cancellationToken)
    {
        // each staged value was written whole by one request: nothing to flush
    }

    public override void Remove()
    {
        if (joined)
        {
            return; // the owner's to remove
        }

        bool advertised;
        lock (_gate)
        {
            _removed = true;
            advertised = _advertised;
        }

        if (advertised)
        {
            try
            {
                store.Delete(prefix + MarkerName); // first: no writer joins from now on
            }
            catch (Exception ex) when (ex is IOException or StoreUnavailableException)
            {
                // left for `gc` with the rest of the staging
            }
        }

        if (Retained || Published)
        {
            return; // committed: the commit's publisher removes (or removed) them
        }

        try
        {
            foreach (var key in store.List(prefix).ToList())
            {
                store.Delete(key);
            }
        }
        catch (Exception ex) when (ex is IOException or StoreUnavailableException)
        {
            // left for `gc` (the staging of a transaction whose pin is gone)
        }
    }
}
