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
    private readonly SafeFileHandle? _seqHandle;
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

        // The log's folders and files are checked without following links: a store unpacked from someone else's
        // tarball may hold a link to a folder elsewhere, which emptying the trash would otherwise empty.
        RequireFolder(_meta);
        foreach (var dir in new[] { _logDir, _preDir, _pinsDir, _stagingDir, _trashDir })
        {
            if (!RequireFolder(dir))
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

        string seqPath = Path.Combine(_meta, "seq");
        RequireFile(seqPath);
        try
        {
            _seqHandle = File.OpenHandle(seqPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            // Read-only here (a read-only mount, another user's store): reads work, commits are refused.
            IsReadOnly = true;
            _seqHandle = File.Exists(seqPath) ? File.OpenHandle(seqPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete) : null;
        }
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
    /// True when this process cannot write the log (a read-only mount or another user's store): versions are read,
    /// commits are refused.
    /// </summary>
    public bool IsReadOnly { get; }

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

    // Recovery without waiting: only when nobody holds the commit lock.
    private void RepairIfIdle()
    {
        if (IsReadOnly)
        {
            return;
        }

        using (var held = TryAcquireLockNow())
        {
            if (held is null)
            {
                return;
            }

            if (!RequireFile(_versionPath))
            {
                WriteVersion(0);
            }

            RecoverLocked();
            RemoveAbandonedLocked();
        }

        EmptyTrash();
    }

    // A folder of the log: true when it is a real folder, false when missing; a link, file or special file throws.
    private bool RequireFolder(string path)
    {
        var kind = FileKinds.Of(path);
        return kind switch
        {
            FileKind.Directory => true,
            FileKind.Missing => false,
            FileKind.SymbolicLink => throw new UnsafeStoreEntryException(Name, RelativeToStore(path), "(a folder of the transaction log) is a symbolic link"),
            _ => throw new UnsafeStoreEntryException(Name, RelativeToStore(path), "(a folder of the transaction log) is not a folder"),
        };
    }

    // A file of the log: true when it is a regular file, false when missing; a link, folder or special file throws.
    private bool RequireFile(string path)
    {
        var kind = FileKinds.Of(path);
        return kind switch
        {
            FileKind.Regular => true,
            FileKind.Missing => false,
            FileKind.SymbolicLink => throw new UnsafeStoreEntryException(Name, RelativeToStore(path), "(a file of the transaction log) is a symbolic link"),
            FileKind.Directory => throw new UnsafeStoreEntryException(Name, RelativeToStore(path), "(a file of the transaction log) is a folder"),
            _ => throw new UnsafeStoreEntryException(Name, RelativeToStore(path), "(a file of the transaction log) is a FIFO, socket or device"),
        };
    }

    private string RelativeToStore(string path) => Path.GetRelativePath(Live.Root, path).Replace(Path.DirectorySeparatorChar, '/');

    // Reads a whole file of the log (version, a record), checked first: a FIFO there would block forever.
    private byte[]? ReadLogFile(string path) => RequireFile(path) ? File.ReadAllBytes(path) : null;

    // ---------------------------------------------------------------- versions, seq, lock

    /// <summary>The latest committed version.</summary>
    public long ReadVersion()
    {
        string text;
        try
        {
            if (ReadLogFile(_versionPath) is not { } bytes)
            {
                return 0;
            }

            text = System.Text.Encoding.ASCII.GetString(bytes);
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
        if (_seqHandle is null)
        {
            return 0; // a read-only log without a seq file: no commit was ever begun
        }

        Span<byte> b = stackalloc byte[8];
        int n = RandomAccess.Read(_seqHandle, b, 0);
        return n < 8 ? 0 : BinaryPrimitives.ReadInt64LittleEndian(b);
    }

    private void WriteSeq(long seq)
    {
        if (_seqHandle is null || IsReadOnly)
        {
            throw ReadOnlyError("seq");
        }

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
    public IDisposable AcquireLock(CancellationToken cancellationToken) =>
        TryAcquireLock(LockTimeout, cancellationToken) ?? throw new InvalidOperationException("unreachable: a waiting lock either succeeds or throws");

    /// <summary>Takes the commit lock if it is free now, without waiting; null when another commit holds it.</summary>
    public IDisposable? TryAcquireLockNow() => IsReadOnly ? null : TryAcquireLock(TimeSpan.Zero, CancellationToken.None);

    private UnauthorizedAccessException ReadOnlyError(string what) =>
        new($"store '{Name}' is read-only for this process (cannot write '{FolderName}/{what}'): it can be read, not changed");

    // Waits up to `timeout` (zero: not at all, returning null when busy); a longer wait throws StoreBusyException.
    private LockHandle? TryAcquireLock(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (IsReadOnly)
        {
            throw ReadOnlyError("lock");
        }

        RequireFile(_lockPath);
        var gate = InProcessGates.GetOrAdd(_meta, _ => new SemaphoreSlim(1, 1));
        if (!gate.Wait(timeout, cancellationToken))
        {
            if (timeout == TimeSpan.Zero)
            {
                return null;
            }

            throw new StoreBusyException($"store '{Name}': another commit in this process held the commit lock for over {timeout.TotalSeconds:0} s");
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
                catch (UnauthorizedAccessException)
                {
                    throw ReadOnlyError("lock");
                }
                catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
                {
                    if (timeout == TimeSpan.Zero)
                    {
                        gate.Release();
                        return null;
                    }

                    if (clock.Elapsed > timeout)
                    {
                        throw new StoreBusyException($"store '{Name}': another process has held the commit lock '{_lockPath}' for over {timeout.TotalSeconds:0} s ({ex.Message})");
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
            if (_pin is null && !PinsUnavailable)
            {
                // Without the commit lock (readers never wait for writers): pin the version read first, then view the
                // version read after the pin is visible. A collection removes only records at or below the version it
                // read before listing pins, so one that missed the pin read a version at or below the one viewed here,
                // and every record this view may need (those above it) is kept.
                long pinned = ReadVersion();
                if (TryCreatePin(pinned))
                {
                    return Register(new SnapshotView(this, Math.Max(pinned, ReadVersion())));
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
            if (!PinsUnavailable && (_pin is null || version < _pinVersion))
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

    // Creates this handle's pin: a file locked while the handle lives (the kernel releases the lock if the process dies),
    // created and locked under a temporary name and then renamed, so a collector never sees it unlocked and takes it for
    // a dead process's. False when the log cannot be written here: views then go without a pin.
    private bool TryCreatePin(long version)
    {
        if (IsReadOnly)
        {
            PinsUnavailable = true;
            return false;
        }

        string id = Guid.NewGuid().ToString("N");
        string pending = Path.Combine(_pinsDir, TempPrefix + id + TempSuffix);
        string path = Path.Combine(_pinsDir, $"{id}@{version.ToString(CultureInfo.InvariantCulture)}");
        FileStream pin;
        try
        {
            pin = new FileStream(pending, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            PinsUnavailable = true;
            return false;
        }

        try
        {
            File.Move(pending, path);
        }
        catch
        {
            pin.Dispose();
            TryDeleteFile(pending);
            throw;
        }

        _pin = pin;
        _pinPath = path;
        _pinVersion = version;
        return true;
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
                if (record is null || record.State == CommitRecord.Aborted)
                {
                    continue; // collected, or rolled back: it changed nothing
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

    // The changes of a key after a version, oldest first (empty when none). Call after reading the live value.
    private KeyChange[] ChangesAfter(string key, long version)
    {
        long seq = ReadSeq();
        if (seq <= version)
        {
            return [];
        }

        EnsureIndexed(seq);
        lock (_indexLock)
        {
            if (!_byKey.TryGetValue(key, out var list))
            {
                return [];
            }

            int first = list.FindIndex(c => c.Number > version);
            return first < 0 ? [] : list.GetRange(first, list.Count - first).ToArray();
        }
    }

    /// <summary>
    /// Appended to the names of copies of values kept in the log (pre-images, staged values), so that no file there ends
    /// like a Zarr document (<c>.zarray</c>, <c>zarr.json</c>): tools that walk every file of a store, such as
    /// zarr-python's <c>consolidate_metadata</c>, would list them as nodes.
    /// </summary>
    public const string LogFileSuffix = "~";

    // Where commit `number` links the pre-image of `key` (named with the suffix; logs written before it had none).
    private string PrePath(long number, string key) => Path.Combine(_preDir, number.ToString(CultureInfo.InvariantCulture), key) + LogFileSuffix;

    // The pre-image of `key` linked by commit `number`, under its current or its earlier name; the current name when neither exists.
    private string ExistingPrePath(long number, string key)
    {
        string current = PrePath(number, key);
        string legacy = current[..^LogFileSuffix.Length];
        return FileKinds.Of(current) == FileKind.Missing && FileKinds.Of(legacy) == FileKind.Regular ? legacy : current;
    }

    // Where a key's value at a version is, given the changes after it (oldest first): the live file when none changed
    // it; nowhere when the first did not find it (it did not exist at the version: no change before that one); else the
    // first pre-image that exists. The first change's own pre-image is missing when that commit failed before linking it
    // (it was rolled back, replacing nothing: a later commit's pre-image then holds the same bytes) or is still linking
    // (then no later commit exists, and the live file read before these changes were listed was not yet replaced).
    private (bool Exists, string? PreImage) Resolve(string key, KeyChange[] changes)
    {
        if (changes.Length == 0)
        {
            return (true, null);
        }

        if (!changes[0].Existed)
        {
            return (false, null);
        }

        foreach (var c in changes)
        {
            string pre = ExistingPrePath(c.Number, key);
            if (DirectoryStore.CheckFolders(Name, _meta, RelativeToStore(pre), pre, null) && RequireFile(pre))
            {
                return (true, pre);
            }
        }

        return (true, null);
    }

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
        (bool Exists, string? PreImage) where;
        try
        {
            where = Resolve(key, ChangesAfter(key, version));
        }
        catch
        {
            current?.Dispose();
            throw;
        }

        if (!where.Exists)
        {
            current?.Dispose();
            return null;
        }

        if (where.PreImage is not { } path)
        {
            return current;
        }

        current?.Dispose();
        return file(path);
    }

    /// <summary>The size of <paramref name="key"/>'s value at <paramref name="version"/>, or null.</summary>
    public long? GetSize(string key, long version)
    {
        long? live = Live.GetSize(key);
        var (exists, pre) = Resolve(key, ChangesAfter(key, version));
        if (!exists)
        {
            return null;
        }

        return pre is null ? live : new FileInfo(pre).Length;
    }

    /// <summary>Whether <paramref name="key"/> exists at <paramref name="version"/>.</summary>
    public bool Exists(string key, long version)
    {
        bool live = Live.Exists(key);
        var (exists, pre) = Resolve(key, ChangesAfter(key, version));
        return exists && (pre is not null || live);
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
        foreach (var file in Entries(_logDir).Where(f => f.EndsWith(".json", StringComparison.Ordinal)))
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
        if (IsReadOnly)
        {
            throw ReadOnlyError("staging");
        }

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

            try
            {
                // best effort: the commit is published whatever happens here. Opening a store changes nothing, so
                // commits (and `gc`) are where pins and stagings of dead processes are cleared.
                if (number % AutoCollectEvery == 0)
                {
                    CollectLocked();
                }
                else
                {
                    RemoveAbandonedLocked();
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or UnsafeStoreEntryException)
            {
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
                string pre = ExistingPrePath(commit.Number, e.Key);
                if (FileKinds.Of(pre) == FileKind.Regular)
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

        foreach (var temp in Entries(_logDir).Where(f => Path.GetFileName(f).StartsWith(TempPrefix, StringComparison.Ordinal)))
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
        foreach (var pin in Entries(_pinsDir))
        {
            string name = Path.GetFileName(pin);
            if (IsTempName(name))
            {
                // a pin being created: its creator renames it in a moment; a crashed creator's is old and unlocked
                if (File.GetLastWriteTimeUtc(pin) < DateTime.UtcNow.AddMinutes(-10) && IsAbandoned(pin))
                {
                    TryDeleteFile(pin);
                }

                continue;
            }

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
        foreach (var entry in Entries(_stagingDir))
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
        // Never waits for a writer. Pins and staging locks appear already locked (created under temporary names), so
        // probing them needs no lock; a half-done commit is only reported when the commit lock is free (no process is
        // committing it).
        int live = 0;
        int dead = 0;
        foreach (var pin in Entries(_pinsDir).Where(p => !IsTempName(Path.GetFileName(p))))
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
        foreach (var dir in Entries(_stagingDir).Where(d => FileKinds.Of(d) == FileKind.Directory))
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

        var unfinished = new List<long>();
        using (var held = TryAcquireLockNow())
        {
            if (held is not null)
            {
                long version = ReadVersion();
                unfinished.AddRange(ListRecordNumbers().Where(n => n > version && ReadRecord(n) is { State: CommitRecord.Preparing }));
            }
        }

        return (live, dead, liveTx, orphaned, unfinished);
    }

    // The entries of a folder of the log (none when it is missing), without following links.
    private static List<string> Entries(string dir)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries(dir).ToList();
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
    }

    private static bool IsTempName(string name) =>
        name.StartsWith(TempPrefix, StringComparison.Ordinal) && name.EndsWith(TempSuffix, StringComparison.Ordinal);

    // A lock file nobody holds: its owner died (the kernel released its lock).
    private static bool IsAbandoned(string path)
    {
        switch (FileKinds.Of(path))
        {
            case FileKind.Missing:
                return false; // renamed by its owner just now
            case FileKind.Regular:
                break;
            default:
                return true; // a link, folder or special file is nobody's lock: never opened, only removed
        }

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

    // Moves a folder of the log out of the way (to be deleted after the commit lock is released); a link or file in
    // its place is only unlinked, never followed.
    private void MoveToTrash(string path)
    {
        switch (FileKinds.Of(path))
        {
            case FileKind.Missing:
                return;
            case FileKind.Directory:
                break;
            default:
                TryDeleteFile(path);
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
        if (IsReadOnly || !RequireFolder(_trashDir))
        {
            return;
        }

        foreach (var entry in Entries(_trashDir))
        {
            FileKinds.DeleteTree(entry);
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

    // Never follows a link: a linked folder is unlinked, its target untouched.
    private static void TryDeleteDirectory(string path) => FileKinds.DeleteTree(path);

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

        _seqHandle?.Dispose();
    }
}
