using System.Buffers;
using Microsoft.Win32.SafeHandles;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// Reads any key at any version still in the log, without locks: it reads the key's live file, then (after reading
/// <c>seq</c>) looks for the first record after the version that touches the key. None: the live bytes. The key did not
/// exist before it: missing. Else its pre-image if there is one yet, else the live bytes (which then cannot have been
/// replaced yet).
/// </summary>
internal sealed class VersionReader
{
    private readonly DirectoryStore _live;
    private readonly RecordIndex _index;
    private readonly PreImages _preImages;

    public VersionReader(DirectoryStore live, RecordIndex index, PreImages preImages)
    {
        _live = live;
        _index = index;
        _preImages = preImages;
    }

    /// <summary>The value of <paramref name="key"/> at <paramref name="version"/>, or null.</summary>
    public IMemoryOwner<byte>? Get(string key, long version) => AtVersion(key, version, _live.GetPooled, DirectoryStore.ReadPooled);

    /// <summary>The file holding <paramref name="key"/>'s value at <paramref name="version"/>, opened for reading, or null.</summary>
    public SafeFileHandle? Open(string key, long version) => AtVersion(key, version, _live.OpenValue, DirectoryStore.TryOpenFile);

    /// <summary>The size of <paramref name="key"/>'s value at <paramref name="version"/>, or null.</summary>
    public long? GetSize(string key, long version)
    {
        long? live = _live.GetSize(key);
        var (exists, pre) = Resolve(key, _index.ChangesAfter(key, version));
        if (!exists)
        {
            return null;
        }

        return pre is null ? live : new FileInfo(pre).Length;
    }

    /// <summary>Whether <paramref name="key"/> exists at <paramref name="version"/>.</summary>
    public bool Exists(string key, long version)
    {
        bool live = _live.Exists(key);
        var (exists, pre) = Resolve(key, _index.ChangesAfter(key, version));
        return exists && (pre is not null || live);
    }

    /// <summary>The keys under <paramref name="prefix"/> at <paramref name="version"/>.</summary>
    public IEnumerable<string> List(string prefix, long version)
    {
        var keys = _live.List(prefix).ToHashSet(StringComparer.Ordinal);
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

    /// <summary>The immediate children of <paramref name="prefix"/> at <paramref name="version"/>.</summary>
    public IEnumerable<string> ListDirectory(string prefix, long version)
    {
        var live = _live.ListDirectory(prefix).ToList();
        string p = prefix.Trim('/');
        return SnapshotListing.Children(live, prefix, _index.FirstChangesAfter(p.Length == 0 ? string.Empty : p + "/", version), k => Exists(k, version), k => List(k, version));
    }

    // The live value (read or opened by `live`) unless a commit after `version` changed the key: then nothing when the
    // key did not exist at `version`, else its pre-image (read or opened by `file` from its path).
    private T? AtVersion<T>(string key, long version, Func<string, T?> live, Func<string, T?> file)
        where T : class, IDisposable
    {
        var current = live(key);
        (bool Exists, string? PreImage) where;
        try
        {
            where = Resolve(key, _index.ChangesAfter(key, version));
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

    // Where a key's value at a version is, given the changes after it (oldest first): the live file when none changed
    // it; nowhere when the first did not find it (it did not exist at the version: no change before that one); else the
    // first pre-image that exists. The first change's own pre-image is missing when that commit failed before linking it
    // (it was rolled back, replacing nothing: a later commit's pre-image then holds the same bytes) or is still linking
    // (then no later commit exists, and the live file read before these changes were listed was not yet replaced).
    private (bool Exists, string? PreImage) Resolve(string key, RecordIndex.KeyChange[] changes)
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
            if (_preImages.Find(c.Number, key) is { } pre)
            {
                return (true, pre);
            }
        }

        return (true, null);
    }
}
