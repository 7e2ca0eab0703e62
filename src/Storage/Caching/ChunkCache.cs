namespace ChunkCompute.Storage.Caching;

/// <summary>
/// A least-recently-used cache of decoded chunks, bounded in bytes, so repeated reads of the same chunks do not read
/// and decode them again. Thread-safe. Writes through <see cref="ZarrArray"/> invalidate the chunks they replace.
/// </summary>
public sealed class ChunkCache
{
    private readonly Dictionary<string, LinkedListNode<Entry>> _map = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _lru = new();
    private readonly Lock _lock = new();
    private long _size;
    private long _hits;
    private long _misses;

    /// <summary>Creates a cache that holds at most <paramref name="capacityBytes"/> bytes of decoded chunks.</summary>
    public ChunkCache(long capacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacityBytes);
        Capacity = capacityBytes;
    }

    /// <summary>The byte bound.</summary>
    public long Capacity { get; }

    /// <summary>Bytes held now.</summary>
    public long Size
    {
        get
        {
            lock (_lock)
            {
                return _size;
            }
        }
    }

    /// <summary>Chunks held now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _map.Count;
            }
        }
    }

    /// <summary>Lookups that found their chunk.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Lookups that did not.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Copies the cached chunk into <paramref name="destination"/> if present (and of that exact size).</summary>
    public bool TryCopyTo(string key, Span<byte> destination)
    {
        lock (_lock)
        {
            if (_map.TryGetValue(key, out var node) && node.Value.Data.Length == destination.Length)
            {
                _lru.Remove(node);
                _lru.AddFirst(node);
                node.Value.Data.CopyTo(destination);
                _hits++;
                return true;
            }

            _misses++;
            return false;
        }
    }

    /// <summary>Adds or replaces a chunk (a copy of <paramref name="data"/>), evicting the least recently used.</summary>
    public void Put(string key, ReadOnlySpan<byte> data)
    {
        if (data.Length > Capacity)
        {
            return;
        }

        var copy = data.ToArray();
        lock (_lock)
        {
            RemoveLocked(key);
            _map[key] = _lru.AddFirst(new Entry(key, copy));
            _size += copy.Length;
            while (_size > Capacity && _lru.Last is { } last)
            {
                RemoveLocked(last.Value.Key);
            }
        }
    }

    /// <summary>Drops a chunk.</summary>
    public void Remove(string key)
    {
        lock (_lock)
        {
            RemoveLocked(key);
        }
    }

    /// <summary>Drops every chunk whose key starts with <paramref name="prefix"/>.</summary>
    public void RemovePrefix(string prefix)
    {
        lock (_lock)
        {
            foreach (var key in _map.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
            {
                RemoveLocked(key);
            }
        }
    }

    /// <summary>Drops everything.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _map.Clear();
            _lru.Clear();
            _size = 0;
        }
    }

    private void RemoveLocked(string key)
    {
        if (_map.Remove(key, out var node))
        {
            _lru.Remove(node);
            _size -= node.Value.Data.Length;
        }
    }

    private sealed record Entry(string Key, byte[] Data);
}
