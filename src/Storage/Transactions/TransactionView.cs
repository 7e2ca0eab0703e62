using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// The key/value view a transaction reads and writes: its own staged writes and deletions over the snapshot it began
/// at. Staged values live in files in the store's staging folder (so a transaction may write more than
/// memory); <see cref="Commit"/> publishes them all at once.
/// </summary>
internal sealed class TransactionView : IStore, IFileValueStore
{
    private const int Open = 0;
    private const int Committed = 1;
    private const int Aborted = 2;
    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdef");
    private readonly SnapshotView _base;
    private readonly TransactionStaging _staging;
    private readonly ConcurrentDictionary<string, string?> _staged = new(StringComparer.Ordinal); // key → staged file, null = deleted
    private readonly ConcurrentDictionary<string, byte> _reads = new(StringComparer.Ordinal);
    private int _state;

    internal TransactionView(SnapshotView baseView)
    {
        _base = baseView;
        Id = $"{Environment.ProcessId}-{Guid.NewGuid():N}";
        _staging = baseView.Directory.CreateStaging(Id);
    }

    /// <summary>The transaction's id (the prefix of its staged files' names).</summary>
    public string Id { get; }

    /// <summary>
    /// Checks that <paramref name="id"/> has the form of <see cref="Id"/> (process id, '-', 32 lowercase hex digits), so
    /// that it names its own entries of a staging folder and nothing else.
    /// </summary>
    /// <exception cref="ArgumentException">It does not.</exception>
    public static void ValidateId(string id, string paramName)
    {
        ArgumentNullException.ThrowIfNull(id, paramName);
        int dash = id.IndexOf('-', StringComparison.Ordinal);
        bool valid = dash is > 0 and <= 10
            && id.Length == dash + 33
            && id.AsSpan(0, dash).ContainsAnyExceptInRange('0', '9') is false
            && id.AsSpan(dash + 1).ContainsAnyExcept(HexDigits) is false;
        if (!valid)
        {
            throw new ArgumentException($"'{id}' is not a transaction id (a process id, '-' and 32 hexadecimal digits, as Transaction.Id gives)", paramName);
        }
    }

    /// <summary>Lets writers in other processes find this transaction (on an object store: writes its marker once).</summary>
    public void Advertise()
    {
        if (IsOpen)
        {
            (_staging as ObjectStaging)?.Advertise(); // an ended transaction is not joined: nothing to say
        }
    }

    /// <summary>
    /// Registers values joined writers staged under <paramref name="keys"/> as this transaction's own writes: all of
    /// them, or (when one is invalid or not staged) none.
    /// </summary>
    /// <exception cref="InvalidOperationException">A key has no staged value.</exception>
    public void Adopt(IEnumerable<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        CheckOpen();
        var handles = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            ArgumentNullException.ThrowIfNull(key, nameof(keys));
            StoreKeys.Validate(key);
            handles.TryAdd(_staging.HandleOf(key), key);
        }

        var missing = _staging.Missing(handles.Keys);
        if (missing.Count > 0)
        {
            var names = missing.Select(h => handles[h]).Order(StringComparer.Ordinal).ToList();
            throw new InvalidOperationException($"transaction {Id} on store '{Name}' cannot adopt '{names[0]}'{(names.Count > 1 ? $" (and {names.Count - 1} more)" : "")}: no value is staged for it in the transaction (the writer did not write it, wrote it into another transaction, or it was discarded)");
        }

        CheckOpen();
        foreach (var (handle, key) in handles)
        {
            _staged[key] = handle;
        }
    }

    /// <summary>The snapshot the transaction began at.</summary>
    public SnapshotView Base => _base;

    /// <summary>Keys written or deleted so far.</summary>
    public int ChangeCount => _staged.Count;

    /// <inheritdoc/>
    public string Name => _base.Name;

    /// <summary>True until committed or aborted.</summary>
    public bool IsOpen => Volatile.Read(ref _state) == Open;

    /// <summary>
    /// Writable and listable, with byte ranges read from staged or snapshot files. No conditional writes: the commit is
    /// the transaction's conditional step (it fails on a conflicting commit).
    /// </summary>
    public StoreCapabilities Capabilities => StoreCapabilities.Writable | StoreCapabilities.Listable | StoreCapabilities.ByteRanges | (_base.Capabilities & StoreCapabilities.RemoteRequests);

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
        if (_staged.TryGetValue(key, out var file))
        {
            return file is null ? null : _staging.Read(file);
        }

        NoteRead(key);
        return _base.GetPooled(key);
    }

    /// <inheritdoc/>
    public IMemoryOwner<byte>? GetRangePooled(string key, ByteRange range)
    {
        CheckOpen();
        if (_staged.TryGetValue(key, out var file))
        {
            return file is null ? null : _staging.ReadRange(file, key, range);
        }

        NoteRead(key);
        return _base.GetRangePooled(key, range);
    }

    /// <inheritdoc/>
    public bool OpensFiles => _base.OpensFiles;

    /// <inheritdoc/>
    public SafeFileHandle? OpenValue(string key)
    {
        CheckOpen();
        if (_staged.TryGetValue(key, out var file))
        {
            return file is null ? null : _staging.Open(file);
        }

        NoteRead(key);
        return _base.OpenValue(key);
    }

    /// <inheritdoc/>
    public void Set(string key, ReadOnlySpan<byte> value)
    {
        CheckOpen();
        StoreKeys.Validate(key);
        string path = _staging.Write(key, value);
        _staged[key] = path;
    }

    /// <inheritdoc/>
    public async ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        CheckOpen();
        StoreKeys.Validate(key);
        string path = await _staging.WriteAsync(key, value, cancellationToken).ConfigureAwait(false);
        _staged[key] = path;
    }

    /// <inheritdoc/>
    public async ValueTask<IMemoryOwner<byte>?> GetPooledAsync(string key, CancellationToken cancellationToken = default)
    {
        CheckOpen();
        if (_staged.TryGetValue(key, out var file))
        {
            return file is null ? null : await _staging.ReadAsync(file, cancellationToken).ConfigureAwait(false);
        }

        NoteRead(key);
        return await _base.GetPooledAsync(key, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public bool Delete(string key)
    {
        CheckOpen();
        StoreKeys.Validate(key);
        bool existed = Exists(key);
        if (_staged.TryGetValue(key, out var file) && file is not null)
        {
            _staging.Discard(file);
        }

        _staged[key] = null;
        return existed;
    }

    /// <inheritdoc/>
    public bool Exists(string key)
    {
        CheckOpen();
        if (_staged.TryGetValue(key, out var file))
        {
            return file is not null;
        }

        NoteRead(key);
        return _base.Exists(key);
    }

    /// <inheritdoc/>
    public long? GetSize(string key)
    {
        CheckOpen();
        if (_staged.TryGetValue(key, out var file))
        {
            return file is null ? null : _staging.Size(file);
        }

        return _base.GetSize(key);
    }

    /// <inheritdoc/>
    public IEnumerable<string> List(string prefix)
    {
        CheckOpen();
        var keys = _base.List(prefix).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, file) in _staged)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                if (file is null)
                {
                    keys.Remove(key);
                }
                else
                {
                    keys.Add(key);
                }
            }
        }

        return keys;
    }

    /// <inheritdoc/>
    public IEnumerable<string> ListDirectory(string prefix)
    {
        CheckOpen();
        return SnapshotListing.Children(_base.ListDirectory(prefix), prefix, _staged.Select(kv => (kv.Key, kv.Value is not null)), Exists, List);
    }

    /// <summary>
    /// Publishes every staged change atomically; returns a view of the new version (opened while this transaction's
    /// base view still holds the pin, so nothing it reads can be collected in between).
    /// </summary>
    public SnapshotView Commit(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, Committed, Open) != Open)
        {
            throw new InvalidOperationException($"transaction {Id} on store '{Name}' was already {(_state == Committed ? "committed" : "aborted")}");
        }

        try
        {
            var changes = new Dictionary<string, string?>(_staged, StringComparer.Ordinal);

            long version = _base.Directory.Commit(_staging, _base.Version, changes, _reads.Keys, cancellationToken);
            return _base.Directory.OpenAt(version);
        }
        catch
        {
            Volatile.Write(ref _state, Aborted);
            throw;
        }
        finally
        {
            Cleanup();
        }
    }

    /// <summary>Discards every staged change.</summary>
    public void Abort()
    {
        if (Interlocked.CompareExchange(ref _state, Aborted, Open) == Open)
        {
            Cleanup();
        }
    }

    private void Cleanup()
    {
        _staging.Remove();
        _base.Release();
    }

    // Metadata documents read from the snapshot join the conflict check: writing chunks against metadata that another
    // commit changed (a resize, a re-creation with other chunks) must fail.
    private void NoteRead(string key)
    {
        if (VersionedDirectory.IsMetadataKey(key))
        {
            _reads.TryAdd(key, 0);
        }
    }

    /// <summary>Adds keys to the conflict check as if they were read (the metadata an array handle was opened with).</summary>
    public void Watch(IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            _reads.TryAdd(key, 0);
        }
    }

    private void CheckOpen()
    {
        int state = Volatile.Read(ref _state);
        if (state != Open)
        {
            throw new InvalidOperationException($"transaction {Id} on store '{Name}' is {(state == Committed ? "committed" : "aborted")}; open the array from the store (or a new transaction) again");
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} (transaction {Id} on version {_base.Version})";
}
