using System.Collections.Concurrent;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// The paths of one store's transaction log (<c>.chunkcompute/</c>) and the checks every access to it makes: a folder
/// or file of the log is used only when it is what it should be. A store unpacked from someone else's tarball may hold
/// a link to a folder elsewhere (which emptying the trash would otherwise empty) or a FIFO (which a read would block on
/// forever): those throw <see cref="UnsafeStoreEntryException"/>.
/// </summary>
internal sealed class LogFolder
{
    /// <summary>The prefix of every temporary name in the log (and of temporary files next to live keys).</summary>
    public const string TempPrefix = ".ccw-";

    /// <summary>The suffix of every temporary name in the log.</summary>
    public const string TempSuffix = ".tmp";

    public LogFolder(string storeName, string storeRoot)
    {
        StoreName = storeName;
        StoreRoot = storeRoot;
        Meta = Path.Combine(storeRoot, VersionedDirectory.FolderName);
        Log = Path.Combine(Meta, "log");
        Pre = Path.Combine(Meta, "pre");
        Pins = Path.Combine(Meta, "pins");
        Staging = Path.Combine(Meta, "staging");
        Trash = Path.Combine(Meta, "trash");
        VersionPath = Path.Combine(Meta, "version");
        SeqPath = Path.Combine(Meta, "seq");
        LockPath = Path.Combine(Meta, "lock");
    }

    /// <summary>The store's name, for messages.</summary>
    public string StoreName { get; }

    /// <summary>The store's root folder.</summary>
    public string StoreRoot { get; }

    /// <summary>The log folder itself.</summary>
    public string Meta { get; }

    /// <summary>Commit records, <c>log/N.json</c>.</summary>
    public string Log { get; }

    /// <summary>Pre-images of replaced keys, <c>pre/N/key~</c>.</summary>
    public string Pre { get; }

    /// <summary>Snapshot pins, <c>pins/id@version</c>.</summary>
    public string Pins { get; }

    /// <summary>Staging folders of live transactions and their lock files.</summary>
    public string Staging { get; }

    /// <summary>Folders moved out of the way under the commit lock, deleted after it is released.</summary>
    public string Trash { get; }

    /// <summary>The latest published version (its rename is the commit point).</summary>
    public string VersionPath { get; }

    /// <summary>The highest record number whose publishing may have begun.</summary>
    public string SeqPath { get; }

    /// <summary>The commit lock's file.</summary>
    public string LockPath { get; }

    /// <summary>The log's sub-folders, in the order they are checked and created.</summary>
    public string[] Folders => [Log, Pre, Pins, Staging, Trash];

    /// <summary>A folder of the log: true when it is a real folder, false when missing; a link, file or special file throws.</summary>
    public bool RequireFolder(string path)
    {
        var kind = FileKinds.Of(path);
        return kind switch
        {
            FileKind.Directory => true,
            FileKind.Missing => false,
            FileKind.SymbolicLink => throw new UnsafeStoreEntryException(StoreName, RelativeToStore(path), "(a folder of the transaction log) is a symbolic link"),
            _ => throw new UnsafeStoreEntryException(StoreName, RelativeToStore(path), "(a folder of the transaction log) is not a folder"),
        };
    }

    /// <summary>A file of the log: true when it is a regular file, false when missing; a link, folder or special file throws.</summary>
    public bool RequireFile(string path)
    {
        var kind = FileKinds.Of(path);
        return kind switch
        {
            FileKind.Regular => true,
            FileKind.Missing => false,
            FileKind.SymbolicLink => throw new UnsafeStoreEntryException(StoreName, RelativeToStore(path), "(a file of the transaction log) is a symbolic link"),
            FileKind.Directory => throw new UnsafeStoreEntryException(StoreName, RelativeToStore(path), "(a file of the transaction log) is a folder"),
            _ => throw new UnsafeStoreEntryException(StoreName, RelativeToStore(path), "(a file of the transaction log) is a FIFO, socket or device"),
        };
    }

    /// <summary>Reads a whole file of the log (version, a record), checked first: a FIFO there would block forever.</summary>
    public byte[]? ReadFile(string path) => RequireFile(path) ? File.ReadAllBytes(path) : null;

    /// <summary>The error for a write this process may not make.</summary>
    public UnauthorizedAccessException ReadOnlyError(string what) =>
        new($"store '{StoreName}' is read-only for this process (cannot write '{VersionedDirectory.FolderName}/{what}'): it can be read, not changed");

    /// <summary>A fresh temporary path in <paramref name="dir"/>.</summary>
    public static string NewTempPath(string dir) => Path.Combine(dir, TempPrefix + Guid.NewGuid().ToString("N") + TempSuffix);

    /// <summary>True for a name made by <see cref="NewTempPath"/> (or another temporary name of the log).</summary>
    public static bool IsTempName(string name) =>
        name.StartsWith(TempPrefix, StringComparison.Ordinal) && name.EndsWith(TempSuffix, StringComparison.Ordinal);

    /// <summary>The entries of a folder of the log (none when it is missing), without following links.</summary>
    public static List<string> Entries(string dir)
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

    // Lock files this process holds (pins, transactions' locks), by path: probing one of them would only throw (and
    // catch) an IOException, which every commit did for its own pin and its own transaction's lock. A handle closed
    // without ReleasedHere (a test's "killed" holder) is probed as before.
    private static readonly ConcurrentDictionary<string, Microsoft.Win32.SafeHandles.SafeFileHandle> s_heldHere = new(StringComparer.Ordinal);

    /// <summary>Notes that this process holds the lock file at <paramref name="path"/> through <paramref name="holder"/> (before it appears under that name).</summary>
    public static void HeldHere(string path, FileStream holder) => s_heldHere[path] = holder.SafeFileHandle;

    /// <summary>Notes that this process no longer holds the lock file at <paramref name="path"/>.</summary>
    public static void ReleasedHere(string path) => s_heldHere.TryRemove(path, out _);

    /// <summary>
    /// A lock file nobody holds: its owner died (the kernel released its lock). A missing file is not abandoned (its
    /// owner renamed it just now); a link, folder or special file is nobody's lock (never opened, only removed); a lock
    /// this process holds is not probed.
    /// </summary>
    public static bool IsAbandoned(string path)
    {
        if (s_heldHere.TryGetValue(path, out var held) && !held.IsClosed)
        {
            return false;
        }

        switch (FileKinds.Of(path))
        {
            case FileKind.Missing:
                return false;
            case FileKind.Regular:
                break;
            default:
                return true;
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

    /// <summary>Deletes a file, ignoring failures (it is gone already, or cleared later).</summary>
    public static void TryDeleteFile(string path)
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

    private string RelativeToStore(string path) => Path.GetRelativePath(StoreRoot, path).Replace(Path.DirectorySeparatorChar, '/');
}
