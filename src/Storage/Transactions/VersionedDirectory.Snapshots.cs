using System.Buffers;
using System.Globalization;
using Microsoft.Win32.SafeHandles;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage.Transactions;

internal sealed partial class VersionedDirectory
{
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

    // The pre-image of `key` that commit `number` linked, under its current or (logs written before the suffix) its
    // earlier name; null when there is none. A link or special file on the way is refused, as anywhere in the store.
    private string? FindPreImage(long number, string key)
    {
        string current = PrePath(number, key);
        // Not cached: pre-image folders come and go with commits and collections (a few lstat calls per read of a key
        // changed since the reader's version, next to decoding a chunk).
        if (!DirectoryStore.CheckFolders(Name, Live.Root, key, current, null))
        {
            return null;
        }

        if (RequireFile(current))
        {
            return current;
        }

        string legacy = current[..^LogFileSuffix.Length];
        return RequireFile(legacy) ? legacy : null;
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
            if (FindPreImage(c.Number, key) is { } pre)
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
}
