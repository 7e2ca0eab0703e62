using System.Globalization;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// Where commits keep the values they replace or delete: commit N hard-links each such key's file to
/// <c>pre/N/key~</c> before changing anything, and a collection removes <c>pre/N/</c> once no pin is at or below N.
/// The <c>~</c> suffix keeps tools that walk every file of a store from taking a pre-image of a metadata document for a
/// node; logs written before it had no suffix, and those names are still found.
/// </summary>
internal sealed class PreImages
{
    private readonly LogFolder _folder;
    private readonly DirectoryStore _live;

    public PreImages(LogFolder folder, DirectoryStore live)
    {
        _folder = folder;
        _live = live;
    }

    /// <summary>Where commit <paramref name="number"/> links the pre-image of <paramref name="key"/>.</summary>
    public string PathOf(long number, string key) => Path.Combine(FolderOf(number), key) + VersionedDirectory.LogFileSuffix;

    /// <summary>The folder of commit <paramref name="number"/>'s pre-images.</summary>
    public string FolderOf(long number) => Path.Combine(_folder.Pre, number.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// The pre-image of <paramref name="key"/> that commit <paramref name="number"/> linked, under its current or earlier
    /// name; null when there is none.
    /// </summary>
    /// <exception cref="UnsafeStoreEntryException">A link or special file is on the way (refused as anywhere in the store).</exception>
    public string? Find(long number, string key)
    {
        string current = PathOf(number, key);
        // Not cached: pre-image folders come and go with commits and collections (a few lstat calls per read of a key
        // changed since the reader's version, next to decoding a chunk).
        if (!DirectoryStore.CheckFolders(_live.Name, _live.Root, key, current, null))
        {
            return null;
        }

        if (_folder.RequireFile(current))
        {
            return current;
        }

        string legacy = current[..^VersionedDirectory.LogFileSuffix.Length];
        return _folder.RequireFile(legacy) ? legacy : null;
    }
}
