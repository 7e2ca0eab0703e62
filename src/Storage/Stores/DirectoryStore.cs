using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Enumeration;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ChunkCompute.Storage.Stores;

/// <summary>
/// A store on a local directory: key <c>a/b/c</c> is the file <c>ROOT/a/b/c</c>, exactly as zarr-python's
/// DirectoryStore/LocalStore lays it out. Writes go to a temporary file in the same directory and are renamed over
/// the target, so readers never see a torn value. Temporary files are named <c>.ccw-*.tmp</c> and never listed.
/// </summary>
/// <remarks>
/// The directory is untrusted input (someone else's tarball, a crashed writer): no path below the root is followed if
/// it is a symbolic link, and nothing but a regular file is opened as a value. Reading or writing a key whose file or
/// any folder on the way is a link, or whose file is a FIFO, socket or device, throws
/// <see cref="UnsafeStoreEntryException"/>; listings skip links and never descend into linked folders, so nothing
/// outside the root is ever read, written or deleted. The root itself may be a link (a user's own choice).
/// </remarks>
public sealed class DirectoryStore : IStore, IFileValueStore
{
    private const string TempPrefix = ".ccw-";
    private const string TempSuffix = ".tmp";

    /// <summary>The hidden folder of the transaction log: never a key, never listed.</summary>
    private const string HiddenFolder = ".chunkcompute";
    private readonly string _root;

    // Folders below the root already seen to be real folders (not links): a key's folders are checked once.
    private readonly ConcurrentDictionary<string, byte> _realFolders = new(StringComparer.Ordinal);

    /// <summary>Opens (and creates, unless <paramref name="createIfMissing"/> is false) the directory.</summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist and may not be created.</exception>
    public DirectoryStore(string directory, bool createIfMissing = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        _root = Path.GetFullPath(directory);
        if (!Directory.Exists(_root))
        {
            if (File.Exists(_root))
            {
                throw new IOException($"'{_root}' is a file, not a store directory");
            }

            if (!createIfMissing)
            {
                throw new DirectoryNotFoundException($"store directory '{_root}' does not exist");
            }

            Directory.CreateDirectory(_root);
        }
    }

    /// <summary>The store's absolute root directory.</summary>
    public string Root => _root;

    /// <inheritdoc/>
    public string Name => _root;

    /// <summary>
    /// Writable, listable, byte ranges (reads at an offset), atomic rename, and create-if-absent (a complete temporary
    /// file hard-linked to the key's name, which fails when the name exists, so readers never see a partial value).
    /// Not compare-and-swap: a file has no version a rename-based writer could check and replace in one step (an inode
    /// number is reused once freed), so transactions here use the rename-based log under its commit lock instead.
    /// </summary>
    public StoreCapabilities Capabilities =>
        StoreCapabilities.Writable | StoreCapabilities.Listable | StoreCapabilities.ByteRanges
        | StoreCapabilities.AtomicRename | StoreCapabilities.ConditionalCreate;

    /// <summary>The file path that holds <paramref name="key"/>.</summary>
    public string PathOf(string key)
    {
        StoreKeys.Validate(key);
        return Path.Combine(_root, key);
    }

    /// <inheritdoc/>
    public byte[]? Get(string key)
    {
        using var owner = GetPooled(key);
        return owner?.Memory.ToArray();
    }

    /// <inheritdoc/>
    public IMemoryOwner<byte>? GetPooled(string key) => CheckedFile(key) is { } path ? ReadPooled(path) : null;

    /// <summary>
    /// Reads a whole file into pooled memory (one read, no intermediate array), or returns null when it does not exist.
    /// Shared by the store and the transaction log (staged values, pre-images).
    /// </summary>
    internal static ArrayPoolOwner? ReadPooled(string path)
    {
        var handle = TryOpenFile(path);
        if (handle is null)
        {
            return null;
        }

        using (handle)
        {
            return StoreDefaults.ReadAt(handle, 0, RandomAccess.GetLength(handle), path);
        }
    }

    /// <inheritdoc/>
    public IMemoryOwner<byte>? GetRangePooled(string key, ByteRange range) => StoreDefaults.ReadFileRange(this, _root, key, range);

    /// <inheritdoc/>
    public byte[]? GetRange(string key, ByteRange range)
    {
        using var owner = GetRangePooled(key, range);
        return owner?.Memory.ToArray();
    }

    /// <inheritdoc/>
    public SafeFileHandle? OpenValue(string key) => CheckedFile(key) is { } path ? TryOpenFile(path) : null;

    /// <summary>
    /// The path of <paramref name="key"/>'s file when it is a regular file reached through real folders; null when there
    /// is no such file (or it is a folder: not a value).
    /// </summary>
    /// <exception cref="UnsafeStoreEntryException">The file or a folder on the way is a link, or the file is special.</exception>
    private string? CheckedFile(string key)
    {
        string path = PathOf(key);
        if (!CheckFolders(key, path))
        {
            return null;
        }

        return FileKinds.Of(path) switch
        {
            FileKind.Regular => path,
            FileKind.SymbolicLink => throw new UnsafeStoreEntryException(_root, key, "is a symbolic link"),
            FileKind.Special => throw new UnsafeStoreEntryException(_root, key, "is a FIFO, socket or device, not a regular file"),
            _ => null,
        };
    }

    /// <summary>
    /// Checks that no folder between the root and <paramref name="key"/>'s file is a link (before a commit renames a
    /// file there).
    /// </summary>
    /// <exception cref="UnsafeStoreEntryException">A folder on the way is a link or special file.</exception>
    internal void CheckKeyFolders(string key) => CheckFolders(key, PathOf(key));

    /// <summary>Checks every folder between the root and <paramref name="key"/>'s file; false when one is missing.</summary>
    private bool CheckFolders(string key, string path) => CheckFolders(_root, _root, key, path, _realFolders);

    /// <summary>
    /// Checks the folders between <paramref name="root"/> and the file <paramref name="path"/> (whose relative name,
    /// for messages, is <paramref name="relative"/>): true when all exist as real folders, false when one is missing or
    /// is a file; a linked or special one throws. Shared with the transaction log (its own root, the hidden folder).
    /// </summary>
    internal static bool CheckFolders(string storeName, string root, string relative, string path, ConcurrentDictionary<string, byte>? seen)
    {
        string? parent = Path.GetDirectoryName(path);
        if (parent is null || parent.Length <= root.Length)
        {
            return true;
        }

        if (seen is not null && seen.ContainsKey(parent))
        {
            return true;
        }

        // Walk down from the root so the first bad folder is the one named.
        int start = root.Length + 1;
        while (start <= parent.Length)
        {
            int sep = parent.IndexOf(Path.DirectorySeparatorChar, start);
            string folder = sep < 0 ? parent : parent[..sep];
            if (seen is null || !seen.ContainsKey(folder))
            {
                switch (FileKinds.Of(folder))
                {
                    case FileKind.Directory:
                        seen?.TryAdd(folder, 0);
                        break;
                    case FileKind.SymbolicLink:
                        throw new UnsafeStoreEntryException(storeName, Relative(root, folder), $"(a folder on the way to '{relative}') is a symbolic link");
                    case FileKind.Special:
                        throw new UnsafeStoreEntryException(storeName, Relative(root, folder), $"(a folder on the way to '{relative}') is a FIFO, socket or device");
                    default:
                        return false; // missing, or a file where a folder would be: no such key
                }
            }

            if (sep < 0)
            {
                break;
            }

            start = sep + 1;
        }

        return true;
    }

    private static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');

    /// <summary>Opens a file for reading, or returns null when it does not exist (or is a directory: not a value).</summary>
    internal static SafeFileHandle? TryOpenFile(string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (UnauthorizedAccessException) when (Directory.Exists(path))
        {
            return null; // a directory (an implicit group or a chunk prefix) is not a value
        }
    }

    /// <inheritdoc/>
    public void Set(string key, ReadOnlySpan<byte> value) => Write(key, value, overwrite: true);

    /// <inheritdoc/>
    /// <remarks>
    /// The value is written to a temporary file first and then given the key's name only if that name is free (on Unix
    /// a hard link, which fails atomically when the name exists; on Windows MoveFileEx without REPLACE_EXISTING), so it
    /// is exclusive across processes and a reader never sees a partial value. A link or special file at the name counts
    /// as existing (false; it is neither followed nor replaced); a folder there throws <see cref="IOException"/>.
    /// </remarks>
    public bool SetIfAbsent(string key, ReadOnlySpan<byte> value) => Write(key, value, overwrite: false);

    // Writes a temporary file in the key's folder and moves it into place; false when !overwrite and the key exists.
    private bool Write(string key, ReadOnlySpan<byte> value, bool overwrite)
    {
        string path = PathOf(key);
        CheckFolders(key, path); // a linked folder on the way throws; a link in place of the file is replaced, not followed
        string dir = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, TempPrefix + Guid.NewGuid().ToString("N") + TempSuffix);
        try
        {
            using (var handle = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None, value.Length))
            {
                RandomAccess.Write(handle, value, 0);
            }

            if (overwrite)
            {
                File.Move(temp, path, overwrite: true);
                return true;
            }

            bool created = MoveIfAbsent(temp, path);
            if (!created && FileKinds.Of(path) == FileKind.Directory)
            {
                throw new IOException($"cannot create '{key}' in store '{_root}': it is a folder (a group or a chunk prefix), not a value");
            }

            TryDelete(temp); // after a link: the temporary name; after a refusal: the unused file
            return created;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// Gives the complete file <paramref name="temp"/> the name <paramref name="path"/> unless that name exists (any
    /// entry: a file, a link, a folder), atomically: false when it exists. On Unix <c>link(2)</c> (<see cref="File.Move(string, string, bool)"/>
    /// without overwrite is not atomic there: two racing writers could both succeed); on Windows MoveFileEx without
    /// REPLACE_EXISTING, which is. The caller removes <paramref name="temp"/>.
    /// </summary>
    private static bool MoveIfAbsent(string temp, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                File.Move(temp, path, overwrite: false);
                return true;
            }
            catch (IOException) when (Path.Exists(path))
            {
                return false;
            }
        }

        if (Posix.Link(temp, path) == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        if (errno == Posix.EExist)
        {
            return false;
        }

        throw new IOException($"cannot create '{path}' exclusively: link(2) failed with errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)}); the file system must support hard links for create-if-absent");
    }

    /// <inheritdoc/>
    public bool Delete(string key)
    {
        string path = PathOf(key);
        if (!CheckFolders(key, path) || FileKinds.Of(path) is FileKind.Missing or FileKind.Directory)
        {
            return false;
        }

        File.Delete(path); // unlinks a link or special file itself, never its target
        return true;
    }

    /// <inheritdoc/>
    public bool Exists(string key) => CheckedFile(key) is not null;

    /// <inheritdoc/>
    public long? GetSize(string key)
    {
        if (CheckedFile(key) is not { } path)
        {
            return null;
        }

        var info = new FileInfo(path);
        return info.Exists ? info.Length : null;
    }

    /// <inheritdoc/>
    public IEnumerable<string> ListDirectory(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        string trimmed = prefix.Trim('/');
        string dir = trimmed.Length == 0 ? _root : PathOf(trimmed);
        if (trimmed.Length > 0 && (!CheckFolders(trimmed, dir) || FileKinds.Of(dir) != FileKind.Directory))
        {
            return []; // missing, a file, or a link (not followed; reading through it names it)
        }

        // Links are not part of the store: not listed (Verify reports them).
        return new FileSystemEnumerable<string>(dir, (ref FileSystemEntry e) => e.FileName.ToString(), new EnumerationOptions { AttributesToSkip = 0 })
        {
            ShouldIncludePredicate = (ref FileSystemEntry e) => (e.Attributes & FileAttributes.ReparsePoint) == 0,
        }
            .Where(n => !IsTempName(n) && !(dir == _root && n == HiddenFolder))
            .ToArray();
    }

    private static bool IsTempName(string name) =>
        name.StartsWith(TempPrefix, StringComparison.Ordinal) && name.EndsWith(TempSuffix, StringComparison.Ordinal);

    /// <inheritdoc/>
    public IEnumerable<string> List(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);

        // Walk only the deepest directory the prefix fully names, then filter by the rest of the prefix. Links (to files
        // or folders) are neither listed nor descended into: a linked folder could lead anywhere.
        int slash = prefix.LastIndexOf('/');
        string dirPart = slash < 0 ? string.Empty : prefix[..slash];
        string start = dirPart.Length == 0 ? _root : Path.Combine(_root, dirPart);
        if (dirPart.Length > 0 && (!CheckFolders(dirPart, start) || FileKinds.Of(start) != FileKind.Directory))
        {
            yield break;
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };
        var files = new FileSystemEnumerable<string>(start, (ref FileSystemEntry e) => e.ToFullPath(), options)
        {
            ShouldIncludePredicate = (ref FileSystemEntry e) => !e.IsDirectory && (e.Attributes & FileAttributes.ReparsePoint) == 0,
            ShouldRecursePredicate = (ref FileSystemEntry e) => (e.Attributes & FileAttributes.ReparsePoint) == 0
                && !(e.FileName.SequenceEqual(HiddenFolder) && e.Directory.SequenceEqual(_root)),
        };
        foreach (var file in files)
        {
            if (IsTempName(Path.GetFileName(file)))
            {
                continue;
            }

            string key = Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                yield return key;
            }
        }
    }

    /// <summary>
    /// Every symbolic link, FIFO, socket or device below the root (the transaction log's folder included), as
    /// '/'-separated paths relative to the root, each with what it is: what <c>Verify</c> reports, since reads refuse
    /// them and listings skip them. Links are not followed.
    /// </summary>
    internal IEnumerable<(string Entry, FileKind Kind)> FindUnsafeEntries()
    {
        var pending = new Stack<string>();
        pending.Push(_root);
        while (pending.Count > 0)
        {
            string dir = pending.Pop();
            List<string> entries;
            try
            {
                entries = Directory.EnumerateFileSystemEntries(dir).ToList();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var entry in entries)
            {
                var kind = FileKinds.Of(entry);
                if (kind == FileKind.Directory)
                {
                    pending.Push(entry);
                }
                else if (kind is FileKind.SymbolicLink or FileKind.Special)
                {
                    yield return (Relative(_root, entry), kind);
                }
            }
        }
    }

    private static void TryDelete(string path)
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
}
