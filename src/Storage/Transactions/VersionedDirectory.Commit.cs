using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage.Transactions;

internal sealed partial class VersionedDirectory
{
    // ---------------------------------------------------------------- staging

    /// <summary>Creates a transaction's staging folder, locked by the returned handle while the transaction lives.</summary>
    public (string Directory, FileStream Lock) CreateStaging(string id)
    {
        // The lock file appears under its name already locked (created and locked under a temporary name, then
        // renamed; the lock belongs to the file, not the name), so a collector never sees it unlocked and takes it
        // for a dead transaction's.
        if (IsReadOnly)
        {
            throw ReadOnlyError("staging");
        }

        string pending = Path.Combine(_stagingDir, TempPrefix + id + TempSuffix);
        var lockFile = new FileStream(pending, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        try
        {
            File.Move(pending, Path.Combine(_stagingDir, id + ".lock"));
            string dir = Path.Combine(_stagingDir, id);
            Directory.CreateDirectory(dir);
            return (dir, lockFile);
        }
        catch
        {
            lockFile.Dispose();
            TryDeleteFile(pending);
            throw;
        }
    }

    /// <summary>Removes a finished transaction's staging folder and lock.</summary>
    public void RemoveStaging(string id, FileStream lockFile)
    {
        TryDeleteDirectory(Path.Combine(_stagingDir, id));
        lockFile.Dispose();
        TryDeleteFile(Path.Combine(_stagingDir, id + ".lock"));
    }

    // ---------------------------------------------------------------- commit

    /// <summary>
    /// Publishes staged changes atomically. <paramref name="changes"/> maps each key to its staged file (null: delete);
    /// <paramref name="reads"/> are metadata keys the transaction read, which must not have changed either.
    /// Returns the new version, or the latest one when nothing changed.
    /// </summary>
    /// <exception cref="ConflictException">A key changed after <paramref name="startVersion"/>.</exception>
    public long Commit(string transactionId, long startVersion, IReadOnlyDictionary<string, string?> changes, IEnumerable<string> reads, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long number;
        using (AcquireLock(cancellationToken))
        {
            RecoverLocked();
            long version = ReadVersion();
            if (version > startVersion)
            {
                var watched = new HashSet<string>(changes.Keys, StringComparer.Ordinal);
                watched.UnionWith(reads);
                for (long n = startVersion + 1; n <= version; n++)
                {
                    var record = ReadRecord(n);
                    if (record is null || record.State == CommitRecord.Aborted)
                    {
                        continue;
                    }

                    // Metadata first: "the array was resized/replaced" explains more than a chunk key does.
                    foreach (var e in record.Entries.OrderBy(e => IsMetadataKey(e.Key) ? 0 : 1))
                    {
                        if (watched.Contains(e.Key))
                        {
                            throw new ConflictException(Name, NodeOf(e.Key), e.Key, startVersion, n);
                        }
                    }
                }
            }

            var entries = new List<CommitEntry>();
            foreach (var (key, staged) in changes.OrderBy(kv => IsMetadataKey(kv.Key) ? 1 : 0).ThenBy(kv => kv.Key, StringComparer.Ordinal))
            {
                Live.CheckKeyFolders(key); // a linked folder on the way would publish outside the store
                bool existed = FileKinds.Of(Live.PathOf(key)) is not (FileKind.Missing or FileKind.Directory);
                if (staged is null && !existed)
                {
                    continue;
                }

                entries.Add(new CommitEntry(key, staged is null, existed));
            }

            if (entries.Count == 0)
            {
                return version;
            }

            cancellationToken.ThrowIfCancellationRequested(); // the last point where cancelling leaves nothing to undo
            number = Math.Max(ReadSeq(), version) + 1;
            var commit = new CommitRecord { Number = number, Parent = version, Transaction = transactionId, Time = DateTime.UtcNow, Entries = entries };
            WriteRecord(commit);
            try
            {
                WriteSeq(number);
                Publish(commit, changes);
                WriteVersion(number);
            }
            catch (Exception ex)
            {
                try
                {
                    Rollback(commit);
                }
                catch (Exception rollbackError)
                {
                    // The record stays 'preparing' above the version: the next open or commit rolls it back.
                    throw new IOException($"commit of version {number} to store '{Name}' failed ({ex.Message}) and could not be rolled back now ({rollbackError.Message}); it will be rolled back when the store is next opened", ex);
                }

                throw;
            }

            try
            {
                // best effort: the commit is published whatever happens here. Opening a store changes nothing, so
                // commits (and `gc`) are where pins and stagings of dead processes are cleared.
                if (number % AutoCollectEvery == 0)
                {
                    CollectLocked();
                }
                else
                {
                    RemoveAbandonedLocked();
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or UnsafeStoreEntryException)
            {
            }
        }

        EmptyTrash();
        return number;
    }

    private void Publish(CommitRecord commit, IReadOnlyDictionary<string, string?> changes)
    {
        // Phase 1: pre-images (hard links) of everything replaced or deleted, made durable before anything changes.
        var dirs = new HashSet<string>(StringComparer.Ordinal);
        var created = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in commit.Entries)
        {
            if (e.Existed)
            {
                string pre = PrePath(commit.Number, e.Key);
                string dir = Path.GetDirectoryName(pre)!;
                if (dirs.Add(dir))
                {
                    Create(dir, created);
                }

                Files.HardLink(Live.PathOf(e.Key), pre);
            }
        }

        SyncAll(dirs);
        SyncParents(created);

        // Phase 2: renames and deletes of live keys, chunks first and metadata last.
        dirs.Clear();
        created.Clear();
        foreach (var e in commit.Entries)
        {
            string live = Live.PathOf(e.Key);
            string dir = Path.GetDirectoryName(live)!;
            if (e.Delete)
            {
                Files.Delete(live);
            }
            else
            {
                if (!dirs.Contains(dir))
                {
                    Create(dir, created);
                }

                Files.Rename(changes[e.Key]!, live);
            }

            dirs.Add(dir);
        }

        SyncAll(dirs);
        SyncParents(created);
    }

    // Creates a directory and its missing parents, remembering which ones are new (their entries need flushing).
    private void Create(string dir, HashSet<string> created)
    {
        for (string? d = dir; d is not null && !Directory.Exists(d); d = Path.GetDirectoryName(d))
        {
            created.Add(d);
        }

        Files.CreateDirectory(dir);
    }

    private void SyncAll(IEnumerable<string> dirs)
    {
        foreach (var d in dirs)
        {
            Files.SyncDirectory(d);
        }
    }

    // A new directory's own entry lives in its parent: flush the parents of every directory this commit created.
    private void SyncParents(HashSet<string> created)
    {
        var parents = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in created)
        {
            if (Path.GetDirectoryName(d) is { } p)
            {
                parents.Add(p);
            }
        }

        SyncAll(parents);
    }

    // Undoes a commit whose version was not published: restores every pre-image over its key (keeping the pre-image,
    // which a concurrent snapshot reader may be about to read) and removes keys the commit created.
    private void Rollback(CommitRecord commit)
    {
        var dirs = new HashSet<string>(StringComparer.Ordinal);
        for (int i = commit.Entries.Count - 1; i >= 0; i--)
        {
            var e = commit.Entries[i];
            string live = Live.PathOf(e.Key);
            string dir = Path.GetDirectoryName(live)!;
            if (e.Existed)
            {
                if (FindPreImage(commit.Number, e.Key) is { } pre)
                {
                    Files.CreateDirectory(dir);
                    string temp = Path.Combine(dir, TempPrefix + Guid.NewGuid().ToString("N") + TempSuffix);
                    Files.HardLink(pre, temp);
                    Files.Rename(temp, live);
                    dirs.Add(dir);
                }
            }
            else if (File.Exists(live))
            {
                Files.Delete(live);
                dirs.Add(dir);
            }
        }

        SyncAll(dirs);
        commit.State = CommitRecord.Aborted;
        WriteRecord(commit);
    }

    /// <summary>Rolls back every preparing record above the version (a commit a killed process left half done).</summary>
    private void RecoverLocked()
    {
        long version = ReadVersion();
        long seq = ReadSeq();
        long max = seq;
        foreach (long n in ListRecordNumbers().Where(n => n > version).OrderDescending())
        {
            max = Math.Max(max, n);
            var record = ReadRecord(n);
            if (record is not null && record.State == CommitRecord.Preparing)
            {
                Rollback(record);
            }
        }

        foreach (var temp in Entries(_logDir).Where(f => Path.GetFileName(f).StartsWith(TempPrefix, StringComparison.Ordinal)))
        {
            TryDeleteFile(temp);
        }

        if (max > seq)
        {
            WriteSeq(max); // record numbers are never reused
        }
    }
}
