using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// Transactions' staging folders, <c>staging/id/</c>, each with a lock file <c>staging/id.lock</c> that the transaction
/// keeps locked while it lives. The lock file appears under its name already locked (created and locked under a
/// temporary name, then renamed), so a collector never sees a live transaction's lock free and takes it for a dead one's.
/// </summary>
internal sealed class StagingArea
{
    private readonly LogFolder _folder;

    public StagingArea(LogFolder folder) => _folder = folder;

    /// <summary>The store's name for messages.</summary>
    public string StoreName => _folder.StoreName;

    /// <summary>Creates a transaction's staging folder, locked by the returned handle while the transaction lives.</summary>
    public (string Directory, FileStream Lock) Create(string id)
    {
        string pending = Path.Combine(_folder.Staging, LogFolder.TempPrefix + id + LogFolder.TempSuffix);
        var lockFile = new FileStream(pending, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        try
        {
            File.Move(pending, LockPathOf(id));
            string dir = Path.Combine(_folder.Staging, id);
            Directory.CreateDirectory(dir);
            return (dir, lockFile);
        }
        catch
        {
            lockFile.Dispose();
            LogFolder.TryDeleteFile(pending);
            throw;
        }
    }

    /// <summary>
    /// The staging folder of a live transaction (its folder is a real directory and its lock file is held), for a
    /// writer joining it. <paramref name="id"/> must be validated: it names one entry of the staging folder.
    /// </summary>
    /// <exception cref="InvalidOperationException">No live transaction has that id.</exception>
    public string Join(string id)
    {
        string dir = Path.Combine(_folder.Staging, id);
        string lockPath = LockPathOf(id);
        if (FileKinds.Of(dir) != FileKind.Directory)
        {
            throw NotOpen(id, "it has no staging folder");
        }

        if (FileKinds.Of(lockPath) != FileKind.Regular || LogFolder.IsAbandoned(lockPath))
        {
            throw NotOpen(id, "its staging folder is not locked by a live transaction");
        }

        return dir;
    }

    /// <summary>The error for joining (or writing into) a transaction that is not open.</summary>
    public InvalidOperationException NotOpen(string id, string why) =>
        new($"store '{StoreName}' has no open transaction '{id}': {why} (it was committed or aborted, its process ended, or it was begun on another store)");

    /// <summary>Removes a finished transaction's staging folder and lock.</summary>
    public void Remove(string id, FileStream lockFile)
    {
        FileKinds.DeleteTree(Path.Combine(_folder.Staging, id));
        lockFile.Dispose();
        LogFolder.TryDeleteFile(LockPathOf(id));
    }

    /// <summary>
    /// Moves the staging folders of dead transactions (lock missing or free) to the trash and deletes their locks, and
    /// deletes lock files a crashed creator left under their temporary names over ten minutes ago. Returns how many
    /// stagings were removed. Call under the commit lock.
    /// </summary>
    public int RemoveAbandoned(LogTrash trash)
    {
        int orphans = 0;
        foreach (var entry in LogFolder.Entries(_folder.Staging))
        {
            string name = Path.GetFileName(entry);
            if (name.StartsWith(LogFolder.TempPrefix, StringComparison.Ordinal))
            {
                // a lock file being created: its own creator renames it in a moment; leftovers of a crash are old
                if (File.GetLastWriteTimeUtc(entry) < DateTime.UtcNow.AddMinutes(-10))
                {
                    LogFolder.TryDeleteFile(entry);
                }

                continue;
            }

            string id = name.EndsWith(".lock", StringComparison.Ordinal) ? name[..^5] : name;
            string lockPath = LockPathOf(id);
            if (entry == lockPath && (Directory.Exists(Path.Combine(_folder.Staging, id)) || !File.Exists(lockPath)))
            {
                continue; // handled with its folder (still to come, or removed with it just now: counted once)
            }

            if (!File.Exists(lockPath) || LogFolder.IsAbandoned(lockPath))
            {
                trash.Move(Path.Combine(_folder.Staging, id));
                LogFolder.TryDeleteFile(lockPath);
                orphans++;
            }
        }

        return orphans;
    }

    /// <summary>The number of live transactions and the ids of dead ones' staging folders, changing nothing.</summary>
    public (int Live, List<string> Orphaned) Inspect()
    {
        int live = 0;
        var orphaned = new List<string>();
        foreach (var dir in LogFolder.Entries(_folder.Staging).Where(d => FileKinds.Of(d) == FileKind.Directory))
        {
            string lockPath = dir + ".lock";
            if (!File.Exists(lockPath) || LogFolder.IsAbandoned(lockPath))
            {
                orphaned.Add(Path.GetFileName(dir));
            }
            else
            {
                live++;
            }
        }

        return (live, orphaned);
    }

    private string LockPathOf(string id) => Path.Combine(_folder.Staging, id + ".lock");
}
