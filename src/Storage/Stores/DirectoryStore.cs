using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace ChunkCompute.Storage.Stores;

/// <summary>
/// A store on a local directory: key <c>a/b/c</c> is the file <c>ROOT/a/b/c</c>, exactly as zarr-python's
/// DirectoryStore/LocalStore lays it out. Writes go to a temporary file in the same directory and are renamed over
/// the target, so readers never see a torn value. Temporary files are named <c>.ccw-*.tmp</c> and never listed.
/// </summary>
public sealed class DirectoryStore : IStore, IFileValueStore
{
    private const string TempPrefix = ".ccw-";
    private const string TempSuffix = ".tmp";

    /// <summary>The hidden folder of the transaction log: never a key, never listed.</summary>
    private const string HiddenFolder = ".chunkcompute";
    private readonly string _root;

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
    public IMemoryOwner<byte>? GetPooled(string key) => ReadPooled(PathOf(key));

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
            long length = RandomAccess.GetLength(handle);
            if (length > Array.MaxLength)
            {
                throw new IOException($"'{path}' is {length} bytes; values over {Array.MaxLength} bytes are not supported");
            }

            var owner = new ArrayPoolOwner((int)length);
            try
            {
                var span = owner.Memory.Span;
                int total = 0;
                while (total < span.Length)
                {
                    int n = RandomAccess.Read(handle, span[total..], total);
                    if (n == 0)
                    {
                        throw new IOException($"'{path}' shrank while being read ({total} of {length} bytes)");
                    }

                    total += n;
                }

                return owner;
            }
            catch
            {
                owner.Dispose();
                throw;
            }
        }
    }

    /// <inheritdoc/>
    public SafeFileHandle? OpenValue(string key) => TryOpenFile(PathOf(key));

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
    public void Set(string key, ReadOnlySpan<byte> value)
    {
        string path = PathOf(key);
        string dir = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, TempPrefix + Guid.NewGuid().ToString("N") + TempSuffix);
        try
        {
            using (var handle = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None, value.Length))
            {
                RandomAccess.Write(handle, value, 0);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <inheritdoc/>
    public bool Delete(string key)
    {
        string path = PathOf(key);
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        return true;
    }

    /// <inheritdoc/>
    public bool Exists(string key) => File.Exists(PathOf(key));

    /// <inheritdoc/>
    public long? GetSize(string key)
    {
        var info = new FileInfo(PathOf(key));
        return info.Exists ? info.Length : null;
    }

    /// <inheritdoc/>
    public IEnumerable<string> ListDirectory(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        string dir = prefix.Trim('/').Length == 0 ? _root : PathOf(prefix.Trim('/'));
        if (!Directory.Exists(dir))
        {
            return [];
        }

        return Directory.EnumerateFileSystemEntries(dir)
            .Select(Path.GetFileName)
            .Where(n => n is not null && !(n.StartsWith(TempPrefix, StringComparison.Ordinal) && n.EndsWith(TempSuffix, StringComparison.Ordinal))
                && !(dir == _root && n == HiddenFolder))
            .Select(n => n!)
            .ToArray();
    }

    /// <inheritdoc/>
    public IEnumerable<string> List(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);

        // Walk only the deepest directory the prefix fully names, then filter by the rest of the prefix.
        int slash = prefix.LastIndexOf('/');
        string dirPart = slash < 0 ? string.Empty : prefix[..slash];
        string start = dirPart.Length == 0 ? _root : Path.Combine(_root, dirPart);
        if (!Directory.Exists(start))
        {
            yield break;
        }

        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };
        IEnumerable<string> files = start == _root
            ? Directory.EnumerateFiles(start).Concat(Directory.EnumerateDirectories(start)
                .Where(d => Path.GetFileName(d) != HiddenFolder)
                .SelectMany(d => Directory.EnumerateFiles(d, "*", options)))
            : Directory.EnumerateFiles(start, "*", options);
        foreach (var file in files)
        {
            string name = Path.GetFileName(file);
            if (name.StartsWith(TempPrefix, StringComparison.Ordinal) && name.EndsWith(TempSuffix, StringComparison.Ordinal))
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
