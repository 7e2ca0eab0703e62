using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// The key/value view of a writer joined to another handle's open transaction (<see cref="ZarrStore.JoinTransaction"/>):
/// reads see what that transaction has staged (found in its staging, not in any memory of the owner's), then the latest
/// committed version; writes are staged in it, for the owner to adopt and commit. It never deletes and never commits.
/// </summary>
internal sealed class JoinedTransactionView : IStore, IFileValueStore
{
    private readonly SnapshotView _base;
    private readonly TransactionStaging _staging;
    private readonly ConcurrentDictionary<string, byte> _written = new(StringComparer.Ordinal);
    private int _released;

    internal JoinedTransactionView(SnapshotView baseView, TransactionStaging staging)
    {
        _base = baseView;
        _staging = staging;
    }

    /// <summary>The joined transaction's id.</summary>
    public string Id => _staging.Id;

    /// <summary>The keys staged through this view so far, sorted.</summary>
    public IReadOnlyCollection<string> WrittenKeys => [.. _written.Keys.Order(StringComparer.Ordinal)];

    /// <inheritdoc/>
    public string Name => _base.Name;

    /// <summary>Writable and listable (the snapshot's listing), with byte ranges.</summary>
    public StoreCapabilities Capabilities => StoreCapabilities.Writable | StoreCapabilities.Listable | StoreCapabilities.ByteRanges | (_base.Capabilities & StoreCapabilities.RemoteRequests);

    /// <inheritdoc/>
    public bool OpensFiles => _base.OpensFiles;

    /// <inheritdoc/>
    public byte[]? Get(string key)
    {
        using var owner = GetPooled(key);
        return owner?.Memory.ToArray();
    }

    /// <inheritdoc/>
    public IMemoryOwner<byte>? GetPooled(string key)
    {
        CheckOpen();
        return _staging.TryRead(_staging.HandleOf(Checked(key))) ?? _base.GetPooled(key);
    }

    /// <inheritdoc/>
    public async ValueTask<IMemoryOwner<byte>?> GetPooledAsync(string key, CancellationToken cancellationToken = default)
    {
        CheckOpen();
        return await _staging.TryReadAsync(_staging.HandleOf(Checked(key)), cancellationToken).ConfigureAwait(false)
            ?? await _base.GetPooledAsync(key, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public IMemoryOwner<byte>? GetRangePooled(string key, ByteRange range)
    {
        CheckOpen();
        string handle = _staging.HandleOf(Checked(key));
        return _staging.Contains(handle) ? _staging.ReadRange(handle, key, range) : _base.GetRangePooled(key, range);
    }

    /// <inheritdoc/>
    public SafeFileHandle? OpenValue(string key)
    {
        CheckOpen();
        string handle = _staging.HandleOf(Checked(key));
        return _staging.Contains(handle) ? _staging.Open(handle) : _base.OpenValue(key);
    }

    /// <inheritdoc/>
    public bool Exists(string key)
    {
        CheckOpen();
        return _staging.Contains(_staging.HandleOf(Checked(key))) || _base.Exists(key);
    }

    /// <inheritdoc/>
    public long? GetSize(string key)
    {
        CheckOpen();
        return _staging.TrySize(_staging.HandleOf(Checked(key))) ?? _base.GetSize(key);
    }

    /// <inheritdoc/>
    public void Set(string key, ReadOnlySpan<byte> value)
    {
        CheckOpen();
        _staging.Write(Checked(key), value);
        _written.TryAdd(key, 0);
    }

    /// <inheritdoc/>
    public async ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        CheckOpen();
        await _staging.WriteAsync(Checked(key), value, cancellationToken).ConfigureAwait(false);
        _written.TryAdd(key, 0);
    }

    /// <summary>
    /// Deleting a key with no value (staged or committed) does nothing and returns false: an array writes a chunk that
    /// holds only the fill value by deleting it, which for a chunk that was never stored changes nothing. Deleting a key
    /// that has a value is refused: joined writers only stage values; the transaction's owner deletes.
    /// </summary>
    /// <exception cref="NotSupportedException">The key has a value.</exception>
    public bool Delete(string key)
    {
        if (!Exists(key))
        {
            return false;
        }

        throw new NotSupportedException($"cannot delete '{key}' through a writer joined to transaction {Id} on store '{Name}': joined writers only stage values (the transaction's owner deletes; to write a chunk of fill values over a stored one, open the joining store with ZarrStoreOptions.WriteEmptyChunks = true)");
    }

    /// <summary>The keys under a prefix in the committed version (values staged by the transaction are not listed).</summary>
    public IEnumerable<string> List(string prefix)
    {
        CheckOpen();
        return _base.List(prefix);
    }

    /// <summary>The children of a prefix in the committed version (values staged by the transaction are not listed).</summary>
    public IEnumerable<string> ListDirectory(string prefix)
    {
        CheckOpen();
        return _base.ListDirectory(prefix);
    }

    /// <summary>Ends this view (its snapshot is released); the staging is left to its owner.</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            _base.Release();
        }
    }

    private static string Checked(string key)
    {
        StoreKeys.Validate(key); // a key names a path under the staging folder: never outside it
        return key;
    }

    private void CheckOpen()
    {
        if (Volatile.Read(ref _released) != 0)
        {
            throw new ObjectDisposedException(nameof(TransactionWriter), $"the writer joined to transaction {Id} on store '{Name}' was disposed");
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} (joined to transaction {Id} on version {_base.Version})";
}
