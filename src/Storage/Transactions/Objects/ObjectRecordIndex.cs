using System.Diagnostics;
using System.Globalization;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// The commit records of an object store's log that one handle has seen (those above the head it opened at), indexed
/// by key: which commits changed a key and its version (ETag) just before each. Records are numbered without gaps, so
/// probing the next number until one is missing finds every record that exists. Shared by every reader of one handle
/// (thread-safe); concurrent probes are shared too (see <see cref="Probe"/>).
/// </summary>
internal sealed class ObjectRecordIndex
{
    private readonly IStore _store;
    private readonly Lock _gate = new();
    private readonly Dictionary<long, ObjectRecord> _records = [];
    private readonly Dictionary<string, List<(long Number, string? Before)>> _byKey = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _probeLock = new(1, 1);
    private long _known;
    private long _coveredUpTo; // Stopwatch timestamp: every record that existed then is indexed

    /// <param name="store">The store.</param>
    /// <param name="head">The head when the handle opened: records at or below it are never needed by its views.</param>
    public ObjectRecordIndex(IStore store, long head)
    {
        _store = store;
        _known = head;
    }

    /// <summary>The highest record indexed.</summary>
    public long Known => Volatile.Read(ref _known);

    /// <summary>The key of record <paramref name="number"/>.</summary>
    public static string KeyOf(long number) => ObjectVersionLog.Prefix + "log/" + number.ToString("D20", CultureInfo.InvariantCulture);

    /// <summary>
    /// Makes the index cover every record that existed when the caller's read completed (call it after the read).
    /// Concurrent callers share probes: a read is covered by any probe that started after it completed.
    /// </summary>
    public void Probe()
    {
        long readDone = Stopwatch.GetTimestamp();
        if (Volatile.Read(ref _coveredUpTo) > readDone)
        {
            return;
        }

        _probeLock.Wait();
        try
        {
            if (Volatile.Read(ref _coveredUpTo) <= readDone)
            {
                long started = Stopwatch.GetTimestamp();
                Refresh();
                Covered(started);
            }
        }
        finally
        {
            _probeLock.Release();
        }
    }

    /// <summary>
    /// <see cref="Probe"/> without holding a thread while it waits: reads of a remote store run as many continuations on
    /// few threads, and a blocking wait there starves the pool.
    /// </summary>
    public async ValueTask ProbeAsync(CancellationToken cancellationToken)
    {
        long readDone = Stopwatch.GetTimestamp();
        if (Volatile.Read(ref _coveredUpTo) > readDone)
        {
            return;
        }

        await _probeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _coveredUpTo) <= readDone)
            {
                long started = Stopwatch.GetTimestamp();
                while (true)
                {
                    long next = Known + 1;
                    using var bytes = await _store.GetPooledAsync(KeyOf(next), cancellationToken).ConfigureAwait(false);
                    if (bytes is null)
                    {
                        break;
                    }

                    Add(Parse(next, bytes.Memory.Span));
                }

                Covered(started);
            }
        }
        finally
        {
            _probeLock.Release();
        }
    }

    /// <summary>Indexes every record above the highest indexed one, now (one request more than there are new records).</summary>
    public void Refresh()
    {
        while (Read(Known + 1) is { } record)
        {
            Add(record);
        }
    }

    /// <summary>Indexes the record after the highest indexed one (any other is ignored).</summary>
    public void Add(ObjectRecord record)
    {
        lock (_gate)
        {
            if (record.Number != _known + 1)
            {
                return;
            }

            _records[record.Number] = record;
            foreach (var e in record.Entries)
            {
                if (!_byKey.TryGetValue(e.Key, out var list))
                {
                    _byKey[e.Key] = list = [];
                }

                list.Add((record.Number, e.Before));
            }

            Volatile.Write(ref _known, record.Number);
        }
    }

    /// <summary>Reads record <paramref name="number"/> from the store; null when it does not exist.</summary>
    /// <exception cref="InvalidMetadataException">It is not a valid record.</exception>
    public ObjectRecord? Read(long number)
    {
        using var bytes = _store.GetPooled(KeyOf(number));
        return bytes is null ? null : Parse(number, bytes.Memory.Span);
    }

    /// <summary>Record <paramref name="number"/>, indexed or read.</summary>
    /// <exception cref="InvalidMetadataException">It is missing or not valid.</exception>
    public ObjectRecord RecordOf(long number)
    {
        lock (_gate)
        {
            if (_records.TryGetValue(number, out var r))
            {
                return r;
            }
        }

        return Read(number) ?? throw new InvalidMetadataException(_store.Name, KeyOf(number), "the commit record is missing (collected while a snapshot older than it was still open?)");
    }

    /// <summary>The first commit after <paramref name="version"/> that changed <paramref name="key"/>, or null.</summary>
    public (long Number, string? Before)? FirstChangeAfter(string key, long version)
    {
        lock (_gate)
        {
            if (_byKey.TryGetValue(key, out var list))
            {
                foreach (var c in list)
                {
                    if (c.Number > version)
                    {
                        return c;
                    }
                }
            }

            return null;
        }
    }

    /// <summary>For every key under <paramref name="prefix"/> a commit after <paramref name="version"/> changed: did it exist at the version?</summary>
    public List<(string Key, bool Existed)> FirstChangesAfter(string prefix, long version)
    {
        var found = new List<(string, bool)>();
        lock (_gate)
        {
            foreach (var (key, list) in _byKey)
            {
                if (key.StartsWith(prefix, StringComparison.Ordinal) && list.FindIndex(c => c.Number > version) is >= 0 and int i)
                {
                    found.Add((key, list[i].Before is not null));
                }
            }
        }

        return found;
    }

    private void Covered(long started)
    {
        long current;
        do
        {
            current = Volatile.Read(ref _coveredUpTo);
        }
        while (started > current && Interlocked.CompareExchange(ref _coveredUpTo, started, current) != current);
    }

    private ObjectRecord Parse(long number, ReadOnlySpan<byte> bytes) =>
        ObjectRecord.Parse(bytes) is { } record && record.Number == number
            ? record
            : throw new InvalidMetadataException(_store.Name, KeyOf(number), "the commit record is not valid");
}
