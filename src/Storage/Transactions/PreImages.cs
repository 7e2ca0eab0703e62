using System.Globalization;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// Where commits keep the values they replace or delete: commit N hard-links each such key's file to <c>pre/N.NAME~</c>
/// (NAME: <see cref="FlatNames"/>; flat, so a commit creates no directories) before changing anything, and a collection
/// removes commit N's pre-images once no pin is at or below N. Logs written before the flat layout linked them to
/// <c>pre/N/key~</c> (and before that to <c>pre/N/key</c>): those names are still found and collected. The <c>~</c>
/// suffix keeps tools that walk every file of a store from taking a pre-image of a metadata document for a node.
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
    public string PathOf(long number, string key) =>
        Path.Combine(_folder.Pre, number.ToString(CultureInfo.InvariantCulture) + FlatNames.Separator + FlatNames.Of(key) + VersionedDirectory.LogFileSuffix);

    /// <summary>
    /// The pre-image of <paramref name="key"/> that commit <paramref name="number"/> linked, under its current or an
    /// earlier layout's name; null when there is none.
    /// </summary>
    /// <exception cref="UnsafeStoreEntryException">A link or special file is on the way (refused as anywhere in the store).</exception>
    public string? Find(long number, string key)
    {
        string flat = PathOf(number, key);
        if (_folder.RequireFile(flat))
        {
            return flat;
        }

        // The folder layout of earlier logs. Not cached: pre-image folders come and go with commits and collections (a
        // few lstat calls per read of a key changed since the reader's version, next to decoding a chunk).
        string folder = Path.Combine(_folder.Pre, number.ToString(CultureInfo.InvariantCulture));
        if (FileKinds.Of(folder) == FileKind.Missing)
        {
            return null;
        }

        string current = Path.Combine(folder, key) + VersionedDirectory.LogFileSuffix;
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

    /// <summary>
    /// Moves every pre-image of commits at or below <paramref name="horizon"/> (flat files and earlier layouts' folders)
    /// to the trash; returns how many commits had some. Call under the commit lock.
    /// </summary>
    public int RemoveAtOrBelow(long horizon, LogTrash trash)
    {
        var numbers = new HashSet<long>();
        foreach (var entry in LogFolder.Entries(_folder.Pre))
        {
            string name = Path.GetFileName(entry);
            if (long.TryParse(FlatNames.OwnerOf(name), NumberStyles.None, CultureInfo.InvariantCulture, out long n) && n <= horizon)
            {
                trash.Move(entry);
                numbers.Add(n);
            }
        }

        return numbers.Count;
    }
}
