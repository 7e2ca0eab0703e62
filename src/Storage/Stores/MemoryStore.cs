using System.Buffers;
using System.Collections.Concurrent;

namespace ChunkCompute.Storage.Stores;

/// <summary>An in-memory store: a concurrent dictionary of immutable byte arrays. For tests and scratch work.</summary>
public sealed class MemoryStore : IStore
{
    private static int _counter;
    private readonly ConcurrentDictionary<string, byte[]> _values = new(StringComparer.Ordinal);

    /// <summary>Creates an empty store named <c>memory://N</c>.</summary>
    public MemoryStore()
    {
        Name = "memory://" + Interlocked.Increment(ref _counter);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The number of keys held.</summary>
    public int Count => _values.Count;

    /// <inheritdoc/>
    public byte[]? Get(string key) => _values.TryGetValue(key, out var v) ? (byte[])v.Clone() : null;

    /// <inheritdoc/>
    public IMemoryOwner<byte>? GetPooled(string key) => _values.TryGetValue(key, out var v) ? new Borrowed(v) : null;

    /// <inheritdoc/>
    public void Set(string key, ReadOnlySpan<byte> value)
    {
        StoreKeys.Validate(key);
        _values[key] = value.ToArray();
    }

    /// <inheritdoc/>
    public bool Delete(string key) => _values.TryRemove(key, out _);

    /// <inheritdoc/>
    public bool Exists(string key) => _values.ContainsKey(key);

    /// <inheritdoc/>
    public IEnumerable<string> List(string prefix) =>
        _values.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToArray();

    /// <inheritdoc/>
    public IEnumerable<string> ListDirectory(string prefix)
    {
        string start = prefix.Length == 0 ? string.Empty : prefix.TrimEnd('/') + "/";
        return _values.Keys
            .Where(k => k.StartsWith(start, StringComparison.Ordinal))
            .Select(k => k[start.Length..].Split('/')[0])
            .Distinct(StringComparer.Ordinal)
            .ToArray();
    }

    /// <inheritdoc/>
    public long? GetSize(string key) => _values.TryGetValue(key, out var v) ? v.Length : null;

    // Stored arrays are never mutated (Set replaces them), so a read can lend the array itself.
    private sealed class Borrowed(byte[] value) : IMemoryOwner<byte>
    {
        public Memory<byte> Memory => value;

        public void Dispose()
        {
        }
    }
}
