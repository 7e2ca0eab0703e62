using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// The log's trash: folders (pre-images, dead stagings) are moved there under the commit lock, which is quick, and
/// deleted after it is released, so a large deletion never holds up other commits. Links are never followed: a link
/// or file found where a folder should be is only unlinked.
/// </summary>
internal sealed class LogTrash
{
    private readonly LogFolder _folder;

    public LogTrash(LogFolder folder) => _folder = folder;

    /// <summary>Moves the folder <paramref name="path"/> into the trash (deleting it in place when it cannot be moved).</summary>
    public void Move(string path)
    {
        switch (FileKinds.Of(path))
        {
            case FileKind.Missing:
                return;
            case FileKind.Directory:
                break;
            default:
                LogFolder.TryDeleteFile(path);
                return;
        }

        try
        {
            Directory.Move(path, Path.Combine(_folder.Trash, Guid.NewGuid().ToString("N")));
        }
        catch (IOException)
        {
            FileKinds.DeleteTree(path);
        }
    }

    /// <summary>Deletes everything in the trash (nothing when the log is read-only here or has no trash folder).</summary>
    /// <exception cref="UnsafeStoreEntryException">The trash folder is a link or not a folder.</exception>
    public void Empty(bool readOnly)
    {
        if (readOnly || !_folder.RequireFolder(_folder.Trash))
        {
            return;
        }

        foreach (var entry in LogFolder.Entries(_folder.Trash))
        {
            FileKinds.DeleteTree(entry);
        }
    }
}
