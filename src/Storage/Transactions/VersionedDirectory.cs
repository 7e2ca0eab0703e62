using System.Buffers;
using Microsoft.Win32.SafeHandles;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// The transaction log of one directory store, kept in its hidden <c>.chunkcompute/</c> folder (which zarr-python
/// ignores). One instance per <see cref="ZarrStore"/> handle; instances in other threads and processes coordinate only
/// through the files. The protocol is described in docs/DESIGN.md ("Transactions"). This class composes the parts,
/// each with one job:
/// <list type="bullet">
/// <item><see cref="LogFolder"/>: the paths, and the checks against links and special files;</item>
/// <item><see cref="LogCounters"/>: <c>version</c> (the commit point) and <c>seq</c>;</item>
/// <item><see cref="CommitLock"/>: the commit lock (a kernel file lock plus an in-process gate);</item>
/// <item><see cref="PinRegistry"/>: this handle's snapshot pin, and the scan of everyone's;</item>
/// <item><see cref="RecordLog"/> and <see cref="RecordIndex"/>: the commit records, and an index of them by key;</item>
/// <item><see cref="PreImages"/> and <see cref="VersionReader"/>: reads of any key at an older version;</item>
/// <item><see cref="StagingArea"/>: transactions' staged files;</item>
/// <item><see cref="CommitPublisher"/>: publishing, rolling back and recovering commits;</item>
/// <item><see cref="Collector"/> and <see cref="LogTrash"/>: garbage collection.</item>
/// </list>
/// </summary>
/// <remarks>
/// Commit (under the commit lock): check conflicts against the records after the transaction's start version; write the
/// record (state <c>preparing</c>) and bump <c>seq</c>; hard-link every key it replaces or deletes into
/// <c>pre/N/</c>; rename the staged files over the live keys (chunks first, metadata last); write
/// <c>version = N</c>. The version file is the commit point: recovery rolls back any preparing record above it.
/// </remarks>
internal sealed class VersionedDirectory : IVersionLog
{
    /// <summary>The hidden folder's name.</summary>
    public const string FolderName = ".chunkcompute";

    /// <summary>
    /// Appended to the names of copies of values kept in the log (pre-images, staged values), so that no file there ends
    /// like a Zarr document (<c>.zarray</c>, <c>zarr.json</c>): tools that walk every file of a store, such as
    /// zarr-python's <c>consolidate_metadata</c>, would list them as nodes.
    /// </summary>
    public const string LogFileSuffix = "~";

    private const int AutoCollectEvery = 16;

    // A commit of at most this many values flushes their data after renaming them into place, with the live folders,
    // instead of before taking the lock: nothing needs them durable before the version is (until then a crash rolls the
    // commit back whatever their bytes), and flushing a file after its rename commits the file system's journal for
    // both, so the folder's flush that follows finds little left. More values are flushed in parallel before the lock,
    // where their write-back, begun as they were staged, does not hold up other writers.
    private const int FlushWhenPublishedValues = 4;

    private readonly LogFolder _folder;
    private readonly LogCounters _counters;
    private readonly CommitLock _lock;
    private readonly PinRegistry _pin;
    private readonly RecordLog _records;
    private readonly VersionReader _reader;
    private readonly StagingArea _staging;
    private readonly CommitPublisher _publisher;
    private readonly Collector _collector;
    private readonly LogTrash _trash;
    private readonly List<WeakReference<SnapshotView>> _views = [];
    private (long Number, Task<bool> Ready)? _prepared;
    private bool _disposed;

    private VersionedDirectory(DirectoryStore live, TransactionFiles files, TimeSpan lockTimeout)
    {
        Live = live;
        Files = files;
        _folder = new LogFolder(live.Name, live.Root);

        _folder.RequireFolder(_folder.Meta);
        foreach (var dir in _folder.Folders)
        {
            if (!_folder.RequireFolder(dir))
            {
                try
                {
                    Directory.CreateDirectory(dir);
                }
                catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
                {
                    // a store whose log this user cannot write: read without it (missing folders read as empty)
                }
            }
        }

        _counters = new LogCounters(_folder, files);
        _lock = new CommitLock(_folder, lockTimeout, _counters.IsReadOnly);
        _pin = new PinRegistry(_folder);
        _records = new RecordLog(_folder, files);
        var preImages = new PreImages(_folder, live);
        _reader = new VersionReader(live, new RecordIndex(_records, _counters.ReadSeq), preImages);
        _staging = new StagingArea(_folder);
        _trash = new LogTrash(_folder);
        _publisher = new CommitPublisher(live, files, preImages, _records, _counters);
        _collector = new Collector(_folder, _counters, _records, preImages, _staging, _trash);
    }

    /// <summary>The live directory store underneath.</summary>
    public DirectoryStore Live { get; }

    /// <summary>The file operations of the protocol (a fault-injecting one in tests).</summary>
    public TransactionFiles Files { get; }

    /// <summary>The store's name for messages.</summary>
    public string Name => Live.Name;

    /// <summary>Values at a version are files (the live file or a pre-image).</summary>
    public bool OpensFiles => true;

    /// <summary>
    /// True when this process cannot write the log (a read-only mount or another user's store): versions are read,
    /// commits are refused.
    /// </summary>
    public bool IsReadOnly => _counters.IsReadOnly;

    /// <summary>
    /// True when this handle's snapshot pin could not be written (the log is read-only here): its views read their
    /// version, but a collection by another process could remove pre-images they need.
    /// </summary>
    public bool PinsUnavailable { get; private set; }

    /// <summary>
    /// Opens the transaction log of a directory store, creating its folder when <paramref name="create"/> (and the
    /// directory is writable). Returns null when the store has no log and none can be created (a read-only directory):
    /// it is then read without snapshots. Opening never waits for a writer: when the commit lock is free (and the log
    /// writable) it rolls back a commit a killed process left half done and clears what dead processes left; when
    /// another process is committing, that commit (or the next one, or a collection) does it, and until then every
    /// snapshot reads around the half-done commit (its pre-images).
    /// </summary>
    /// <exception cref="UnsafeStoreEntryException">The log folder, or one of its folders or files, is a link or special file.</exception>
    public static VersionedDirectory? TryOpen(DirectoryStore live, bool create, TransactionFiles? files = null, TimeSpan? lockTimeout = null)
    {
        string meta = Path.Combine(live.Root, FolderName);
        switch (FileKinds.Of(meta))
        {
            case FileKind.Missing when !create:
                return null;
            case FileKind.Missing:
                try
                {
                    Directory.CreateDirectory(meta);
                }
                catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
                {
                    return null; // a read-only store: no log, no snapshots
                }

                break;
            case FileKind.Directory:
                break;
            case FileKind.SymbolicLink:
                throw new UnsafeStoreEntryException(live.Name, FolderName, "(the transaction log's folder) is a symbolic link");
            default:
                throw new UnsafeStoreEntryException(live.Name, FolderName, "(the transaction log's folder) is not a folder");
        }

        var dir = new VersionedDirectory(live, files ?? TransactionFiles.Real, lockTimeout ?? TimeSpan.FromSeconds(60));
        try
        {
            dir.RepairIfIdle();
            return dir;
        }
        catch
        {
            dir.Dispose();
            throw;
        }
    }

    /// <summary>True for the keys of Zarr metadata documents (published after chunks; read sets track them).</summary>
    public static bool IsMetadataKey(string key)
    {
        string last = key[(key.LastIndexOf('/') + 1)..];
        return last is "zarr.json" or ".zarray" or ".zattrs" or ".zgroup";
    }

    /// <summary>The latest committed version.</summary>
    public long ReadVersion() => _counters.ReadVersion();

    // ---------------------------------------------------------------- snapshots

    /// <summary>
    /// A read-only view of the latest version, kept readable (its pre-images are not collected) while this handle
    /// holds a view at or below it.
    /// </summary>
    public SnapshotView OpenLatest()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_views)
        {
            if (!_pin.IsHeld && !PinsUnavailable)
            {
                // Without the commit lock (readers never wait for writers): pin the version read first, then view the
                // version read after the pin is visible. A collection removes only records at or below the version it
                // read before listing pins, so one that missed the pin read a version at or below the one viewed here,
                // and every record this view may need (those above it) is kept.
                long pinned = _counters.ReadVersion();
                if (!IsReadOnly && _pin.TryCreate(pinned))
                {
                    return Register(new SnapshotView(this, Math.Max(pinned, _counters.ReadVersion())));
                }

                PinsUnavailable = true;
            }

            var view = Register(new SnapshotView(this, _counters.ReadVersion()));
            UpdatePin();
            return view;
        }
    }

    /// <summary>A view of an older version this handle already pins (a transaction's base).</summary>
    public SnapshotView OpenAt(long version)
    {
        lock (_views)
        {
            if (!PinsUnavailable && (!_pin.IsHeld || version < _pin.Version))
            {
                throw new InvalidOperationException($"version {version} of store '{Name}' is not pinned by this handle");
            }

            return Register(new SnapshotView(this, version));
        }
    }

    /// <summary>Moves this handle's pin up to the oldest view still alive, so older pre-images can be collected.</summary>
    public void UpdatePin()
    {
        lock (_views)
        {
            if (!_pin.IsHeld)
            {
                return;
            }

            if (SnapshotListing.OldestLive(_views) is { } min)
            {
                _pin.MoveUp(min);
            }
        }
    }

    private SnapshotView Register(SnapshotView view)
    {
        _views.Add(new WeakReference<SnapshotView>(view));
        return view;
    }

    /// <summary>The value of <paramref name="key"/> at <paramref name="version"/>.</summary>
    public IMemoryOwner<byte>? Get(string key, long version) => _reader.Get(key, version);

    /// <summary>A range of <paramref name="key"/>'s value at <paramref name="version"/>, read from its file.</summary>
    public IMemoryOwner<byte>? GetRange(string key, ByteRange range, long version)
    {
        using var file = _reader.Open(key, version);
        return file is null ? null : StoreDefaults.ReadRange(file, Name, key, range);
    }

    /// <summary>The file holding <paramref name="key"/>'s value at <paramref name="version"/> (as <see cref="Get"/>), opened for reading, or null.</summary>
    public SafeFileHandle? Open(string key, long version) => _reader.Open(key, version);

    /// <summary>The size of <paramref name="key"/>'s value at <paramref name="version"/>, or null.</summary>
    public long? GetSize(string key, long version) => _reader.GetSize(key, version);

    /// <summary>Whether <paramref name="key"/> exists at <paramref name="version"/>.</summary>
    public bool Exists(string key, long version) => _reader.Exists(key, version);

    /// <summary>The keys under <paramref name="prefix"/> at <paramref name="version"/>.</summary>
    public IEnumerable<string> List(string prefix, long version) => _reader.List(prefix, version);

    /// <summary>The immediate children of <paramref name="prefix"/> at <paramref name="version"/>.</summary>
    public IEnumerable<string> ListDirectory(string prefix, long version) => _reader.ListDirectory(prefix, version);

    // ---------------------------------------------------------------- transactions

    /// <summary>Creates a transaction's staging, locked while the transaction lives.</summary>
    /// <exception cref="UnauthorizedAccessException">The log is read-only here.</exception>
    public TransactionStaging CreateStaging(string id) =>
        IsReadOnly ? throw _folder.ReadOnlyError("staging") : new FileStaging(_staging, Files, id);

    /// <inheritdoc/>
    public TransactionStaging JoinStaging(string id) =>
        IsReadOnly ? throw _folder.ReadOnlyError("staging") : FileStaging.Join(_staging, Files, id);

    /// <summary>
    /// Publishes staged changes atomically. <paramref name="changes"/> maps each key to its staged file (null: delete);
    /// <paramref name="reads"/> are metadata keys the transaction read, which must not have changed either.
    /// Returns the new version, or the latest one when nothing changed.
    /// </summary>
    /// <exception cref="ConflictException">A key changed after <paramref name="startVersion"/>.</exception>
    public long Commit(TransactionStaging staging, long startVersion, IReadOnlyDictionary<string, string?> changes, IEnumerable<string> reads, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        string transactionId = staging.Id;
        var stagedFiles = changes.Values.OfType<string>().ToList();
        bool flushWhenPublished = stagedFiles.Count <= FlushWhenPublishedValues;
        if (!flushWhenPublished)
        {
            staging.Flush(stagedFiles, cancellationToken);
        }

        long number;
        using (_lock.Acquire(cancellationToken))
        {
            var current = _publisher.RecoverLocked();
            long version = current?.Version ?? 0;
            if (version > startVersion)
            {
                CheckConflicts(startVersion, version, changes.Keys, reads);
            }

            var entries = new List<CommitEntry>();
            foreach (var (key, staged) in changes.OrderBy(kv => IsMetadataKey(kv.Key) ? 1 : 0).ThenBy(kv => kv.Key, StringComparer.Ordinal))
            {
                Live.CheckKeyFolders(key); // a linked folder on the way would publish outside the store
                bool existed = FileKinds.Of(Live.PathOf(key)) is not (FileKind.Missing or FileKind.Directory);
                if (staged is null && !existed)
                {
                    continue;
                }

                entries.Add(new CommitEntry(key, staged is null, existed));
            }

            if (entries.Count == 0)
            {
                return version;
            }

            cancellationToken.ThrowIfCancellationRequested(); // the last point where cancelling leaves nothing to undo
            number = Math.Max(_counters.ReadSeq(), version) + 1;
            var commit = new CommitRecord { Number = number, Parent = version, Transaction = transactionId, Time = DateTime.UtcNow, Entries = entries };
            if (!TryWritePrepared(commit))
            {
                _records.Write(commit);
            }

            try
            {
                _counters.WriteSeq(number);
                _publisher.Publish(commit, changes, flushWhenPublished);
                _counters.WriteVersion(number, current);
            }
            catch (Exception ex)
            {
                try
                {
                    _publisher.Rollback(commit);
                }
                catch (Exception rollbackError)
                {
                    // The record stays 'preparing' above the version: the next open or commit rolls it back.
                    throw new IOException($"commit of version {number} to store '{Name}' failed ({ex.Message}) and could not be rolled back now ({rollbackError.Message}); it will be rolled back when the store is next opened", ex);
                }

                throw;
            }

            PrepareRecord(number + 1);
            try
            {
                // best effort: the commit is published whatever happens here. Opening a store changes nothing, so
                // commits (and `gc`) are where pins and stagings of dead processes are cleared.
                if (number % AutoCollectEvery == 0)
                {
                    _collector.CollectLocked();
                }
                else
                {
                    _collector.RemoveAbandonedLocked();
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or UnsafeStoreEntryException)
            {
            }
        }

        _trash.Empty(IsReadOnly);
        return number;
    }

    // The next commit's record file, made ready (created blank now, under the commit lock, and flushed with the log
    // folder's entries in the background) so that the next commit through this handle writes its record with one flush
    // of data in place instead of a file flush, a rename and a folder flush. Only this handle trusts the file, and only
    // once its flushes returned.
    private void PrepareRecord(long number)
    {
        Action flush;
        try
        {
            flush = _records.Prepare(number);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return; // the disk refused: the next commit writes its record the slower way
        }

        _prepared = (number, Task.Run(() =>
        {
            try
            {
                flush();
                return true;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }));
    }

    private bool TryWritePrepared(CommitRecord commit)
    {
        if (_prepared is not { } prepared)
        {
            return false;
        }

        _prepared = null;
        return prepared.Number == commit.Number && prepared.Ready.GetAwaiter().GetResult() && _records.TryWritePrepared(commit);
    }

    // A conflict: a record after `startVersion` (up to `version`) touched a key the transaction changes or read.
    private void CheckConflicts(long startVersion, long version, IEnumerable<string> changed, IEnumerable<string> reads)
    {
        var watched = new HashSet<string>(changed, StringComparer.Ordinal);
        watched.UnionWith(reads);
        for (long n = startVersion + 1; n <= version; n++)
        {
            var record = _records.Read(n);
            if (record is null || record.State == CommitRecord.Aborted)
            {
                continue;
            }

            // Metadata first: "the array was resized/replaced" explains more than a chunk key does.
            foreach (var e in record.Entries.OrderBy(e => IsMetadataKey(e.Key) ? 0 : 1))
            {
                if (watched.Contains(e.Key))
                {
                    throw new ConflictException(Name, NodeOf(e.Key), e.Key, startVersion, n);
                }
            }
        }
    }

    // The node a key belongs to, for messages: the path before the chunk part (c/…) or the metadata document.
    internal static string NodeOf(string key)
    {
        if (IsMetadataKey(key))
        {
            int slash = key.LastIndexOf('/');
            return slash < 0 ? string.Empty : key[..slash];
        }

        var parts = key.Split('/');
        int i = parts.Length - 1;
        while (i > 0 && (parts[i - 1] == "c" || parts[i - 1].All(char.IsAsciiDigit)))
        {
            i--;
        }

        if (i > 0 && parts[i - 1] == "c")
        {
            i--;
        }

        int end = Math.Max(0, i);
        return string.Join('/', parts[..end]);
    }

    // ---------------------------------------------------------------- maintenance

    /// <summary>
    /// Removes pre-images and records no live snapshot can need (those at or below the oldest live pin), pins of dead
    /// processes, and the staged files of dead transactions.
    /// </summary>
    public CollectResult Collect(CancellationToken cancellationToken)
    {
        CollectResult result;
        using (_lock.Acquire(cancellationToken))
        {
            _publisher.RecoverLocked();
            result = _collector.CollectLocked();
        }

        _trash.Empty(IsReadOnly);
        return result;
    }

    /// <summary>Pins (live snapshots), stagings (live transactions) and half-done commits of this store, for verification.</summary>
    public LogInspection Inspect()
    {
        // Never waits for a writer. Pins and staging locks appear already locked (created under temporary names), so
        // probing them needs no lock; a half-done commit is only reported when the commit lock is free (no process is
        // committing it).
        var (live, dead) = PinRegistry.Count(_folder);
        var (liveTx, orphaned) = _staging.Inspect();
        var problems = new List<string>();
        foreach (var id in orphaned)
        {
            problems.Add($"store '{Name}': orphaned staging '{FolderName}/staging/{id}' of a transaction whose process died (`chunkcompute gc` removes it)");
        }

        using (var held = _lock.TryAcquireNow())
        {
            if (held is not null)
            {
                long version = _counters.ReadVersion();
                foreach (long n in _records.Numbers().Where(n => n > version && _records.TryRead(n, out var r) && r is { State: CommitRecord.Preparing }))
                {
                    problems.Add($"store '{Name}': commit {n} is half done ('{FolderName}/log/{n}.json' is preparing above the published version) and no process is committing it");
                }
            }
        }

        var notes = dead > 0 ? new[] { $"{dead} snapshot pin(s) of dead processes (`chunkcompute gc` removes them)" } : [];
        return new LogInspection(live, dead, liveTx, problems, notes);
    }

    // Recovery without waiting: only when nobody holds the commit lock.
    private void RepairIfIdle()
    {
        if (IsReadOnly)
        {
            return;
        }

        using (var held = _lock.TryAcquireNow())
        {
            if (held is null)
            {
                return;
            }

            if (!_folder.RequireFile(_folder.VersionPath))
            {
                _counters.WriteVersion(0, null);
            }

            _publisher.RecoverLocked();
            _collector.RemoveAbandonedLocked();
        }

        _trash.Empty(IsReadOnly);
    }

    /// <summary>Releases this handle's pin and files.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_prepared is { } prepared)
        {
            prepared.Ready.GetAwaiter().GetResult(); // no file of this store is created after it is closed
        }

        lock (_views)
        {
            _pin.Dispose();
        }

        _counters.Dispose();
    }
}
