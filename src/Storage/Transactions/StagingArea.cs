using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// Transactions' staged values, flat in the staging folder: <c>staging/ID.NAME~</c> (NAME: <see cref="FlatNames"/>),
/// each transaction with a lock file <c>staging/ID.lock</c> that it keeps locked while it lives. The lock file appears
/// under its name already locked (created and locked under a temporary name, then renamed), so a collector never sees a
/// live transaction's lock free and takes it for a dead one's. Beginning, staging and ending a transaction create no
/// directories. Stores written before this layout may hold a dead transaction's folder <c>staging/ID/</c>: it is
/// removed like the flat files.
/// </summary>
internal sealed class StagingArea
{
    private const string LockSuffix = ".lock";

    private readonly LogFolder _folder;

    public StagingArea(LogFolder folder) => _folder = folder;

    /// <summary>The store's name for messages.</summary>
    public string StoreName => _folder.StoreName;

    /// <summary>The staging folder.</summary>
    public string Folder => _folder.Staging;

    /// <summary>Creates a transaction's lock, held by the returned handle while the transaction lives.</summary>
    public FileStream Create(string id)
    {
        string pending = Path.Combine(_folder.Staging, LogFolder.TempPrefix + id + LogFolder.TempSuffix);
        var lockFile = new FileStream(pending, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        try
        {
            LogFolder.HeldHere(LockPathOf(id), lockFile);
            File.Move(pending, LockPathOf(id));
            return lockFile;
        }
        catch
        {
            LogFolder.ReleasedHere(LockPathOf(id));
            lockFile.Dispose();
            LogFolder.TryDeleteFile(pending);
            throw;
        }
    }

    /// <summary>Where transaction <paramref name="id"/> stages <paramref name="key"/>.</summary>
    public string PathOf(string id, string key) => Path.Combine(_folder.Staging, id + FlatNames.Separator + FlatNames.Of(key) + VersionedDirectory.LogFileSuffix);

    /// <summary>
    /// Checks that transaction <paramref name="id"/> (validated: it names entries of the staging folder only) is live —
    /// its lock file is there and held — for a writer joining it.
    /// </summary>
    /// <exception cref="InvalidOperationException">No live transaction has that id.</exception>
    public void Join(string id)
    {
        string lockPath = LockPathOf(id);
        if (FileKinds.Of(lockPath) != FileKind.Regular || LogFolder.IsAbandoned(lockPath))
        {
            throw NotOpen(id, "its lock is not held by a live transaction");
        }
    }

    /// <summary>True while transaction <paramref name="id"/>'s lock file exists (its owner removes it when it ends).</summary>
    public bool LockExists(string id) => FileKinds.Of(LockPathOf(id)) == FileKind.Regular;

    /// <summary>The error for joining (or writing into) a transaction that is not open.</summary>
    public InvalidOperationException NotOpen(string id, string why) =>
        new($"store '{StoreName}' has no open transaction '{id}': {why} (it was committed or aborted, its process ended, or it was begun on another store)");

    /// <summary>Removes a finished transaction's staged files (its own and joined writers') and its lock.</summary>
    public void Remove(string id, FileStream lockFile)
    {
        string prefix = id + FlatNames.Separator;
        foreach (var entry in LogFolder.Entries(_folder.Staging))
        {
            string name = Path.GetFileName(entry);
            if (name.StartsWith(prefix, StringComparison.Ordinal) && name.EndsWith(VersionedDirectory.LogFileSuffix, StringComparison.Ordinal))
            {
                LogFolder.TryDeleteFile(entry); // never a folder or link's target: File.Delete unlinks the entry itself
            }
        }

        lockFile.Dispose();
        LogFolder.TryDeleteFile(LockPathOf(id));
        LogFolder.ReleasedHere(LockPathOf(id));
    }

    /// <summary>
    /// Removes the staged files (and older layouts' staging folders) of dead transactions (lock missing or free) and
    /// their locks, and deletes temporary files a crashed writer left over ten minutes ago. Returns how many dead
    /// transactions were cleared. Call under the commit lock.
    /// </summary>
    public int RemoveAbandoned(LogTrash trash)
    {
        int orphans = 0;
        foreach (var (id, entries) in Group(sweep: true))
        {
            string lockPath = LockPathOf(id);
            if (File.Exists(lockPath) && !LogFolder.IsAbandoned(lockPath))
            {
                continue;
            }

            foreach (var entry in entries)
            {
                if (entry != lockPath)
                {
                    trash.Move(entry);
                }
            }

            LogFolder.TryDeleteFile(lockPath);
            orphans++;
        }

        return orphans;
    }

    /// <summary>The number of live transactions and the names of dead ones' staged entries, changing nothing.</summary>
    public (int Live, List<string> Orphaned) Inspect()
    {
        int live = 0;
        var orphaned = new List<string>();
        foreach (var (id, entries) in Group(sweep: false))
        {
            string lockPath = LockPathOf(id);
            bool held = File.Exists(lockPath) && !LogFolder.IsAbandoned(lockPath);
            if (held)
            {
                live++;
            }
            else if (entries.Any(e => e != lockPath))
            {
                orphaned.Add(FileKinds.Of(Path.Combine(_folder.Staging, id)) == FileKind.Directory ? id : id + FlatNames.Separator + "*");
            }
        }

        return (live, orphaned);
    }

    // The staging folder's entries by transaction id. Temporary files are skipped (their own creator renames them in a
    // moment); with sweep, those over ten minutes old (a crashed writer's) are deleted.
    private Dictionary<string, List<string>> Group(bool sweep)
    {
        var groups = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var entry in LogFolder.Entries(_folder.Staging))
        {
            string name = Path.GetFileName(entry);
            if (name.StartsWith(LogFolder.TempPrefix, StringComparison.Ordinal))
            {
                if (sweep && File.GetLastWriteTimeUtc(entry) < DateTime.UtcNow.AddMinutes(-10))
                {
                    LogFolder.TryDeleteFile(entry);
                }

                continue;
            }

            string id = FlatNames.OwnerOf(name);
            if (!groups.TryGetValue(id, out var list))
            {
                groups[id] = list = [];
            }

            list.Add(entry);
        }

        return groups;
    }

    private string LockPathOf(string id) => Path.Combine(_folder.Staging, id + LockSuffix);
}
