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
internal sealed partial class VersionedDirectory : IDisposable
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
