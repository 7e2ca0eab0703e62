namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// An in-memory index of the commit records, by key: which commits changed a key and whether it existed before each.
/// Records are read once, up to the <c>seq</c> a read saw, in number order; a collected record is skipped (no live
/// snapshot can need it) and an aborted one changed nothing. Shared by every reader of one handle (thread-safe).
/// </summary>
internal sealed class RecordIndex
{
    private readonly RecordLog _log;
    private readonly Func<long> _readSeq;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<KeyChange>> _byKey = new(StringComparer.Ordinal);
    private long _indexedSeq = -1;

    /// <param name="log">The records.</param>
    /// <param name="readSeq">Reads the log's current seq (the highest record whose publishing may have begun).</param>
    public RecordIndex(RecordLog log, Func<long> readSeq)
    {
        _log = log;
        _readSeq = readSeq;
    }

    /// <summary>One commit's change of a key: its number, and whether the key existed just before it.</summary>
    public readonly record struct KeyChange(long Number, bool Existed);

    /// <summary>
    /// The changes of <paramref name="key"/> after <paramref name="version"/>, oldest first (empty when none). Call
    /// after reading the live value: a commit that replaced it by then has already raised seq.
    /// </summary>
    public KeyChange[] ChangesAfter(string key, long version)
    {
        long seq = _readSeq();
        if (seq <= version)
        {
            return [];
        }

        EnsureIndexed(seq);
        lock (_lock)
        {
            if (!_byKey.TryGetValue(key, out var list))
            {
                return [];
            }

            int first = list.FindIndex(c => c.Number > version);
            return first < 0 ? [] : list.GetRange(first, list.Count - first).ToArray();
        }
    }

    /// <summary>
    /// For every key starting with <paramref name="prefix"/> that a commit after <paramref name="version"/> changed: the
    /// first such change (did the key exist at the version?). Empty when no commit began after it.
    /// </summary>
    public List<(string Key, bool Existed)> FirstChangesAfter(string prefix, long version)
    {
        var found = new List<(string, bool)>();
        long seq = _readSeq();
        if (seq <= version)
        {
            return found;
        }

        EnsureIndexed(seq);
        lock (_lock)
        {
            foreach (var (key, list) in _byKey)
            {
                if (!key.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                foreach (var c in list)
                {
                    if (c.Number > version)
                    {
                        found.Add((key, c.Existed));
                        break;
                    }
                }
            }
        }

        return found;
    }

    private void EnsureIndexed(long seq)
    {
        if (seq <= Volatile.Read(ref _indexedSeq))
        {
            return;
        }

        lock (_lock)
        {
            if (seq <= _indexedSeq)
            {
                return;
            }

            foreach (long n in _log.Numbers().Where(n => n > _indexedSeq && n <= seq).Order())
            {
                var record = _log.Read(n);
                if (record is null || record.State == CommitRecord.Aborted)
                {
                    continue; // collected, or rolled back: it changed nothing
                }

                foreach (var e in record.Entries)
                {
                    if (!_byKey.TryGetValue(e.Key, out var list))
                    {
                        _byKey[e.Key] = list = [];
                    }

                    list.Add(new KeyChange(n, e.Existed));
                }
            }

            Volatile.Write(ref _indexedSeq, seq);
        }
    }
}
