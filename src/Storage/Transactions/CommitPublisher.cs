using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// The file steps of a commit whose record is written, and their undoing. Publishing: hard-link every key the commit
/// replaces or deletes into its pre-image folder (flushed before anything changes), then rename the staged files over
/// the live keys and delete the deleted ones, in record order (chunks first, metadata last). Rolling back restores
/// every pre-image and removes the keys the commit created, then marks the record aborted. All under the commit lock.
/// </summary>
internal sealed class CommitPublisher
{
    private readonly DirectoryStore _live;
    private readonly TransactionFiles _files;
    private readonly PreImages _preImages;
    private readonly RecordLog _records;
    private readonly LogCounters _counters;

    public CommitPublisher(DirectoryStore live, TransactionFiles files, PreImages preImages, RecordLog records, LogCounters counters)
    {
        _live = live;
        _files = files;
        _preImages = preImages;
        _records = records;
        _counters = counters;
    }

    /// <summary>
    /// Links the pre-images of <paramref name="commit"/>, then publishes its staged files (<paramref name="changes"/>:
    /// key → staged path), flushing their data after the renames when <paramref name="flushData"/> (the caller did not
    /// flush them before), then the folders' entries.
    /// </summary>
    public void Publish(CommitRecord commit, IReadOnlyDictionary<string, string?> changes, bool flushData)
    {
        // Phase 1: pre-images (hard links) of everything replaced or deleted, made durable before anything changes.
        var dirs = new HashSet<string>(StringComparer.Ordinal);
        var created = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in commit.Entries)
        {
            if (e.Existed)
            {
                string pre = _preImages.PathOf(commit.Number, e.Key);
                string dir = Path.GetDirectoryName(pre)!;
                if (dirs.Add(dir))
                {
                    Create(dir, created);
                }

                _files.HardLink(_live.PathOf(e.Key), pre);
            }
        }

        SyncAll(dirs);
        SyncParents(created);

        // Phase 2: renames and deletes of live keys, chunks first and metadata last.
        dirs.Clear();
        created.Clear();
        foreach (var e in commit.Entries)
        {
            string live = _live.PathOf(e.Key);
            string dir = Path.GetDirectoryName(live)!;
            if (e.Delete)
            {
                _files.Delete(live);
            }
            else
            {
                if (!dirs.Contains(dir))
                {
                    Create(dir, created);
                }

                _files.Rename(changes[e.Key]!, live);
            }

            dirs.Add(dir);
        }

        if (flushData)
        {
            foreach (var e in commit.Entries.Where(e => !e.Delete))
            {
                _files.FlushFile(_live.PathOf(e.Key));
            }
        }

        SyncAll(dirs);
        SyncParents(created);
    }

    /// <summary>
    /// Undoes a commit whose version was not published: restores every pre-image over its key (keeping the pre-image,
    /// which a concurrent snapshot reader may be about to read), removes keys the commit created, and rewrites the
    /// record as aborted.
    /// </summary>
    public void Rollback(CommitRecord commit)
    {
        var dirs = new HashSet<string>(StringComparer.Ordinal);
        for (int i = commit.Entries.Count - 1; i >= 0; i--)
        {
            var e = commit.Entries[i];
            string live = _live.PathOf(e.Key);
            string dir = Path.GetDirectoryName(live)!;
            if (e.Existed)
            {
                if (_preImages.Find(commit.Number, e.Key) is { } pre)
                {
                    _files.CreateDirectory(dir);
                    string temp = LogFolder.NewTempPath(dir);
                    _files.HardLink(pre, temp);
                    _files.Rename(temp, live);
                    dirs.Add(dir);
                }
            }
            else if (File.Exists(live))
            {
                _files.Delete(live);
                dirs.Add(dir);
            }
        }

        SyncAll(dirs);
        commit.State = CommitRecord.Aborted;
        _records.Write(commit);
    }

    /// <summary>
    /// Rolls back every preparing record above the version (a commit a killed process left half done), deletes
    /// temporary record files and records above seq whose writing was cut short, and raises seq to the highest record
    /// on disk (record numbers are never reused; a blank record file prepared for the next commit does not count).
    /// Call under the commit lock. Returns the version file as read (recovery does not change it).
    /// </summary>
    public (long Version, int Slot)? RecoverLocked()
    {
        var current = _counters.ReadVersionFile();
        long version = current?.Version ?? 0;
        long seq = _counters.ReadSeq();
        long max = seq;
        foreach (long n in _records.Numbers().Where(n => n > version).OrderDescending())
        {
            if (!_records.TryRead(n, out var record))
            {
                if (n <= seq)
                {
                    throw _records.Unreadable(n);
                }

                // Written in place and cut short by a crash: its flush never returned, so nothing of it was published.
                _records.Delete(n);
                continue;
            }

            if (record is null)
            {
                continue; // blank: prepared for the next commit, which takes this number
            }

            max = Math.Max(max, n);
            if (record.State == CommitRecord.Preparing)
            {
                Rollback(record);
            }
        }

        _records.RemoveTemporaries();
        if (max > seq)
        {
            _counters.WriteSeq(max);
        }

        return current;
    }

    // Creates a directory and its missing parents, remembering which ones are new (their entries need flushing).
    private void Create(string dir, HashSet<string> created)
    {
        for (string? d = dir; d is not null && !Directory.Exists(d); d = Path.GetDirectoryName(d))
        {
            created.Add(d);
        }

        _files.CreateDirectory(dir);
    }

    private void SyncAll(IEnumerable<string> dirs)
    {
        foreach (var d in dirs)
        {
            _files.SyncDirectory(d);
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
}
