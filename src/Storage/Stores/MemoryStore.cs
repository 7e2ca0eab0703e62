using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;

namespace ChunkCompute.Storage.Stores;

/// <summary>
/// An in-memory store: a concurrent dictionary of immutable byte arrays. For tests and scratch work. It offers every
/// optional operation — byte ranges, create-if-absent and compare-and-swap (each write gets a new version number) — so
/// code written for object stores can be tested against it.
/// </summary>
public sealed class MemoryStore : IStore
{
    private static int _counter;
    private static long _versions;
    private readonly ConcurrentDictionary<string, Entry> _values = new(StringComparer.Ordinal);

    /// <summary>Creates an empty store named <c>memory://N</c>.</summary>
    public MemoryStore()
    {
        Name = "memory://" + Interlocked.Increment(ref _counter);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public StoreCapabilities Capabilities =>
        StoreCapabilities.Writable | StoreCapabilities.Listable | StoreCapabilities.ByteRanges
        | StoreCapabilities.ConditionalCreate | StoreCapabilities.ConditionalUpdate | StoreCapabilities.ConditionalDelete
        | StoreCapabilities.ServerSideCopy;

    /// <summary>The number of keys held.</summary>
    public int Count => _values.Count;

    /// <inheritdoc/>
    public byte[]? Get(string key) => _values.TryGetValue(key, out var e) ? (byte[])e.Value.Clone() : null;

    /// <inheritdoc/>
    public IMemoryOwner<byte>? GetPooled(string key) => _values.TryGetValue(key, out var e) ? new Borrowed(e.Value) : null;

    /// <inheritdoc/>
    public IMemoryOwner<byte>? GetRangePooled(string key, ByteRange range)
    {
        if (!_values.TryGetValue(key, out var e))
        {
            return null;
        }

        var (offset, length) = range.Resolve(e.Value.Length, Name, key);
        return new Borrowed(e.Value.AsMemory((int)offset, (int)length));
    }

    /// <inheritdoc/>
    public void Set(string key, ReadOnlySpan<byte> value)
    {
        StoreKeys.ValidateObjectKey(key);
        _values[key] = new Entry(value.ToArray());
    }

    /// <inheritdoc/>
    public bool Delete(string key) => _values.TryRemove(key, out _);

    /// <inheritdoc/>
    public bool Exists(string key) => _values.ContainsKey(key);

    /// <inheritdoc/>
    public IEnumerable<string> List(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return _values.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToArray();
    }

    /// <inheritdoc/>
    public long? GetSize(string key) => _values.TryGetValue(key, out var e) ? e.Value.Length : null;

    /// <inheritdoc/>
    public bool SetIfAbsent(string key, ReadOnlySpan<byte> value)
    {
        StoreKeys.ValidateObjectKey(key);
        return _values.TryAdd(key, new Entry(value.ToArray()));
    }

    /// <inheritdoc/>
    public VersionedValue? GetVersioned(string key) =>
        _values.TryGetValue(key, out var e) ? new VersionedValue(e.Value, e.Version) : null;

    /// <inheritdoc/>
    public string? SetIfVersion(string key, ReadOnlySpan<byte> value, string expectedVersion)
    {
        StoreKeys.ValidateObjectKey(key);
        ArgumentNullException.ThrowIfNull(expectedVersion);
        if (!_values.TryGetValue(key, out var current) || current.Version != expectedVersion)
        {
            return null;
        }

        // Entries compare by reference, so this replaces exactly the entry whose version was checked.
        var next = new Entry(value.ToArray());
        return _values.TryUpdate(key, next, current) ? next.Version : null;
    }

    /// <inheritdoc/>
    public string? GetVersion(string key) => _values.TryGetValue(key, out var e) ? e.Version : null;

    /// <inheritdoc/>
    public bool DeleteIfVersion(string key, string expectedVersion)
    {
        ArgumentNullException.ThrowIfNull(expectedVersion);
        return _values.TryGetValue(key, out var current) && current.Version == expectedVersion
            && _values.TryRemove(KeyValuePair.Create(key, current));
    }

    /// <inheritdoc/>
    public CopyOutcome CopyIfAbsent(string source, string sourceVersion, string destination)
    {
        StoreKeys.ValidateObjectKey(destination);
        ArgumentNullException.ThrowIfNull(sourceVersion);
        if (_values.ContainsKey(destination))
        {
            return CopyOutcome.DestinationExists;
        }

        if (!_values.TryGetValue(source, out var current) || current.Version != sourceVersion)
        {
            return CopyOutcome.SourceChanged;
        }

        // The copy shares the immutable bytes, with a version of its own (as a service-side copy gets a new ETag).
        return _values.TryAdd(destination, new Entry(current.Value)) ? CopyOutcome.Copied : CopyOutcome.DestinationExists;
    }

    // One write: its bytes (never mutated: a write replaces the entry) and a version unique in the process.
    private sealed class Entry(byte[] value)
    {
        public byte[] Value { get; } = value;

        public string Version { get; } = Interlocked.Increment(ref _versions).ToString(CultureInfo.InvariantCulture);
    }

    // Stored arrays are never mutated (Set replaces them), so a read can lend the array itself.
    private sealed class Borrowed(Memory<byte> value) : IMemoryOwner<byte>
    {
        public Memory<byte> Memory => value;

        public void Dispose()
        {
        }
    }
}
