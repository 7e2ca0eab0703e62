using System.Buffers;

namespace ChunkCompute.Storage.Stores;

/// <summary>
/// A key/value store of byte values: the only thing Zarr needs from storage. Keys are '/'-separated relative paths
/// (<c>x/c/0/1</c>, <c>x/.zarray</c>). Every member is thread-safe, so chunks are read and written in parallel.
/// </summary>
/// <remarks>
/// <para>
/// A store implements a small synchronous core — <see cref="Name"/>, <see cref="GetPooled"/>, <see cref="Set"/>,
/// <see cref="Delete"/>, <see cref="GetSize"/>, <see cref="List"/> — and states what else it can do in
/// <see cref="Capabilities"/>. Every other member has a default built on that core: whole-value reads sliced for byte
/// ranges, async members that run the synchronous one and complete synchronously (no task is allocated, so a local
/// store's async path costs what its sync path does), listings paged from <see cref="List"/>, and conditional writes
/// that throw <see cref="NotSupportedException"/>. A store overrides a default when it can do better: a file store reads
/// ranges at an offset; an object store (S3, Azure Blob, HTTP) overrides the async members with real requests
/// (<c>Range</c>, ListObjectsV2 pages, <c>If-None-Match</c>/<c>If-Match</c>) and implements the synchronous core by
/// waiting on them.
/// </para>
/// <para>
/// Defaults are interface members, so they are called through an <see cref="IStore"/>-typed reference (as the rest of
/// ChunkCompute does); a store class lists the ones it overrides as its own public members.
/// </para>
/// </remarks>
public interface IStore
{
    /// <summary>A human-readable name used in error messages: a directory path, or <c>memory://…</c>.</summary>
    string Name { get; }

    /// <summary>
    /// What this store can do beyond whole-value reads. The default, <see cref="StoreCapabilities.Writable"/> and
    /// <see cref="StoreCapabilities.Listable"/>, is what every store had to do before capabilities were stated.
    /// </summary>
    StoreCapabilities Capabilities => StoreCapabilities.Writable | StoreCapabilities.Listable;

    /// <summary>Reads a whole value, or returns null when the key does not exist.</summary>
    byte[]? Get(string key)
    {
        using var owner = GetPooled(key);
        return owner?.Memory.ToArray();
    }

    /// <summary>
    /// Reads a whole value into pooled memory, or returns null when the key does not exist. Dispose the result to
    /// return the memory. Chunk reads use this to avoid garbage-collector churn on large chunks.
    /// </summary>
    IMemoryOwner<byte>? GetPooled(string key);

    /// <summary>
    /// Reads a range of a value (see <see cref="ByteRange"/> for clamping), or returns null when the key does not exist.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range starts past the end of the value.</exception>
    byte[]? GetRange(string key, ByteRange range)
    {
        using var owner = GetRangePooled(key, range);
        return owner?.Memory.ToArray();
    }

    /// <summary>
    /// Reads a range of a value into pooled memory (dispose it to return the memory), or returns null when the key does
    /// not exist. Without <see cref="StoreCapabilities.ByteRanges"/> this reads the whole value and copies the range out.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range starts past the end of the value.</exception>
    IMemoryOwner<byte>? GetRangePooled(string key, ByteRange range) => StoreDefaults.SliceWhole(this, key, range);

    /// <summary>
    /// Writes a value atomically: a concurrent reader sees the old value or the new one, never a torn one.
    /// </summary>
    /// <exception cref="NotSupportedException">The store is not <see cref="StoreCapabilities.Writable"/>.</exception>
    void Set(string key, ReadOnlySpan<byte> value);

    /// <summary>Deletes a key; returns false when it did not exist.</summary>
    /// <exception cref="NotSupportedException">The store is not <see cref="StoreCapabilities.Writable"/>.</exception>
    bool Delete(string key);

    /// <summary>True when the key exists.</summary>
    bool Exists(string key) => GetSize(key) is not null;

    /// <summary>
    /// Every key that starts with <paramref name="prefix"/> (use <c>""</c> for all), in no particular order.
    /// </summary>
    /// <exception cref="NotSupportedException">The store is not <see cref="StoreCapabilities.Listable"/>.</exception>
    IEnumerable<string> List(string prefix);

    /// <summary>
    /// The names of the immediate children of <paramref name="prefix"/> (a '/'-separated directory-like path, <c>""</c>
    /// for the root): both keys and deeper prefixes, without trailing '/'. Used to walk a hierarchy without listing
    /// every chunk.
    /// </summary>
    /// <exception cref="NotSupportedException">The store is not <see cref="StoreCapabilities.Listable"/>.</exception>
    IEnumerable<string> ListDirectory(string prefix) => StoreDefaults.ListDirectory(List(StoreDefaults.DirectoryPrefix(prefix)), prefix);

    /// <summary>The size of a value in bytes, or null when the key does not exist.</summary>
    long? GetSize(string key);

    /// <summary>Reads a whole value, or null when the key does not exist (see <see cref="Get"/>).</summary>
    ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        StoreDefaults.Run(this, key, static (s, k) => s.Get(k), cancellationToken);

    /// <summary>Reads a whole value into pooled memory, or null when the key does not exist (see <see cref="GetPooled"/>).</summary>
    ValueTask<IMemoryOwner<byte>?> GetPooledAsync(string key, CancellationToken cancellationToken = default) =>
        StoreDefaults.Run(this, key, static (s, k) => s.GetPooled(k), cancellationToken);

    /// <summary>Reads a range of a value into pooled memory, or null when the key does not exist (see <see cref="GetRangePooled"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range starts past the end of the value.</exception>
    ValueTask<IMemoryOwner<byte>?> GetRangePooledAsync(string key, ByteRange range, CancellationToken cancellationToken = default) =>
        StoreDefaults.Run(this, (key, range), static (s, a) => s.GetRangePooled(a.key, a.range), cancellationToken);

    /// <summary>Writes a value atomically (see <see cref="Set"/>).</summary>
    ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        try
        {
            Set(key, value.Span);
            return ValueTask.CompletedTask;
        }
        catch (Exception ex)
        {
            return ValueTask.FromException(ex);
        }
    }

    /// <summary>Deletes a key; false when it did not exist (see <see cref="Delete"/>).</summary>
    ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        StoreDefaults.Run(this, key, static (s, k) => s.Delete(k), cancellationToken);

    /// <summary>True when the key exists.</summary>
    ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        StoreDefaults.Run(this, key, static (s, k) => s.Exists(k), cancellationToken);

    /// <summary>The size of a value in bytes, or null when the key does not exist.</summary>
    ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default) =>
        StoreDefaults.Run(this, key, static (s, k) => s.GetSize(k), cancellationToken);

    /// <summary>Every key that starts with <paramref name="prefix"/>, in no particular order (see <see cref="List"/>).</summary>
    IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellationToken = default) =>
        new SyncAsyncEnumerable(() => List(prefix), cancellationToken);

    /// <summary>The names of the immediate children of <paramref name="prefix"/> (see <see cref="ListDirectory"/>).</summary>
    IAsyncEnumerable<string> ListDirectoryAsync(string prefix, CancellationToken cancellationToken = default) =>
        new SyncAsyncEnumerable(() => ListDirectory(prefix), cancellationToken);

    /// <summary>
    /// One page of the keys that start with <paramref name="prefix"/>, in ordinal (byte) order across pages — what S3
    /// ListObjectsV2 and Azure GetBlobs return. Pass <c>null</c> for the first page, then each page's
    /// <see cref="StoreListPage.ContinuationToken"/> (opaque) until it is null. A key present for the whole listing
    /// appears exactly once; keys written or deleted meanwhile may or may not appear.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxKeys"/> is not positive.</exception>
    ValueTask<StoreListPage> ListPageAsync(string prefix, string? continuationToken, int maxKeys = 1000, CancellationToken cancellationToken = default) =>
        StoreDefaults.Run(this, (prefix, continuationToken, maxKeys), static (s, a) => StoreDefaults.Page(s.List(a.prefix), a.continuationToken, a.maxKeys), cancellationToken);

    /// <summary>
    /// Writes a value only when the key does not exist, atomically against every other writer; true when written, false
    /// when the key already existed (nothing written). What a commit record on an object store is written with.
    /// </summary>
    /// <exception cref="NotSupportedException">The store lacks <see cref="StoreCapabilities.ConditionalCreate"/>.</exception>
    bool SetIfAbsent(string key, ReadOnlySpan<byte> value) => throw StoreDefaults.Unsupported(this, StoreCapabilities.ConditionalCreate, nameof(SetIfAbsent));

    /// <summary>
    /// Reads a whole value together with its version (an opaque tag that changes on every write, like an ETag), or null
    /// when the key does not exist.
    /// </summary>
    /// <exception cref="NotSupportedException">The store lacks <see cref="StoreCapabilities.ConditionalUpdate"/>.</exception>
    VersionedValue? GetVersioned(string key) => throw StoreDefaults.Unsupported(this, StoreCapabilities.ConditionalUpdate, nameof(GetVersioned));

    /// <summary>
    /// Replaces a value only while its version is still <paramref name="expectedVersion"/> (compare-and-swap); returns
    /// the new version, or null when the key was changed, deleted or never existed (nothing written).
    /// </summary>
    /// <exception cref="NotSupportedException">The store lacks <see cref="StoreCapabilities.ConditionalUpdate"/>.</exception>
    string? SetIfVersion(string key, ReadOnlySpan<byte> value, string expectedVersion) => throw StoreDefaults.Unsupported(this, StoreCapabilities.ConditionalUpdate, nameof(SetIfVersion));

    /// <summary>
    /// The version of a value (what <see cref="GetVersioned"/> would return with it) without reading the value — an
    /// object store's <c>HEAD</c> — or null when the key does not exist.
    /// </summary>
    /// <exception cref="NotSupportedException">The store lacks <see cref="StoreCapabilities.ConditionalUpdate"/>.</exception>
    string? GetVersion(string key) => GetVersioned(key)?.Version;

    /// <summary>
    /// Deletes a value only while its version is still <paramref name="expectedVersion"/>; true when deleted, false when
    /// the key was changed, deleted or never existed (nothing deleted). S3 and Azure <c>DELETE</c> with <c>If-Match</c>.
    /// </summary>
    /// <exception cref="NotSupportedException">The store lacks <see cref="StoreCapabilities.ConditionalDelete"/>.</exception>
    bool DeleteIfVersion(string key, string expectedVersion) => throw StoreDefaults.Unsupported(this, StoreCapabilities.ConditionalDelete, nameof(DeleteIfVersion));

    /// <summary>
    /// Copies <paramref name="source"/> to <paramref name="destination"/> only while the source still has
    /// <paramref name="sourceVersion"/> and the destination does not exist. With <see cref="StoreCapabilities.ServerSideCopy"/>
    /// the service copies (no bytes travel through this process); otherwise the value is read with its version and
    /// written with <see cref="SetIfAbsent"/>. What a commit on an object store keeps a replaced value's pre-image with.
    /// </summary>
    /// <exception cref="NotSupportedException">The store lacks <see cref="StoreCapabilities.ConditionalCreate"/> or <see cref="StoreCapabilities.ConditionalUpdate"/>.</exception>
    CopyOutcome CopyIfAbsent(string source, string sourceVersion, string destination) => StoreDefaults.CopyIfAbsent(this, source, sourceVersion, destination);

    /// <summary>The version of a value without reading it (see <see cref="GetVersion"/>).</summary>
    ValueTask<string?> GetVersionAsync(string key, CancellationToken cancellationToken = default) =>
        StoreDefaults.Run(this, key, static (s, k) => s.GetVersion(k), cancellationToken);

    /// <summary>Deletes a value only while it has a version (see <see cref="DeleteIfVersion"/>).</summary>
    ValueTask<bool> DeleteIfVersionAsync(string key, string expectedVersion, CancellationToken cancellationToken = default) =>
        StoreDefaults.Run(this, (key, expectedVersion), static (s, a) => s.DeleteIfVersion(a.key, a.expectedVersion), cancellationToken);

    /// <summary>Copies a value only while it has a version, to a key that does not exist (see <see cref="CopyIfAbsent"/>).</summary>
    ValueTask<CopyOutcome> CopyIfAbsentAsync(string source, string sourceVersion, string destination, CancellationToken cancellationToken = default) =>
        StoreDefaults.Run(this, (source, sourceVersion, destination), static (s, a) => s.CopyIfAbsent(a.source, a.sourceVersion, a.destination), cancellationToken);

    /// <summary>Writes a value only when the key does not exist (see <see cref="SetIfAbsent"/>).</summary>
    ValueTask<bool> SetIfAbsentAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        StoreDefaults.Run(this, (key, value), static (s, a) => s.SetIfAbsent(a.key, a.value.Span), cancellationToken);

    /// <summary>Reads a value with its version (see <see cref="GetVersioned"/>).</summary>
    ValueTask<VersionedValue?> GetVersionedAsync(string key, CancellationToken cancellationToken = default) =>
        StoreDefaults.Run(this, key, static (s, k) => s.GetVersioned(k), cancellationToken);

    /// <summary>Compare-and-swap on a value's version (see <see cref="SetIfVersion"/>).</summary>
    ValueTask<string?> SetIfVersionAsync(string key, ReadOnlyMemory<byte> value, string expectedVersion, CancellationToken cancellationToken = default) =>
        StoreDefaults.Run(this, (key, value, expectedVersion), static (s, a) => s.SetIfVersion(a.key, a.value.Span, a.expectedVersion), cancellationToken);
}
