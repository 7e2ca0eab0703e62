using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// The log's trash: pre-images and dead transactions' staged files (and older layouts' folders of them) are moved there
/// under the commit lock, which is quick, and deleted after it is released, so a large deletion never holds up other
/// commits. Links are never followed: a link or special file is only unlinked.
/// </summary>
internal sealed class LogTrash
{
    private readonly LogFolder _folder;

    public LogTrash(LogFolder folder) => _folder = folder;

    /// <summary>Moves the folder or file <paramref name="path"/> into the trash (deleting it in place when it cannot be moved).</summary>
    public void Move(string path)
    {
        var kind = FileKinds.Of(path);
        switch (kind)
        {
            case FileKind.Missing:
                return;
            case FileKind.Directory or FileKind.Regular:
                break;
            default:
                LogFolder.TryDeleteFile(path);
                return;
        }

        string target = Path.Combine(_folder.Trash, Guid.NewGuid().ToString("N"));
        try
        {
            if (kind == FileKind.Directory)
            {
                Directory.Move(path, target);
            }
            else
            {
                File.Move(path, target);
            }
        }
        catch (IOException)
        {
            if (kind == FileKind.Directory)
            {
                FileKinds.DeleteTree(path);
            }
            else
            {
                LogFolder.TryDeleteFile(path);
            }
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
