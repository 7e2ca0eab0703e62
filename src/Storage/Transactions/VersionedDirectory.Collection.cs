using System.Globalization;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage.Transactions;

internal sealed partial class VersionedDirectory
{
    // ---------------------------------------------------------------- collection

    /// <summary>What a collection removed.</summary>
    public readonly record struct CollectResult(int PreImageVersions, int Records, int DeadPins, int OrphanedStagings, long Horizon);

    /// <summary>
    /// Removes pre-images and records no live snapshot can need (those at or below the oldest live pin), pins of dead
    /// processes, and staging folders of dead transactions.
    /// </summary>
    public CollectResult Collect(CancellationToken cancellationToken)
    {
        CollectResult result;
        using (AcquireLock(cancellationToken))
        {
            RecoverLocked();
            result = CollectLocked();
        }

        EmptyTrash();
        return result;
    }

    // Staging folders and pins of processes that died: nothing can need them.
    private (int DeadPins, int Orphans, long Horizon) RemoveAbandonedLocked()
    {
        long horizon = ReadVersion();
        int deadPins = 0;
        foreach (var pin in Entries(_pinsDir))
        {
            string name = Path.GetFileName(pin);
            if (IsTempName(name))
            {
                // a pin being created: its creator renames it in a moment; a crashed creator's is old and unlocked
                if (File.GetLastWriteTimeUtc(pin) < DateTime.UtcNow.AddMinutes(-10) && IsAbandoned(pin))
                {
                    TryDeleteFile(pin);
                }

                continue;
            }

            int at = name.LastIndexOf('@');
            if (at < 0 || !long.TryParse(name[(at + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out long v))
            {
                continue;
            }

            if (IsAbandoned(pin))
            {
                TryDeleteFile(pin);
                deadPins++;
            }
            else
            {
                horizon = Math.Min(horizon, v);
            }
        }

        int orphans = 0;
        foreach (var entry in Entries(_stagingDir))
        {
            string name = Path.GetFileName(entry);
            if (name.StartsWith(TempPrefix, StringComparison.Ordinal))
            {
                // a lock file being created: its own creator renames it in a moment; leftovers of a crash are old
                if (File.GetLastWriteTimeUtc(entry) < DateTime.UtcNow.AddMinutes(-10))
                {
                    TryDeleteFile(entry);
                }

                continue;
            }

            string id = name.EndsWith(".lock", StringComparison.Ordinal) ? name[..^5] : name;
            string lockPath = Path.Combine(_stagingDir, id + ".lock");
            if (entry == lockPath && Directory.Exists(Path.Combine(_stagingDir, id)))
            {
                continue; // handled with its folder
            }

            if (!File.Exists(lockPath) || IsAbandoned(lockPath))
            {
                MoveToTrash(Path.Combine(_stagingDir, id));
                TryDeleteFile(lockPath);
                orphans++;
            }
        }

        return (deadPins, orphans, horizon);
    }

    private CollectResult CollectLocked()
    {
        var (deadPins, orphans, horizon) = RemoveAbandonedLocked();
        int preVersions = 0;
        int records = 0;
        foreach (long n in ListRecordNumbers().Where(n => n <= horizon).ToList())
        {
            string pre = Path.Combine(_preDir, n.ToString(CultureInfo.InvariantCulture));
            if (Directory.Exists(pre))
            {
                MoveToTrash(pre);
                preVersions++;
            }

            TryDeleteFile(RecordPath(n));
            records++;
        }

        return new CollectResult(preVersions, records, deadPins, orphans, horizon);
    }

    /// <summary>Pins (live snapshots) and stagings (live transactions) of this store, for verification.</summary>
    public (int LivePins, int DeadPins, int LiveTransactions, List<string> Orphaned, List<long> Unfinished) Inspect()
    {
        // Never waits for a writer. Pins and staging locks appear already locked (created under temporary names), so
        // probing them needs no lock; a half-done commit is only reported when the commit lock is free (no process is
        // committing it).
        int live = 0;
        int dead = 0;
        foreach (var pin in Entries(_pinsDir).Where(p => !IsTempName(Path.GetFileName(p))))
        {
            if (IsAbandoned(pin))
            {
                dead++;
            }
            else
            {
                live++;
            }
        }

        int liveTx = 0;
        var orphaned = new List<string>();
        foreach (var dir in Entries(_stagingDir).Where(d => FileKinds.Of(d) == FileKind.Directory))
        {
            string lockPath = dir + ".lock";
            if (!File.Exists(lockPath) || IsAbandoned(lockPath))
            {
                orphaned.Add(Path.GetFileName(dir));
            }
            else
            {
                liveTx++;
            }
        }

        var unfinished = new List<long>();
        using (var held = TryAcquireLockNow())
        {
            if (held is not null)
            {
                long version = ReadVersion();
                unfinished.AddRange(ListRecordNumbers().Where(n => n > version && ReadRecord(n) is { State: CommitRecord.Preparing }));
            }
        }

        return (live, dead, liveTx, orphaned, unfinished);
    }

    // The entries of a folder of the log (none when it is missing), without following links.
    private static List<string> Entries(string dir)
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

    private static bool IsTempName(string name) =>
        name.StartsWith(TempPrefix, StringComparison.Ordinal) && name.EndsWith(TempSuffix, StringComparison.Ordinal);

    // A lock file nobody holds: its owner died (the kernel released its lock).
    private static bool IsAbandoned(string path)
    {
        switch (FileKinds.Of(path))
        {
            case FileKind.Missing:
                return false; // renamed by its owner just now
            case FileKind.Regular:
                break;
            default:
                return true; // a link, folder or special file is nobody's lock: never opened, only removed
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

    // Moves a folder of the log out of the way (to be deleted after the commit lock is released); a link or file in
    // its place is only unlinked, never followed.
    private void MoveToTrash(string path)
    {
        switch (FileKinds.Of(path))
        {
            case FileKind.Missing:
                return;
            case FileKind.Directory:
                break;
            default:
                TryDeleteFile(path);
                return;
        }

        try
        {
            Directory.Move(path, Path.Combine(_trashDir, Guid.NewGuid().ToString("N")));
        }
        catch (IOException)
        {
            TryDeleteDirectory(path);
        }
    }

    private void EmptyTrash()
    {
        if (IsReadOnly || !RequireFolder(_trashDir))
        {
            return;
        }

        foreach (var entry in Entries(_trashDir))
        {
            FileKinds.DeleteTree(entry);
        }
    }
}
