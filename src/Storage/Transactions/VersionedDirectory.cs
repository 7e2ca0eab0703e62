using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Win32.SafeHandles;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// The transaction log of one directory store, kept in its hidden <c>.chunkcompute/</c> folder (which zarr-python
/// ignores): versions, commit records, pre-images of replaced chunks, snapshot pins, staging folders and the commit
/// lock. One instance per <see cref="ZarrStore"/> handle; instances in other threads and processes coordinate only
/// through the files. The protocol is described in docs/DESIGN.md ("Transactions").
/// </summary>
/// <remarks>
/// Commit (under the commit lock): check conflicts against the records after the transaction's start version; write the
/// record (state <c>preparing</c>) and bump <c>seq</c>; hard-link every key it replaces or deletes into
/// <c>pre/N/</c>; rename the staged files over the live keys (chunks first, metadata last); write
/// <c>version = N</c>. The version file is the commit point: recovery rolls back any preparing record above it.
/// A snapshot reader at version s reads a key's live file, then (after reading <c>seq</c>) looks for the first record
/// after s that touches the key: none → the live bytes; the key did not exist before it → missing; else its
/// pre-image if there is one yet, else the live bytes (which then cannot have been replaced yet).
/// </remarks>
internal sealed class VersionedDirectory : IDisposable
{
    /// <summary>The hidden folder's name.</summary>
    public const string FolderName = ".chunkcompute";

    private const string TempPrefix = ".ccw-";
    private const string TempSuffix = ".tmp";
    private const int AutoCollectEvery = 16;
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> InProcessGates = new(StringComparer.Ordinal);

    private readonly string _meta;
    private readonly string _logDir;
    private readonly string _preDir;
    private readonly string _pinsDir;
    private readonly string _stagingDir;
    private readonly string _trashDir;
    private readonly string _versionPath;
    private readonly string _lockPath;
    private readonly SafeFileHandle _seqHandle;
    private readonly Lock _indexLock = new();
    private readonly Dictionary<string, List<KeyChange>> _byKey = new(StringComparer.Ordinal);
    private readonly List<WeakReference<SnapshotView>> _views = [];
    private long _indexedSeq = -1;
    private FileStream? _pin;
    private string? _pinPath;
    private long _pinVersion;
    private bool _disposed;

    private VersionedDirectory(DirectoryStore live, TransactionFiles files, TimeSpan lockTimeout)
    {
        Live = live;
        Files = files;
        LockTimeout = lockTimeout;
        _meta = Path.Combine(live.Root, FolderName);
        _logDir = Path.Combine(_meta, "log");
        _preDir = Path.Combine(_meta, "pre");
        _pinsDir = Path.Combine(_meta, "pins");
        _stagingDir = Path.Combine(_meta, "staging");
        _trashDir = Path.Combine(_meta, "trash");
        _versionPath = Path.Combine(_meta, "version");
        _lockPath = Path.Combine(_meta, "lock");
        foreach (var dir in new[] { _meta, _logDir, _preDir, _pinsDir, _stagingDir, _trashDir })
        {
            Directory.CreateDirectory(dir);
        }

        _seqHandle = File.OpenHandle(Path.Combine(_meta, "seq"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
    }

    /// <summary>The live directory store underneath.</summary>
    public DirectoryStore Live { get; }

    /// <summary>The file operations of the protocol (a fault-injecting one in tests).</summary>
    public TransactionFiles Files { get; }

    /// <summary>How long a commit waits for another process's commit to finish.</summary>
    public TimeSpan LockTimeout { get; }

    /// <summary>The store's name for messages.</summary>
    public string Name => Live.Name;

    /// <summary>The hidden folder's path.</summary>
    public string MetaDirectory => _meta;

    /// <summary>
    /// Opens the transaction log of a directory store, creating its folder when <paramref name="create"/> (and the
    /// directory is writable), and recovers from a commit a killed process left half done. Returns null when the store
    /// has no log and none can be created (a read-only directory): it is then read without snapshots.
    /// </summary>
    public static VersionedDirectory? TryOpen(DirectoryStore live, bool create, TransactionFiles? files = null, TimeSpan? lockTimeout = null)
    {
        string meta = Path.Combine(live.Root, FolderName);
        if (!Directory.Exists(meta) && !create)
        {
            return null;
        }

        VersionedDirectory dir;
        try
        {
            dir = new VersionedDirectory(live, files ?? TransactionFiles.Real, lockTimeout ?? TimeSpan.FromSeconds(60));
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException && !Directory.Exists(meta))
        {
            return null; // a read-only store: no log, no snapshots
        }

        try
        {
            using (dir.AcquireLock(CancellationToken.None))
            {
                if (!File.Exists(dir._versionPath))
                {
                    dir.WriteVersion(0);
                }

                dir.RecoverLocked();
                dir.RemoveAbandonedLocked();
            }

            dir.EmptyTrash();
            return dir;
        }
        catch
        {
            dir.Dispose();
            throw;
        }
    }

    // ---------------------------------------------------------------- versions, seq, lock

    /// <summary>The latest committed version.</summary>
    public long ReadVersion()
    {
        string text;
        try
        {
            text = File.ReadAllText(_versionPath);
        }
        catch (FileNotFoundException)
        {
            return 0;
        }

        if (!long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long v))
        {
            throw new InvalidMetadataException(Name, FolderName + "/version", $"'{text.Trim()}' is not a version number");
        }

        return v;
    }

    /// <summary>The highest record number whose record is on disk and whose publishing may have begun.</summary>
    public long ReadSeq()
    {
        Span<byte> b = stackalloc byte[8];
        int n = RandomAccess.Read(_seqHandle, b, 0);
        return n < 8 ? 0 : BinaryPrimitives.ReadInt64LittleEndian(b);
    }

    private void WriteSeq(long seq)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, seq);
        RandomAccess.Write(_seqHandle, b, 0);

        // Not flushed: after a power loss, recovery raises seq to the highest record on disk (records are flushed).
    }

    // The commit point: once the rename is done the version is published (other processes may already read it), so a
    // failure to flush the directory afterwards does not undo it; the next commit's flush of this directory covers it.
    private void WriteVersion(long version)
    {
        string temp = Path.Combine(_meta, TempPrefix + Guid.NewGuid().ToString("N") + TempSuffix);
        Files.WriteDurable(temp, System.Text.Encoding.ASCII.GetBytes(version.ToString(CultureInfo.InvariantCulture) + "\n"));
        Files.Rename(temp, _versionPath);
        try
        {
            Files.SyncDirectory(_meta);
        }
        catch (IOException)
        {
            // published; durability against power loss waits for the next flush
        }
    }

    /// <summary>
    /// Takes the store's commit lock (an exclusive file lock, released by the kernel if the process dies), waiting up
    /// to <see cref="LockTimeout"/>.
    /// </summary>
    /// <exception cref="StoreBusyException">Another process held the lock for longer than the timeout.</exception>
    public IDisposable AcquireLock(CancellationToken cancellationToken)
    {
        var gate = InProcessGates.GetOrAdd(_meta, _ => new SemaphoreSlim(1, 1));
        if (!gate.Wait(LockTimeout, cancellationToken))
        {
            throw new StoreBusyException($"store '{Name}': another commit in this process held the commit lock for over {LockTimeout.TotalSeconds:0} s");
        }

        try
        {
            var clock = Stopwatch.StartNew();
            int delay = 1;
            while (true)
            {
                try
                {
                    var fs = new FileStream(_lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                    return new LockHandle(fs, gate);
                }
                catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
                {
                    if (clock.Elapsed > LockTimeout)
                    {
                        throw new StoreBusyException($"store '{Name}': another process has held the commit lock '{_lockPath}' for over {LockTimeout.TotalSeconds:0} s ({ex.Message})");
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                    Thread.Sleep(delay);
                    delay = Math.Min(delay * 2, 50);
                }
            }
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    private sealed class LockHandle(FileStream file, SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                file.Dispose();
                gate.Release();
            }
        }
    }

    // ---------------------------------------------------------------- snapshots and pins

    /// <summary>
    /// A read-only view of the latest version, kept readable (its pre-images are not collected) while this handle
    /// holds a view at or below it.
    /// </summary>
    public SnapshotView OpenLatest()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_views)
        {
            if (_pin is null)
            {
                // The first pin is created under the commit lock, so a collection cannot run between reading the version
                // and publishing the pin. Later views are at or above it (versions only grow), so they are covered.
                using (AcquireLock(CancellationToken.None))
                {
                    long v = ReadVersion();
                    CreatePin(v);
                    return Register(new SnapshotView(this, v));
                }
            }

            var view = Register(new SnapshotView(this, ReadVersion()));
            UpdatePin();
            return view;
        }
    }

    /// <summary>A view of an older version this handle already pins (a transaction's base).</summary>
    public SnapshotView OpenAt(long version)
    {
        lock (_views)
        {
            if (_pin is null || version < _pinVersion)
            {
                throw new InvalidOperationException($"version {version} of store '{Name}' is not pinned by this handle");
            }

            return Register(new SnapshotView(this, version));
        }
    }

    private SnapshotView Register(SnapshotView view)
    {
        _views.Add(new WeakReference<SnapshotView>(view));
        return view;
    }

    private void CreatePin(long version)
    {
        string path = Path.Combine(_pinsDir, $"{Guid.NewGuid():N}@{version.ToString(CultureInfo.InvariantCulture)}");
        _pin = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        _pinPath = path;
        _pinVersion = version;
    }

    /// <summary>Moves this handle's pin up to the oldest view still alive, so older pre-images can be collected.</summary>
    public void UpdatePin()
    {
        lock (_views)
        {
            if (_pin is null || _pinPath is null)
            {
                return;
            }

            long min = long.MaxValue;
            _views.RemoveAll(w => !w.TryGetTarget(out _));
            foreach (var w in _views)
            {
                if (w.TryGetTarget(out var v) && !v.IsReleased)
                {
                    min = Math.Min(min, v.Version);
                }
            }

            if (min == long.MaxValue || min <= _pinVersion)
            {
                return;
            }

            string name = Path.GetFileName(_pinPath);
            string path = Path.Combine(_pinsDir, name[..name.IndexOf('@', StringComparison.Ordinal)] + "@" + min.ToString(CultureInfo.InvariantCulture));
            try
            {
                File.Move(_pinPath, path); // the lock is on the file, not its name
                _pinPath = path;
                _pinVersion = min;
            }
            catch (IOException)
            {
                // keep the older pin: more conservative, still correct
            }
        }
    }

    // ---------------------------------------------------------------- the record index and snapshot reads

    private readonly record struct KeyChange(long Number, bool Existed);

    private void EnsureIndexed(long seq)
    {
        if (seq <= Volatile.Read(ref _indexedSeq))
        {
            return;
        }

        lock (_indexLock)
        {
            if (seq <= _indexedSeq)
            {
                return;
            }

            foreach (long n in ListRecordNumbers().Where(n => n > _indexedSeq && n <= seq).Order())
            {
                var record = ReadRecord(n);
                if (record is null)
                {
                    continue;
                }

                foreach (var e in record.Entries)
                {
                    if (!_byKey.TryGetValue(e.Key, out var list))
                    {
                        _byKey[e.Key] = list = [];
                    }

                    list.Add(new KeyChange(n, e.Existed));
                }
            }

            Volatile.Write(ref _indexedSeq, seq);
        }
    }

    // The first change of a key after a version, or null. Call after reading the live value.
    private KeyChange? FirstChangeAfter(string key, long version)
    {
        long seq = ReadSeq();
        if (seq <= version)
        {
            return null;
        }

        EnsureIndexed(seq);
        lock (_indexLock)
        {
            if (!_byKey.TryGetValue(key, out var list))
            {
                return null;
            }

            foreach (var c in list)
            {
                if (c.Number > version)
                {
                    return c;
                }
            }

            return null;
        }
    }

    private string PrePath(long number, string key) => Path.Combine(_preDir, number.ToString(CultureInfo.InvariantCulture), key);

    /// <summary>The value of <paramref name="key"/> at <paramref name="version"/>.</summary>
    public IMemoryOwner<byte>? Get(string key, long version) => AtVersion(key, version, Live.GetPooled, DirectoryStore.ReadPooled);

    /// <summary>The file holding <paramref name="key"/>'s value at <paramref name="version"/> (as <see cref="Get"/>), opened for reading, or null.</summary>
    public SafeFileHandle? Open(string key, long version) => AtVersion(key, version, Live.OpenValue, DirectoryStore.TryOpenFile);

    // The live value (read or opened by `live`) unless a commit after `version` changed the key: then nothing when the
    // key did not exist at `version`, else its pre-image (read or opened by `file` from its path).
    private T? AtVersion<T>(string key, long version, Func<string, T?> live, Func<string, T?> file)
        where T : class, IDisposable
    {
        var current = live(key);
        KeyChange? change;
        try
        {
            change = FirstChangeAfter(key, version);
        }
        catch
        {
            current?.Dispose();
            throw;
        }

        if (change is not { } c)
        {
            return current;
        }

        if (!c.Existed)
        {
            current?.Dispose();
            return null;
        }

        var pre = file(PrePath(c.Number, key));
        if (pre is null)
        {
            return current; // not linked yet, so the live file was not replaced yet when it was read
        }

        current?.Dispose();
        return pre;
    }

    /// <summary>The size of <paramref name="key"/>'s value at <paramref name="version"/>, or null.</summary>
    public long? GetSize(string key, long version)
    {
        long? live = Live.GetSize(key);
        if (FirstChangeAfter(key, version) is not { } c)
        {
            return live;
        }

        if (!c.Existed)
        {
            return null;
        }

        var info = new FileInfo(PrePath(c.Number, key));
        return info.Exists ? info.Length : live;
    }

    /// <summary>Whether <paramref name="key"/> exists at <paramref name="version"/>.</summary>
    public bool Exists(string key, long version)
    {
        bool live = Live.Exists(key);
        if (FirstChangeAfter(key, version) is not { } c)
        {
            return live;
        }

        return c.Existed && (live || File.Exists(PrePath(c.Number, key)));
    }

    /// <summary>The keys under <paramref name="prefix"/> at <paramref name="version"/>.</summary>
    public IEnumerable<string> List(string prefix, long version)
    {
        var keys = Live.List(prefix).ToHashSet(StringComparer.Ordinal);
        long seq = ReadSeq();
        if (seq <= version)
        {
            return keys;
        }

        EnsureIndexed(seq);
        lock (_indexLock)
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
                        if (c.Existed)
                        {
                            keys.Add(key);
                        }
                        else
                        {
                            keys.Remove(key);
                        }

                        break;
                    }
                }
            }
        }

        return keys;
    }

    /// <summary>The immediate children of <paramref name="prefix"/> at <paramref name="version"/>.</summary>
    public IEnumerable<string> ListDirectory(string prefix, long version)
    {
        var names = Live.ListDirectory(prefix).ToHashSet(StringComparer.Ordinal);
        long seq = ReadSeq();
        if (seq <= version)
        {
            return names;
        }

        EnsureIndexed(seq);
        string p = prefix.Trim('/');
        string pp = p.Length == 0 ? string.Empty : p + "/";
        var doubtful = new HashSet<string>(StringComparer.Ordinal);
        lock (_indexLock)
        {
            foreach (var (key, list) in _byKey)
            {
                if (!key.StartsWith(pp, StringComparison.Ordinal))
                {
                    continue;
                }

                string rest = key[pp.Length..];
                string child = rest.Contains('/', StringComparison.Ordinal) ? rest[..rest.IndexOf('/', StringComparison.Ordinal)] : rest;
                foreach (var c in list)
                {
                    if (c.Number > version)
                    {
                        if (c.Existed)
                        {
                            names.Add(child);
                        }
                        else
                        {
                            doubtful.Add(child);
                        }

                        break;
                    }
                }
            }
        }

        foreach (var child in doubtful)
        {
            if (names.Contains(child) && !Exists(pp + child, version) && !List(pp + child + "/", version).Any())
            {
                names.Remove(child);
            }
        }

        return names;
    }

    // ---------------------------------------------------------------- records

    private IEnumerable<long> ListRecordNumbers()
    {
        foreach (var file in Directory.EnumerateFiles(_logDir, "*.json"))
        {
            if (long.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out long n))
            {
                yield return n;
            }
        }
    }

    private string RecordPath(long number) => Path.Combine(_logDir, number.ToString(CultureInfo.InvariantCulture) + ".json");

    private CommitRecord? ReadRecord(long number)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(RecordPath(number));
        }
        catch (FileNotFoundException)
        {
            return null; // collected
        }

        return CommitRecord.Parse(bytes)
            ?? throw new InvalidMetadataException(Name, $"{FolderName}/log/{number}.json", "the commit record is not valid JSON");
    }

    private void WriteRecord(CommitRecord record)
    {
        string temp = Path.Combine(_logDir, TempPrefix + Guid.NewGuid().ToString("N") + TempSuffix);
        Files.WriteDurable(temp, record.ToJson());
        Files.Rename(temp, RecordPath(record.Number));
        Files.SyncDirectory(_logDir);
    }

    // ---------------------------------------------------------------- staging

    /// <summary>Creates a transaction's staging folder, locked by the returned handle while the transaction lives.</summary>
    public (string Directory, FileStream Lock) CreateStaging(string id)
    {
        // The lock file appears under its name already locked (created and locked under a temporary name, then
        // renamed; the lock belongs to the file, not the name), so a collector never sees it unlocked and takes it
        // for a dead transaction's.
        string pending = Path.Combine(_stagingDir, TempPrefix + id + TempSuffix);
        var lockFile = new FileStream(pending, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        try
        {
            File.Move(pending, Path.Combine(_stagingDir, id + ".lock"));
            string dir = Path.Combine(_stagingDir, id);
            Directory.CreateDirectory(dir);
            return (dir, lockFile);
        }
        catch
        {
            lockFile.Dispose();
            TryDeleteFile(pending);
            throw;
        }
    }

    /// <summary>Removes a finished transaction's staging folder and lock.</summary>
    public void RemoveStaging(string id, FileStream lockFile)
    {
        TryDeleteDirectory(Path.Combine(_stagingDir, id));
        lockFile.Dispose();
        TryDeleteFile(Path.Combine(_stagingDir, id + ".lock"));
    }

    // ---------------------------------------------------------------- commit

    /// <summary>
    /// Publishes staged changes atomically. <paramref name="changes"/> maps each key to its staged file (null: delete);
    /// <paramref name="reads"/> are metadata keys the transaction read, which must not have changed either.
    /// Returns the new version, or the latest one when nothing changed.
    /// </summary>
    /// <exception cref="ConflictException">A key changed after <paramref name="startVersion"/>.</exception>
    public long Commit(string transactionId, long startVersion, IReadOnlyDictionary<string, string?> changes, IEnumerable<string> reads, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long number;
        using (AcquireLock(cancellationToken))
        {
            RecoverLocked();
            long version = ReadVersion();
            if (version > startVersion)
            {
                var watched = new HashSet<string>(changes.Keys, StringComparer.Ordinal);
                watched.UnionWith(reads);
                for (long n = startVersion + 1; n <= version; n++)
                {
                    var record = ReadRecord(n);
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

            var entries = new List<CommitEntry>();
            foreach (var (key, staged) in changes.OrderBy(kv => IsMetadataKey(kv.Key) ? 1 : 0).ThenBy(kv => kv.Key, StringComparer.Ordinal))
            {
                bool existed = File.Exists(Live.PathOf(key));
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
            number = Math.Max(ReadSeq(), version) + 1;
            var commit = new CommitRecord { Number = number, Parent = version, Transaction = transactionId, Time = DateTime.UtcNow, Entries = entries };
            WriteRecord(commit);
            try
            {
                WriteSeq(number);
                Publish(commit, changes);
                WriteVersion(number);
            }
            catch (Exception ex)
            {
                try
                {
                    Rollback(commit);
                }
                catch (Exception rollbackError)
                {
                    // The record stays 'preparing' above the version: the next open or commit rolls it back.
                    throw new IOException($"commit of version {number} to store '{Name}' failed ({ex.Message}) and could not be rolled back now ({rollbackError.Message}); it will be rolled back when the store is next opened", ex);
                }

                throw;
            }

            if (number % AutoCollectEvery == 0)
            {
                try
                {
                    CollectLocked(); // best effort: the commit is published whatever happens here
                }
                catch (IOException)
                {
                }
            }
        }

        EmptyTrash();
        return number;
    }

    private void Publish(CommitRecord commit, IReadOnlyDictionary<string, string?> changes)
    {
        // Phase 1: pre-images (hard links) of everything replaced or deleted, made durable before anything changes.
        var dirs = new HashSet<string>(StringComparer.Ordinal);
        var created = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in commit.Entries)
        {
            if (e.Existed)
            {
                string pre = PrePath(commit.Number, e.Key);
                string dir = Path.GetDirectoryName(pre)!;
                if (dirs.Add(dir))
                {
                    Create(dir, created);
                }

                Files.HardLink(Live.PathOf(e.Key), pre);
            }
        }

        SyncAll(dirs);
        SyncParents(created);

        // Phase 2: renames and deletes of live keys, chunks first and metadata last.
        dirs.Clear();
        created.Clear();
        foreach (var e in commit.Entries)
        {
            string live = Live.PathOf(e.Key);
            string dir = Path.GetDirectoryName(live)!;
            if (e.Delete)
            {
                Files.Delete(live);
            }
            else
            {
                if (!dirs.Contains(dir))
                {
                    Create(dir, created);
                }

                Files.Rename(changes[e.Key]!, live);
            }

            dirs.Add(dir);
        }

        SyncAll(dirs);
        SyncParents(created);
    }

    // Creates a directory and its missing parents, remembering which ones are new (their entries need flushing).
    private void Create(string dir, HashSet<string> created)
    {
        for (string? d = dir; d is not null && !Directory.Exists(d); d = Path.GetDirectoryName(d))
        {
            created.Add(d);
        }

        Files.CreateDirectory(dir);
    }

    private void SyncAll(IEnumerable<string> dirs)
    {
        foreach (var d in dirs)
        {
            Files.SyncDirectory(d);
        }
    }

    // A new directory's own entry lives in its parent: flush the parents of every directory this commit created.
    private void SyncParents(HashSet<string> created)
    {
        var parents = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in created)
        {
            if (Path.GetDirectoryName(d) is { } p)
            {
                parents.Add(p);
            }
        }

        SyncAll(parents);
    }

    // Undoes a commit whose version was not published: restores every pre-image over its key (keeping the pre-image,
    // which a concurrent snapshot reader may be about to read) and removes keys the commit created.
    private void Rollback(CommitRecord commit)
    {
        var dirs = new HashSet<string>(StringComparer.Ordinal);
        for (int i = commit.Entries.Count - 1; i >= 0; i--)
        {
            var e = commit.Entries[i];
            string live = Live.PathOf(e.Key);
            string dir = Path.GetDirectoryName(live)!;
            if (e.Existed)
            {
                string pre = PrePath(commit.Number, e.Key);
                if (File.Exists(pre))
                {
                    Files.CreateDirectory(dir);
                    string temp = Path.Combine(dir, TempPrefix + Guid.NewGuid().ToString("N") + TempSuffix);
                    Files.HardLink(pre, temp);
                    Files.Rename(temp, live);
                    dirs.Add(dir);
                }
            }
            else if (File.Exists(live))
            {
                Files.Delete(live);
                dirs.Add(dir);
            }
        }

        SyncAll(dirs);
        commit.State = CommitRecord.Aborted;
        WriteRecord(commit);
    }

    /// <summary>Rolls back every preparing record above the version (a commit a killed process left half done).</summary>
    private void RecoverLocked()
    {
        long version = ReadVersion();
        long seq = ReadSeq();
        long max = seq;
        foreach (long n in ListRecordNumbers().Where(n => n > version).OrderDescending())
        {
            max = Math.Max(max, n);
            var record = ReadRecord(n);
            if (record is not null && record.State == CommitRecord.Preparing)
            {
                Rollback(record);
            }
        }

        foreach (var temp in Directory.EnumerateFiles(_logDir, TempPrefix + "*"))
        {
            TryDeleteFile(temp);
        }

        if (max > seq)
        {
            WriteSeq(max); // record numbers are never reused
        }
    }

    // ---------------------------------------------------------------- collection

    /// <summary>What a collection removed.</summary>
    public readonly record struct CollectResult(int PreImageVersions, int Records, int DeadPins, int OrphanedStagings, long Horizon);

    /// <summary>
    /// Removes pre-images and records no live snapshot can need (those at or below the oldest live pin), pins of dead
    /// processes, and staging folders of dead transactions.
    /// </summary>
    public CollectResult Collect(CancellationToken cancellationToken)
    {
        CollectResult result;
        using (AcquireLock(cancellationToken))
        {
            RecoverLocked();
            result = CollectLocked();
        }

        EmptyTrash();
        return result;
    }

    // Staging folders and pins of processes that died: nothing can need them.
    private (int DeadPins, int Orphans, long Horizon) RemoveAbandonedLocked()
    {
        long horizon = ReadVersion();
        int deadPins = 0;
        foreach (var pin in Directory.EnumerateFiles(_pinsDir))
        {
            string name = Path.GetFileName(pin);
            int at = name.LastIndexOf('@');
            if (at < 0 || !long.TryParse(name[(at + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out long v))
            {
                continue;
            }

            if (IsAbandoned(pin))
            {
                TryDeleteFile(pin);
                deadPins++;
            }
            else
            {
                horizon = Math.Min(horizon, v);
            }
        }

        int orphans = 0;
        foreach (var entry in Directory.EnumerateFileSystemEntries(_stagingDir))
        {
            string name = Path.GetFileName(entry);
            if (name.StartsWith(TempPrefix, StringComparison.Ordinal))
            {
                // a lock file being created: its own creator renames it in a moment; leftovers of a crash are old
                if (File.GetLastWriteTimeUtc(entry) < DateTime.UtcNow.AddMinutes(-10))
                {
                    TryDeleteFile(entry);
                }

                continue;
            }

            string id = name.EndsWith(".lock", StringComparison.Ordinal) ? name[..^5] : name;
            string lockPath = Path.Combine(_stagingDir, id + ".lock");
            if (entry == lockPath && Directory.Exists(Path.Combine(_stagingDir, id)))
            {
                continue; // handled with its folder
            }

            if (!File.Exists(lockPath) || IsAbandoned(lockPath))
            {
                MoveToTrash(Path.Combine(_stagingDir, id));
                TryDeleteFile(lockPath);
                orphans++;
            }
        }

        return (deadPins, orphans, horizon);
    }

    private CollectResult CollectLocked()
    {
        var (deadPins, orphans, horizon) = RemoveAbandonedLocked();
        int preVersions = 0;
        int records = 0;
        foreach (long n in ListRecordNumbers().Where(n => n <= horizon).ToList())
        {
            string pre = Path.Combine(_preDir, n.ToString(CultureInfo.InvariantCulture));
            if (Directory.Exists(pre))
            {
                MoveToTrash(pre);
                preVersions++;
            }

            TryDeleteFile(RecordPath(n));
            records++;
        }

        return new CollectResult(preVersions, records, deadPins, orphans, horizon);
    }

    /// <summary>Pins (live snapshots) and stagings (live transactions) of this store, for verification.</summary>
    public (int LivePins, int DeadPins, int LiveTransactions, List<string> Orphaned, List<long> Unfinished) Inspect()
    {
        // Under the commit lock, like every probe of pin locks: a probe must not hold a pin's lock at the instant its
        // owner (which creates pins under this lock) takes it.
        using var held = AcquireLock(CancellationToken.None);
        int live = 0;
        int dead = 0;
        foreach (var pin in Directory.EnumerateFiles(_pinsDir))
        {
            if (IsAbandoned(pin))
            {
                dead++;
            }
            else
            {
                live++;
            }
        }

        int liveTx = 0;
        var orphaned = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories(_stagingDir))
        {
            string lockPath = dir + ".lock";
            if (!File.Exists(lockPath) || IsAbandoned(lockPath))
            {
                orphaned.Add(Path.GetFileName(dir));
            }
            else
            {
                liveTx++;
            }
        }

        long version = ReadVersion();
        var unfinished = ListRecordNumbers().Where(n => n > version && ReadRecord(n) is { State: CommitRecord.Preparing }).ToList();
        return (live, dead, liveTx, orphaned, unfinished);
    }

    // A lock file nobody holds: its owner died (the kernel released its lock).
    private static bool IsAbandoned(string path)
    {
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return true;
        }
        catch (FileNotFoundException)
        {
            return false; // renamed by its owner just now
        }
        catch (IOException)
        {
            return false;
        }
    }

    private void MoveToTrash(string path)
    {
        if (!Directory.Exists(path))
        {
            return;
        }

        try
        {
            Directory.Move(path, Path.Combine(_trashDir, Guid.NewGuid().ToString("N")));
        }
        catch (IOException)
        {
            TryDeleteDirectory(path);
        }
    }

    private void EmptyTrash()
    {
        foreach (var dir in Directory.EnumerateDirectories(_trashDir))
        {
            TryDeleteDirectory(dir);
        }
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>True for the keys of Zarr metadata documents (published after chunks; read sets track them).</summary>
    public static bool IsMetadataKey(string key)
    {
        string last = key[(key.LastIndexOf('/') + 1)..];
        return last is "zarr.json" or ".zarray" or ".zattrs" or ".zgroup";
    }

    // The node a key belongs to, for messages: the path before the chunk part (c/…) or the metadata document.
    private static string NodeOf(string key)
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

    private static void TryDeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Releases this handle's pin and files.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        lock (_views)
        {
            if (_pin is not null)
            {
                _pin.Dispose();
                TryDeleteFile(_pinPath!);
                _pin = null;
            }
        }

        _seqHandle.Dispose();
    }
}
