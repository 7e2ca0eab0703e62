using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ChunkCompute.Storage.Stores;
using Microsoft.Win32.SafeHandles;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// The transaction log of an object store (S3, Azure Blob, or any <see cref="IStore"/> with conditional writes), kept
/// under <c>.chunkcompute/</c> beside the plain Zarr keys, which always hold the latest published values. It needs no
/// rename, link or lock: the commit point is creating record <c>log/N</c> with <see cref="IStore.SetIfAbsent"/>; every
/// later step is conditional and idempotent, so whoever publishes a commit (its writer, or after the writer's lease the
/// next writer) cannot undo another's work. The protocol, its costs and what a plain reader sees are described in
/// docs/DESIGN.md ("Transactions on object stores").
/// </summary>
/// <remarks>
/// Keys: <c>head</c> (the last fully published version), <c>log/N</c> (commit records, numbered without gaps),
/// <c>pre/N/KEY~</c> (the value commit N replaced or deleted, while a snapshot may need it), <c>staging/TX/KEY~</c>
/// (a transaction's values until published) and <c>pins/ID</c> (a reader's oldest version, renewed while it lives).
/// </remarks>
internal sealed partial class ObjectVersionLog : IVersionLog
{
    /// <summary>The prefix of every log key.</summary>
    public const string Prefix = VersionedDirectory.FolderName + "/";

    private const string HeadKey = Prefix + "head";
    private const string LogPrefix = Prefix + "log/";
    private const string PrePrefix = Prefix + "pre/";
    private const string StagingPrefix = Prefix + "staging/";
    private const string PinPrefix = Prefix + "pins/";
    private const int AutoCollectEvery = 16;

    private readonly IStore _store;
    private readonly ObjectLogTimings _timings;
    private readonly TimeSpan _waitTimeout;
    private readonly string _handleId;
    private readonly int _parallelism;
    private readonly List<WeakReference<SnapshotView>> _views = [];
    private readonly Timer _pinTimer;

    private readonly ObjectRecordIndex _index;

    private long _pinVersion = -1;
    private long _pinWanted = -1;
    private long _pinWrittenAt; // Stopwatch timestamp of the last pin write that succeeded
    private bool _disposed;

    private ObjectVersionLog(IStore store, ObjectLogTimings timings, TimeSpan waitTimeout, int parallelism, long head)
    {
        _store = store;
        _parallelism = Math.Max(1, parallelism);
        _timings = timings;
        _waitTimeout = waitTimeout;
        _handleId = $"{Sanitize(Environment.MachineName)}-{Environment.ProcessId}-{Guid.NewGuid():N}";
        _index = new ObjectRecordIndex(store, head);
        IsReadOnly = !store.Capabilities.HasFlag(StoreCapabilities.Writable);
        _pinTimer = new Timer(_ => RenewPin(), null, Timeout.Infinite, Timeout.Infinite);
    }

    /// <inheritdoc/>
    public string Name => _store.Name;

    /// <summary>The store underneath.</summary>
    public IStore Store => _store;

    /// <inheritdoc/>
    public bool IsReadOnly { get; }

    /// <inheritdoc/>
    public bool PinsUnavailable { get; private set; }

    /// <inheritdoc/>
    public bool OpensFiles => false;

    /// <inheritdoc/>
    public bool RemoteRequests => _store.Capabilities.HasFlag(StoreCapabilities.RemoteRequests);

    /// <summary>What concurrent writers on a store need from it; <see cref="SingleWriterStore"/> stands in for what is missing.</summary>
    public const StoreCapabilities Needed = StoreCapabilities.ConditionalCreate | StoreCapabilities.ConditionalUpdate | StoreCapabilities.ConditionalDelete;

    /// <summary>True for the keys of the log itself (hidden from listings of the store's content).</summary>
    public static bool IsLogKey(string key) => key.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>
    /// Opens the log of an object store; creates it when <paramref name="create"/> (writing <c>head</c> = 0). Returns null
    /// when the store has none and none is created: it is then read as it is.
    /// </summary>
    /// <param name="store">The store.</param>
    /// <param name="create">Whether to create the log when the store has none.</param>
    /// <param name="timings">The leases (default <see cref="ObjectLogTimings.Default"/>).</param>
    /// <param name="waitTimeout">How long a commit waits for another writer's commit to be published.</param>
    /// <param name="parallelism">Requests a commit makes at once (a commit's keys are independent until its head moves).</param>
    public static ObjectVersionLog? TryOpen(IStore store, bool create, ObjectLogTimings? timings = null, TimeSpan? waitTimeout = null, int parallelism = 16)
    {
        ArgumentNullException.ThrowIfNull(store);
        string? head = ReadText(store, HeadKey);
        if (head is null)
        {
            if (!create)
            {
                return null;
            }

            store.SetIfAbsent(HeadKey, "0"u8);
            head = ReadText(store, HeadKey) ?? "0";
        }

        return new ObjectVersionLog(store, timings ?? ObjectLogTimings.Default, waitTimeout ?? TimeSpan.FromSeconds(60), parallelism, ParseHead(store, head));
    }

    // ---------------------------------------------------------------- versions and snapshots

    /// <inheritdoc/>
    public long ReadVersion() => ParseHead(_store, ReadText(_store, HeadKey)
        ?? throw new InvalidMetadataException(Name, HeadKey, "the transaction log's head is missing (was the log deleted while the store was open?)"));

    private (long Version, string Tag) ReadHeadVersioned()
    {
        var v = _store.GetVersioned(HeadKey) ?? throw new InvalidMetadataException(Name, HeadKey, "the transaction log's head is missing");
        return (ParseHead(_store, Encoding.UTF8.GetString(v.Value.Span)), v.Version);
    }

    private static long ParseHead(IStore store, string text) =>
        long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long v)
            ? v
            : throw new InvalidMetadataException(store.Name, HeadKey, $"'{text.Trim()}' is not a version number");

    /// <inheritdoc/>
    public SnapshotView OpenLatest()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_views)
        {
            if (_pinVersion < 0 && !PinsUnavailable)
            {
                // As on a directory: pin the version read first, view the version read after the pin is written (a
                // collection reads the head before it lists pins, so one that missed this pin kept what this view needs).
                long pinned = ReadVersion();
                if (!IsReadOnly && TryWritePin(pinned))
                {
                    _pinVersion = pinned;
                    _pinTimer.Change(_timings.PinRenewal, _timings.PinRenewal);
                    return Register(new SnapshotView(this, Math.Max(pinned, ReadVersion())));
                }

                PinsUnavailable = true;
            }

            var view = Register(new SnapshotView(this, ReadVersion()));
            UpdatePin();
            return view;
        }
    }

    /// <inheritdoc/>
    public SnapshotView OpenAt(long version)
    {
        lock (_views)
        {
            if (!PinsUnavailable && (_pinVersion < 0 || version < _pinVersion))
            {
                throw new InvalidOperationException($"version {version} of store '{Name}' is not pinned by this handle");
            }

            return Register(new SnapshotView(this, version));
        }
    }

    /// <inheritdoc/>
    public void UpdatePin()
    {
        lock (_views)
        {
            if (_pinVersion < 0)
            {
                return;
            }

            // Moving a pin up is never urgent (a lower pin only keeps more): the renewal timer writes it, so a commit or
            // a refresh costs no request here.
            if (SnapshotListing.OldestLive(_views) is { } min && min > _pinVersion)
            {
                _pinWanted = Math.Max(_pinWanted, min);
            }
        }
    }

    private SnapshotView Register(SnapshotView view)
    {
        _views.Add(new WeakReference<SnapshotView>(view));
        return view;
    }

    private string PinKey => PinPrefix + _handleId;

    private bool TryWritePin(long version)
    {
        try
        {
            var pin = new ObjectPin(version, DateTime.UtcNow + _timings.PinLease);
            _store.Set(PinKey, JsonSerializer.SerializeToUtf8Bytes(pin, ObjectRecordJson.Default.ObjectPin));
            Volatile.Write(ref _pinWrittenAt, System.Diagnostics.Stopwatch.GetTimestamp());
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or StoreUnavailableException)
        {
            return false;
        }
    }

    private void RenewPin()
    {
        lock (_views)
        {
            if (_disposed || _pinVersion < 0)
            {
                return;
            }

            long version = Math.Max(_pinVersion, _pinWanted);
            if (TryWritePin(version)) // a failed renewal is retried at the next tick; the lease outlasts two
            {
                _pinVersion = version;
            }
        }
    }

    // ---------------------------------------------------------------- reading a version

    /// <inheritdoc/>
    public IMemoryOwner<byte>? Get(string key, long version)
    {
        var live = _store.GetVersioned(key);
        _index.Probe();
        var value = AtVersion(key, version, live, out long preImage);
        return preImage < 0 ? value : _store.GetPooled(PreKey(preImage, key)) ?? throw Expired(key, version, preImage);
    }

    /// <inheritdoc/>
    public async ValueTask<IMemoryOwner<byte>?> GetAsync(string key, long version, CancellationToken cancellationToken)
    {
        var live = await _store.GetVersionedAsync(key, cancellationToken).ConfigureAwait(false);
        await _index.ProbeAsync(cancellationToken).ConfigureAwait(false);
        var value = AtVersion(key, version, live, out long preImage);
        return preImage < 0 ? value : await _store.GetPooledAsync(PreKey(preImage, key), cancellationToken).ConfigureAwait(false) ?? throw Expired(key, version, preImage);
    }

    // The value of `key` at `version` given its live value read just before the index was probed: the live bytes when no
    // later commit changed the key or the first one has not replaced it yet; nothing when that commit created it; else
    // null with `preImage` = the commit whose pre-image holds it (-1 when the answer is the value or its absence).
    private IMemoryOwner<byte>? AtVersion(string key, long version, VersionedValue? live, out long preImage)
    {
        preImage = -1;
        var change = _index.FirstChangeAfter(key, version);
        if (change is { Before: null })
        {
            return null; // created after the version
        }

        if (change is not { } c || (live is not null && live.Version == c.Before))
        {
            return live is null ? null : new Lent(live.Value); // unchanged since, or not replaced yet
        }

        preImage = c.Number;
        return null;
    }

    /// <inheritdoc/>
    public IMemoryOwner<byte>? GetRange(string key, ByteRange range, long version)
    {
        // One version's bytes. A ranged read is one request, so it reads one value; when no commit after the version had
        // touched the key by the time it completed, that value is the version's. Otherwise the range is cut from the
        // version's whole value.
        var part = _store.GetRangePooled(key, range);
        _index.Probe();
        if (_index.FirstChangeAfter(key, version) is null)
        {
            return part;
        }

        part?.Dispose();
        using var whole = Get(key, version);
        if (whole is null)
        {
            return null;
        }

        var (offset, length) = range.Resolve(whole.Memory.Length, Name, key);
        return new Lent(whole.Memory.Slice((int)offset, (int)length).ToArray());
    }

    /// <inheritdoc/>
    public SafeFileHandle? Open(string key, long version) => null;

    /// <inheritdoc/>
    public long? GetSize(string key, long version)
    {
        long? live = _store.GetSize(key);
        _index.Probe();
        if (_index.FirstChangeAfter(key, version) is not { } c)
        {
            return live;
        }

        if (c.Before is null)
        {
            return null;
        }

        // The pre-image is written before the live value is replaced: looked for after the live size was read, it is
        // missing only if the live value was not replaced when its size was read.
        return _store.GetSize(PreKey(c.Number, key)) ?? (_store.GetVersion(key) == c.Before ? live : throw Expired(key, version, c.Number));
    }

    /// <inheritdoc/>
    public bool Exists(string key, long version)
    {
        bool live = _store.Exists(key);
        _index.Probe();
        return _index.FirstChangeAfter(key, version) is { } c ? c.Before is not null : live;
    }

    /// <inheritdoc/>
    public IEnumerable<string> List(string prefix, long version)
    {
        var keys = _store.List(prefix).Where(k => !IsLogKey(k)).ToHashSet(StringComparer.Ordinal);
        _index.Probe();
        foreach (var (key, existed) in _index.FirstChangesAfter(prefix, version))
        {
            if (existed)
            {
                keys.Add(key);
            }
            else
            {
                keys.Remove(key);
            }
        }

        return keys;
    }

    /// <inheritdoc/>
    public IEnumerable<string> ListDirectory(string prefix, long version)
    {
        string p = prefix.Trim('/');
        var live = _store.ListDirectory(prefix).Where(n => p.Length > 0 || n != VersionedDirectory.FolderName).ToList();
        _index.Probe();
        return SnapshotListing.Children(live, prefix, _index.FirstChangesAfter(p.Length == 0 ? string.Empty : p + "/", version), k => Exists(k, version), k => List(k, version));
    }

    private InvalidOperationException Expired(string key, long version, long number) =>
        new($"store '{Name}': '{key}' at version {version} is no longer readable: commit {number} replaced it and its pre-image was collected (this snapshot's pin expired; a reader must renew its pin within {_timings.PinLease.TotalSeconds:0} s)");

    // A value read whole lent as it is (no copy: the bytes belong to this read alone).
    private sealed class Lent(ReadOnlyMemory<byte> bytes) : IMemoryOwner<byte>
    {
        public Memory<byte> Memory => System.Runtime.InteropServices.MemoryMarshal.AsMemory(bytes);

        public void Dispose()
        {
        }
    }

    private static string LogKey(long number) => ObjectRecordIndex.KeyOf(number);

    private static string PreKey(long number, string key) =>
        PrePrefix + number.ToString("D20", CultureInfo.InvariantCulture) + "/" + key + VersionedDirectory.LogFileSuffix;

    private static string? ReadText(IStore store, string key)
    {
        using var bytes = store.GetPooled(key);
        return bytes is null ? null : Encoding.UTF8.GetString(bytes.Memory.Span);
    }

    private static string Sanitize(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_');
        }

        return sb.Length == 0 ? "host" : sb.ToString();
    }

    /// <summary>Stops renewing and deletes this handle's pin.</summary>
    public void Dispose()
    {
        lock (_views)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _pinTimer.Dispose();
            if (_pinVersion >= 0)
            {
                try
                {
                    _store.Delete(PinKey);
                }
                catch (Exception ex) when (ex is IOException or StoreUnavailableException or UnauthorizedAccessException)
                {
                    // it expires on its own
                }
            }
        }
    }
}
