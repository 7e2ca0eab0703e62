using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using ChunkCompute.Storage.Stores;

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
internal sealed class ObjectVersionLog : IVersionLog
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

    // The records this handle has seen (numbers above the head it opened at), indexed by key; see Probe.
    private readonly Lock _indexGate = new();
    private readonly Dictionary<long, ObjectRecord> _records = [];
    private readonly Dictionary<string, List<(long Number, string? Before)>> _byKey = new(StringComparer.Ordinal);
    private long _known;

    // Probes of the log are shared: a read is covered by any probe that started after the read completed.
    private readonly SemaphoreSlim _probeLock = new(1, 1);
    private long _coveredUpTo;

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
        _known = head;
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
        Probe();
        var change = FirstChangeAfter(key, version);
        if (change is not { } c)
        {
            return live is null ? null : Own(live.Value);
        }

        if (c.Before is null)
        {
            return null; // created after the version
        }

        if (live is not null && live.Version == c.Before)
        {
            return Own(live.Value); // not replaced yet
        }

        return _store.GetPooled(PreKey(c.Number, key)) ?? throw Expired(key, version, c.Number);
    }

    /// <inheritdoc/>
    public async ValueTask<IMemoryOwner<byte>?> GetAsync(string key, long version, CancellationToken cancellationToken)
    {
        var live = await _store.GetVersionedAsync(key, cancellationToken).ConfigureAwait(false);
        await ProbeAsync(cancellationToken).ConfigureAwait(false);
        var change = FirstChangeAfter(key, version);
        if (change is not { } c)
        {
            return live is null ? null : Own(live.Value);
        }

        if (c.Before is null)
        {
            return null;
        }

        if (live is not null && live.Version == c.Before)
        {
            return Own(live.Value);
        }

        return await _store.GetPooledAsync(PreKey(c.Number, key), cancellationToken).ConfigureAwait(false) ?? throw Expired(key, version, c.Number);
    }

    /// <inheritdoc/>
    public IMemoryOwner<byte>? GetRange(string key, ByteRange range, long version)
    {
        // One version's bytes: a range read of the live value could straddle a replacement, so a range is cut from the
        // whole value when a commit after the version touched the key, and read as a range only when none did.
        // One version's bytes. A ranged read is one request, so it reads one value; when no commit after the version had
        // touched the key by the time it completed, that value is the version's. Otherwise the range is cut from the
        // version's whole value.
        var part = _store.GetRangePooled(key, range);
        Probe();
        if (FirstChangeAfter(key, version) is null)
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
        return Own(whole.Memory.Slice((int)offset, (int)length));
    }

    /// <inheritdoc/>
    public SafeFileHandle? Open(string key, long version) => null;

    /// <inheritdoc/>
    public long? GetSize(string key, long version)
    {
        long? live = _store.GetSize(key);
        Probe();
        if (FirstChangeAfter(key, version) is not { } c)
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
        Probe();
        return FirstChangeAfter(key, version) is { } c ? c.Before is not null : live;
    }

    /// <inheritdoc/>
    public IEnumerable<string> List(string prefix, long version)
    {
        var keys = _store.List(prefix).Where(k => !IsLogKey(k)).ToHashSet(StringComparer.Ordinal);
        Probe();
        foreach (var (key, existed) in FirstChangesAfter(prefix, version))
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
        Probe();
        return SnapshotListing.Children(live, prefix, FirstChangesAfter(p.Length == 0 ? string.Empty : p + "/", version), k => Exists(k, version), k => List(k, version));
    }

    private InvalidOperationException Expired(string key, long version, long number) =>
        new($"store '{Name}': '{key}' at version {version} is no longer readable: commit {number} replaced it and its pre-image was collected (this snapshot's pin expired; a reader must renew its pin within {_timings.PinLease.TotalSeconds:0} s)");

    private static ArrayPoolOwner Own(ReadOnlyMemory<byte> bytes)
    {
        var owner = new ArrayPoolOwner(bytes.Length);
        bytes.Span.CopyTo(owner.Memory.Span);
        return owner;
    }

    // ---------------------------------------------------------------- the record index

    // Makes the index cover every record that existed when the caller's read completed: records are numbered without
    // gaps, so probing the next number until one is missing finds them all. Concurrent callers share probes: a read is
    // covered by any probe that started after it completed. The asynchronous form holds no thread while it waits (reads
    // of a remote store run as many continuations on few threads; a blocking wait there would starve the pool).
    private void Probe()
    {
        long readDone = System.Diagnostics.Stopwatch.GetTimestamp();
        if (Volatile.Read(ref _coveredUpTo) > readDone)
        {
            return;
        }

        _probeLock.Wait();
        try
        {
            if (Volatile.Read(ref _coveredUpTo) > readDone)
            {
                return;
            }

            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            ProbeNow();
            Volatile.Write(ref _coveredUpTo, Math.Max(Volatile.Read(ref _coveredUpTo), started));
        }
        finally
        {
            _probeLock.Release();
        }
    }

    private async ValueTask ProbeAsync(CancellationToken cancellationToken)
    {
        long readDone = System.Diagnostics.Stopwatch.GetTimestamp();
        if (Volatile.Read(ref _coveredUpTo) > readDone)
        {
            return;
        }

        await _probeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _coveredUpTo) > readDone)
            {
                return;
            }

            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            while (true)
            {
                long next = Volatile.Read(ref _known) + 1;
                using var bytes = await _store.GetPooledAsync(LogKey(next), cancellationToken).ConfigureAwait(false);
                if (bytes is null)
                {
                    break;
                }

                AddToIndex(ParseRecord(next, bytes.Memory.Span));
            }

            Volatile.Write(ref _coveredUpTo, Math.Max(Volatile.Read(ref _coveredUpTo), started));
        }
        finally
        {
            _probeLock.Release();
        }
    }

    private void ProbeNow()
    {
        while (true)
        {
            long next = Volatile.Read(ref _known) + 1;
            var record = ReadRecord(next);
            if (record is null)
            {
                return;
            }

            AddToIndex(record);
        }
    }

    private void AddToIndex(ObjectRecord record)
    {
        lock (_indexGate)
        {
            if (record.Number != _known + 1)
            {
                return;
            }

            _records[record.Number] = record;
            foreach (var e in record.Entries)
            {
                if (!_byKey.TryGetValue(e.Key, out var list))
                {
                    _byKey[e.Key] = list = [];
                }

                list.Add((record.Number, e.Before));
            }

            Volatile.Write(ref _known, record.Number);
        }
    }

    private ObjectRecord? ReadRecord(long number)
    {
        using var bytes = _store.GetPooled(LogKey(number));
        if (bytes is null)
        {
            return null;
        }

        return ParseRecord(number, bytes.Memory.Span);
    }

    private ObjectRecord ParseRecord(long number, ReadOnlySpan<byte> bytes)
    {
        var record = ObjectRecord.Parse(bytes);
        return record is not null && record.Number == number
            ? record
            : throw new InvalidMetadataException(Name, LogKey(number), "the commit record is not valid");
    }

    private (long Number, string? Before)? FirstChangeAfter(string key, long version)
    {
        lock (_indexGate)
        {
            if (_byKey.TryGetValue(key, out var list))
            {
                foreach (var c in list)
                {
                    if (c.Number > version)
                    {
                        return c;
                    }
                }
            }

            return null;
        }
    }

    private List<(string Key, bool Existed)> FirstChangesAfter(string prefix, long version)
    {
        var found = new List<(string, bool)>();
        lock (_indexGate)
        {
            foreach (var (key, list) in _byKey)
            {
                if (!key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                foreach (var c in list)
                {
                    if (c.Number > version)
                    {
                        found.Add((key, c.Before is not null));
                        break;
                    }
                }
            }
        }

        return found;
    }

    private ObjectRecord RecordOf(long number)
    {
        lock (_indexGate)
        {
            if (_records.TryGetValue(number, out var r))
            {
                return r;
            }
        }

        return ReadRecord(number) ?? throw new InvalidMetadataException(Name, LogKey(number), "the commit record is missing (collected while a snapshot older than it was still open?)");
    }

    private static string LogKey(long number) => LogPrefix + number.ToString("D20", CultureInfo.InvariantCulture);

    private static string PreKey(long number, string key) =>
        PrePrefix + number.ToString("D20", CultureInfo.InvariantCulture) + "/" + key + VersionedDirectory.LogFileSuffix;

    // ---------------------------------------------------------------- transactions

    /// <inheritdoc/>
    public TransactionStaging CreateStaging(string id)
    {
        if (IsReadOnly)
        {
            throw new UnauthorizedAccessException($"store '{Name}' is read-only for this process: it can be read, not changed");
        }

        // A staging lives as long as its handle's pin: `gc` removes the stagings of handles whose pin is dead.
        if (Volatile.Read(ref _pinVersion) < 0)
        {
            throw new IOException($"store '{Name}': a transaction needs this handle's pin ('{PinKey}'), which could not be written");
        }

        return new ObjectStaging(_store, StagingPrefix + _handleId + "." + id + "/", id);
    }

    // The pin keeps this handle's stagings from collection; a handle that could not renew it for half its lease (a
    // paused process, a lost connection) renews it now or gives up before its commit point.
    private void RequireFreshPin()
    {
        var since = System.Diagnostics.Stopwatch.GetElapsedTime(Volatile.Read(ref _pinWrittenAt));
        if (since < _timings.PinLease / 2)
        {
            return;
        }

        lock (_views)
        {
            if (!TryWritePin(Math.Max(_pinVersion, 0)))
            {
                throw new IOException($"store '{Name}': this handle's pin was not renewed for {since.TotalSeconds:0} s and cannot be now, so its staged values may have been collected; the transaction is not committed");
            }
        }
    }

    /// <inheritdoc/>
    public long Commit(TransactionStaging staging, long startVersion, IReadOnlyDictionary<string, string?> changes, IEnumerable<string> reads, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var watched = new HashSet<string>(changes.Keys, StringComparer.Ordinal);
        watched.UnionWith(reads);
        var ordered = changes.OrderBy(kv => VersionedDirectory.IsMetadataKey(kv.Key) ? 1 : 0).ThenBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        var waitUntil = DateTime.UtcNow + _waitTimeout;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long latest = PublishedLatest(waitUntil, cancellationToken);
            CheckConflicts(startVersion, latest, watched);

            // Every commit up to `latest` is published, so the live keys are at version `latest`: their versions now are
            // the "before" versions the publishing of this commit is conditioned on.
            var befores = new string?[ordered.Count];
            ForEach(Enumerable.Range(0, ordered.Count), async (i, ct) => befores[i] = await _store.GetVersionAsync(ordered[i].Key, ct).ConfigureAwait(false), cancellationToken);
            var entries = new List<ObjectEntry>();
            for (int i = 0; i < ordered.Count; i++)
            {
                var (key, handle) = ordered[i];
                if (handle is null && befores[i] is null)
                {
                    continue;
                }

                entries.Add(new ObjectEntry(key, befores[i], handle));
            }

            if (entries.Count == 0)
            {
                return latest;
            }

            cancellationToken.ThrowIfCancellationRequested(); // the last point where cancelling leaves nothing behind
            RequireFreshPin();
            var now = DateTime.UtcNow;
            var record = new ObjectRecord
            {
                Number = latest + 1,
                Base = startVersion,
                Transaction = staging.Id,
                Time = now,
                LeaseUntil = now + _timings.CommitLease + (_timings.LeasePerKey * entries.Count / _parallelism),
                Entries = entries,
            };
            // From here the staged values may belong to a commit: kept unless the record is known not to exist.
            var objectStaging = (ObjectStaging)staging;
            objectStaging.Retained = true;
            bool created;
            try
            {
                created = _store.SetIfAbsent(LogKey(record.Number), record.ToJson());
            }
            catch (Exception ex) when (ex is IOException or StoreUnavailableException or TimeoutException)
            {
                // The answer was lost: the record may exist. If it does, the transaction is committed.
                ObjectRecord? found = null;
                try
                {
                    found = ReadRecord(record.Number);
                }
                catch (Exception readError) when (readError is IOException or StoreUnavailableException or TimeoutException or InvalidMetadataException)
                {
                }

                if (found is null || found.Transaction != record.Transaction || found.Time != record.Time)
                {
                    throw new IOException($"store '{Name}': the commit point of version {record.Number} (creating '{LogKey(record.Number)}') failed ({ex.Message}); the transaction is not committed (its staged values are kept until `gc`, in case the request reached the service after all: then the next writer publishes it)", ex);
                }

                created = true;
            }

            if (!created)
            {
                // Another writer made this version first: wait for it, check it for conflicts, try the next. Unless it
                // is this very record: a request retried after its answer was lost finds the key it created.
                if (ReadRecord(record.Number) is not { } made || made.Transaction != record.Transaction || made.Time != record.Time)
                {
                    objectStaging.Retained = false;
                    continue;
                }
            }

            // Committed. Its staged values now belong to the log until the commit is published.
            AddToIndex(record);
            try
            {
                Publish(record, record.LeaseUntil);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new IOException($"version {record.Number} of store '{Name}' is committed but not yet fully published ({ex.Message}); readers see version {record.Number - 1} until it is: the next commit, `chunkcompute gc` or `verify` finishes publishing it after its lease ends at {record.LeaseUntil:O} (+{_timings.ClockSkew.TotalSeconds:0} s)", ex);
            }

            ((ObjectStaging)staging).Retained = false;
            ((ObjectStaging)staging).Published = true; // publishing deleted its values
            if (record.Number % AutoCollectEvery == 0)
            {
                try
                {
                    Collect(CancellationToken.None);
                }
                catch (Exception ex) when (ex is IOException or StoreUnavailableException or InvalidMetadataException)
                {
                    // best effort: the commit is published whatever happens here
                }
            }

            return record.Number;
        }
    }

    // The latest record, once every record up to it is published: commits whose writer is inside its lease are waited
    // for; those whose lease has ended are finished here.
    private long PublishedLatest(DateTime waitUntil, CancellationToken cancellationToken)
    {
        int attempt = 0;
        while (true)
        {
            long head = ReadVersion();
            ProbeNow();
            long latest = Math.Max(head, Volatile.Read(ref _known));
            if (latest == head)
            {
                return head;
            }

            var pending = RecordOf(head + 1);
            if (DateTime.UtcNow > pending.LeaseUntil + _timings.ClockSkew)
            {
                Publish(pending, deadline: null); // its writer died or stalled: finish it
                continue;
            }

            if (DateTime.UtcNow > waitUntil)
            {
                throw new TimeoutException($"store '{Name}': waited {_waitTimeout.TotalSeconds:0} s for commit {pending.Number} (transaction {pending.Transaction}) to be published by its writer, whose lease ends at {pending.LeaseUntil:O}");
            }

            Thread.Sleep(Math.Min(1 << Math.Min(attempt++, 6), 50));
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private void CheckConflicts(long startVersion, long latest, HashSet<string> watched)
    {
        for (long n = startVersion + 1; n <= latest; n++)
        {
            var record = RecordOf(n);
            foreach (var e in record.Entries.OrderBy(e => VersionedDirectory.IsMetadataKey(e.Key) ? 0 : 1))
            {
                if (watched.Contains(e.Key))
                {
                    throw new ConflictException(Name, VersionedDirectory.NodeOf(e.Key), e.Key, startVersion, n);
                }
            }
        }
    }

    // Publishes a commit: for each key, keep the value it replaces (unless already kept or already replaced), replace it
    // only while it still has its "before" version, then advance the head. Every step is idempotent and conditional, so
    // two publishers of one commit (a slow writer and a finisher) produce the same result, and neither can touch a key
    // once a later commit has changed it. `deadline`: the writer stops at the end of its lease.
    private void Publish(ObjectRecord record, DateTime? deadline)
    {
        // Chunks at once, then metadata in order: a plain reader sees new metadata only over new chunks.
        ForEach(record.Entries.Where(e => !VersionedDirectory.IsMetadataKey(e.Key)), (e, ct) => PublishEntryAsync(record, e, deadline, ct), CancellationToken.None);
        foreach (var e in record.Entries.Where(e => VersionedDirectory.IsMetadataKey(e.Key)))
        {
            PublishEntryAsync(record, e, deadline, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }

        CheckLease(record, deadline);
        while (true)
        {
            var (head, tag) = ReadHeadVersioned();
            if (head >= record.Number)
            {
                break;
            }

            if (head != record.Number - 1)
            {
                throw new InvalidMetadataException(Name, HeadKey, $"the head is at version {head} while commit {record.Number} is published (commits publish in order)");
            }

            if (_store.SetIfVersion(HeadKey, Encoding.UTF8.GetBytes(record.Number.ToString(CultureInfo.InvariantCulture)), tag) is not null)
            {
                break;
            }
        }

        // The staged values are no longer needed (every reader of the new version reads the live keys).
        ForEach(record.Entries.Select(e => e.Staged).OfType<string>(), async (k, ct) => await _store.DeleteAsync(k, ct).ConfigureAwait(false), CancellationToken.None);
    }

    private async ValueTask PublishEntryAsync(ObjectRecord record, ObjectEntry e, DateTime? deadline, CancellationToken cancellationToken)
    {
        CheckLease(record, deadline);
        if (e.Before is { } before)
        {
            var kept = await _store.CopyIfAbsentAsync(e.Key, before, PreKey(record.Number, e.Key), cancellationToken).ConfigureAwait(false);
            if (kept == CopyOutcome.SourceChanged)
            {
                return; // already replaced (or deleted) by another publisher of this commit
            }

            CheckLease(record, deadline);
            if (e.Staged is null)
            {
                await _store.DeleteIfVersionAsync(e.Key, before, cancellationToken).ConfigureAwait(false);
                return;
            }

            using var value = await _store.GetPooledAsync(e.Staged, cancellationToken).ConfigureAwait(false);
            if (value is not null)
            {
                await _store.SetIfVersionAsync(e.Key, value.Memory, before, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                RequirePublished(record, e);
            }
        }
        else if (e.Staged is not null)
        {
            if (_store.Capabilities.HasFlag(StoreCapabilities.ServerSideCopy))
            {
                // A new key: the service copies the staged value (no bytes through this process). A missing staged value
                // was published and removed already.
                if (await _store.GetVersionAsync(e.Staged, cancellationToken).ConfigureAwait(false) is { } staged)
                {
                    await _store.CopyIfAbsentAsync(e.Staged, staged, e.Key, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    RequirePublished(record, e);
                }

                return;
            }

            using var value = await _store.GetPooledAsync(e.Staged, cancellationToken).ConfigureAwait(false);
            if (value is not null)
            {
                await _store.SetIfAbsentAsync(e.Key, value.Memory, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                RequirePublished(record, e);
            }
        }
    }

    // A staged value is removed only once its commit is published; missing before that, it was lost (collected while its
    // writer was paused past its pin): an error naming it, never a commit published without it.
    private void RequirePublished(ObjectRecord record, ObjectEntry e)
    {
        if (ReadVersion() < record.Number)
        {
            throw new InvalidMetadataException(Name, e.Staged!, $"the staged value of '{e.Key}' in commit {record.Number} is missing while the commit is not yet published (removed by a collection after its writer's pin lapsed?)");
        }
    }

    // Runs independent requests `_parallelism` at a time, as asynchronous requests (no thread waits on one), and waits
    // for them; the first failure is rethrown as itself.
    private void ForEach<T>(IEnumerable<T> items, Func<T, CancellationToken, ValueTask> body, CancellationToken cancellationToken)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = _parallelism, CancellationToken = cancellationToken };
        Task.Run(() => Parallel.ForEachAsync(items, options, body), cancellationToken).GetAwaiter().GetResult();
    }

    private static string StagingOf(ObjectRecord record)
    {
        string? first = record.Entries.Select(e => e.Staged).FirstOrDefault(s => s is not null);
        if (first is null)
        {
            return StagingPrefix + "\0none/";
        }

        int end = first.IndexOf('/', StagingPrefix.Length);
        return first[..(end + 1)];
    }

    private void CheckLease(ObjectRecord record, DateTime? deadline)
    {
        if (deadline is { } d && DateTime.UtcNow > d)
        {
            throw new TimeoutException($"publishing commit {record.Number} took longer than its lease ({_timings.CommitLease.TotalSeconds:0} s); the writer stops so that another can finish it");
        }
    }

    // ---------------------------------------------------------------- maintenance

    /// <inheritdoc/>
    public CollectResult Collect(CancellationToken cancellationToken)
    {
        if (IsReadOnly)
        {
            throw new UnauthorizedAccessException($"store '{Name}' is read-only for this process: it can be read, not changed");
        }

        // Commits whose writers died are finished first (so their stagings are no longer needed).
        long head = PublishedLatestWithoutWaiting(cancellationToken);
        var (livePins, deadPins) = ReadPins();
        long horizon = livePins.Count == 0 ? head : Math.Min(head, livePins.Min());

        int deadPinCount = 0;
        foreach (var key in deadPins)
        {
            deadPinCount += _store.Delete(key) ? 1 : 0;
        }

        int records = 0;
        foreach (var key in _store.List(LogPrefix).ToList())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (NumberIn(key, LogPrefix) is { } n && n <= horizon && _store.Delete(key))
            {
                records++;
            }
        }

        var preVersions = new HashSet<long>();
        foreach (var key in _store.List(PrePrefix).ToList())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (NumberIn(key, PrePrefix) is { } n && n <= horizon)
            {
                _store.Delete(key);
                preVersions.Add(n);
            }
        }

        int orphans = 0;
        foreach (var prefix in OrphanedStagings(head))
        {
            foreach (var key in _store.List(prefix).ToList())
            {
                _store.Delete(key);
            }

            orphans++;
        }

        return new CollectResult(preVersions.Count, records, deadPinCount, orphans, horizon);
    }

    // The head after finishing every commit whose lease has ended; stops (without waiting) at one still in its lease.
    private long PublishedLatestWithoutWaiting(CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            long head = ReadVersion();
            ProbeNow();
            if (Volatile.Read(ref _known) <= head)
            {
                return head;
            }

            var pending = RecordOf(head + 1);
            if (DateTime.UtcNow <= pending.LeaseUntil + _timings.ClockSkew)
            {
                return head;
            }

            Publish(pending, deadline: null);
        }
    }

    private (List<long> Live, List<string> Dead) ReadPins()
    {
        var live = new List<long>();
        var dead = new List<string>();
        var now = DateTime.UtcNow;
        foreach (var key in _store.List(PinPrefix).ToList())
        {
            using var bytes = _store.GetPooled(key);
            ObjectPin? pin = null;
            if (bytes is not null)
            {
                try
                {
                    pin = JsonSerializer.Deserialize(bytes.Memory.Span, ObjectRecordJson.Default.ObjectPin);
                }
                catch (JsonException)
                {
                }
            }

            if (pin is not null && pin.Expires + _timings.ClockSkew >= now)
            {
                live.Add(pin.Version);
            }
            else if (bytes is not null)
            {
                dead.Add(key);
            }
        }

        return (live, dead);
    }

    // Staging prefixes of transactions whose handle's pin is gone or dead and that no unpublished commit needs.
    private List<string> OrphanedStagings(long head)
    {
        var livePinIds = new HashSet<string>(StringComparer.Ordinal);
        var now = DateTime.UtcNow;
        foreach (var key in _store.List(PinPrefix).ToList())
        {
            using var bytes = _store.GetPooled(key);
            if (bytes is null)
            {
                continue;
            }

            try
            {
                if (JsonSerializer.Deserialize(bytes.Memory.Span, ObjectRecordJson.Default.ObjectPin) is { } pin && pin.Expires + _timings.ClockSkew >= now)
                {
                    livePinIds.Add(key[PinPrefix.Length..]);
                }
            }
            catch (JsonException)
            {
            }
        }

        var needed = new HashSet<string>(StringComparer.Ordinal);
        for (long n = head + 1; n <= Volatile.Read(ref _known); n++)
        {
            needed.Add(StagingOf(RecordOf(n)));
        }

        var orphaned = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in _store.List(StagingPrefix))
        {
            int slash = key.IndexOf('/', StagingPrefix.Length);
            if (slash < 0)
            {
                continue;
            }

            string prefix = key[..(slash + 1)];
            string id = key[StagingPrefix.Length..slash];
            int dot = id.IndexOf('.', StringComparison.Ordinal);
            string handle = dot < 0 ? id : id[..dot];
            if (!livePinIds.Contains(handle) && handle != _handleId && !needed.Contains(prefix))
            {
                orphaned.Add(prefix);
            }
        }

        return [.. orphaned];
    }

    private static long? NumberIn(string key, string prefix)
    {
        string rest = key[prefix.Length..];
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        string digits = slash < 0 ? rest : rest[..slash];
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : null;
    }

    /// <inheritdoc/>
    public LogInspection Inspect()
    {
        long head = ReadVersion();
        ProbeNow();
        var problems = new List<string>();
        var now = DateTime.UtcNow;
        for (long n = head + 1; n <= Volatile.Read(ref _known); n++)
        {
            var r = RecordOf(n);
            if (now > r.LeaseUntil + _timings.ClockSkew)
            {
                problems.Add($"store '{Name}': commit {n} is committed but not fully published ('{LogKey(n)}'), and its writer's lease ended at {r.LeaseUntil:O}: the next commit or `chunkcompute gc` finishes publishing it");
            }
        }

        var (live, dead) = ReadPins();
        var orphaned = OrphanedStagings(head);
        foreach (var prefix in orphaned)
        {
            problems.Add($"store '{Name}': orphaned staging '{prefix}' of a transaction whose process died (`chunkcompute gc` removes it)");
        }

        var notes = dead.Count > 0 ? new[] { $"{dead.Count} snapshot pin(s) of dead processes (`chunkcompute gc` removes them)" } : [];
        return new LogInspection(live.Count, dead.Count, 0, problems, notes);
    }

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

    // A transaction's staged values, as keys under its staging prefix in the store itself (so that a finisher can
    // publish them if the writer dies after its commit point).
    private sealed class ObjectStaging(IStore store, string prefix, string id) : TransactionStaging
    {
        public bool Retained { get; set; }

        public bool Published { get; set; }

        public override string Id => id;

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
}
