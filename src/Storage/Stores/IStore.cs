using System.Buffers;

namespace ChunkCompute.Storage.Stores;

/// <summary>
/// A key/value store of byte values: the only thing Zarr needs from storage. Keys are '/'-separated relative paths
/// (<c>x/c/0/1</c>, <c>x/.zarray</c>). Every member is thread-safe, so chunks are read and written in parallel.
/// </summary>
public interface IStore
{
    /// <summary>A human-readable name used in error messages: a directory path, or <c>memory://…</c>.</summary>
    string Name { get; }

    /// <summary>Reads a whole value, or returns null when the key does not exist.</summary>
    byte[]? Get(string key);

    /// <summary>
    /// Reads a whole value into pooled memory, or returns null when the key does not exist. Dispose the result to
    /// return the memory. Chunk reads use this to avoid garbage-collector churn on large chunks.
    /// </summary>
    IMemoryOwner<byte>? GetPooled(string key);

    /// <summary>
    /// Writes a value atomically: a concurrent reader sees the old value or the new one, never a torn one.
    /// </summary>
    void Set(string key, ReadOnlySpan<byte> value);

    /// <summary>Deletes a key; returns false when it did not exist.</summary>
    bool Delete(string key);

    /// <summary>True when the key exists.</summary>
    bool Exists(string key);

    /// <summary>
    /// Every key that starts with <paramref name="prefix"/> (use <c>""</c> for all), in no particular order.
    /// </summary>
    IEnumerable<string> List(string prefix);

    /// <summary>
    /// The names of the immediate children of <paramref name="prefix"/> (a '/'-separated directory-like path, <c>""</c>
    /// for the root): both keys and deeper prefixes, without trailing '/'. Used to walk a hierarchy without listing
    /// every chunk.
    /// </summary>
    IEnumerable<string> ListDirectory(string prefix);

    /// <summary>The size of a value in bytes, or null when the key does not exist.</summary>
    long? GetSize(string key);
}
