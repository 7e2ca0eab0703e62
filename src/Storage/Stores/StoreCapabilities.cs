namespace ChunkCompute.Storage.Stores;

/// <summary>
/// What a store can do, stated by <see cref="IStore.Capabilities"/> so callers (and the transaction layer) check a flag
/// instead of testing the store's type. Reading whole values (<see cref="IStore.GetPooled"/>), sizes and existence is
/// always available and has no flag.
/// </summary>
[Flags]
public enum StoreCapabilities
{
    /// <summary>Read-only, not listable: only whole-value reads.</summary>
    None = 0,

    /// <summary><see cref="IStore.Set"/> and <see cref="IStore.Delete"/> work (without it they throw).</summary>
    Writable = 1,

    /// <summary>
    /// <see cref="IStore.List"/>, <see cref="IStore.ListDirectory"/> and their async and paged forms work (an HTTP
    /// store without an index cannot list; it then reads only keys it is told, such as consolidated metadata).
    /// </summary>
    Listable = 2,

    /// <summary>
    /// A byte range read (<see cref="IStore.GetRangePooled"/>) transfers only that range (a file read at an offset, an
    /// HTTP <c>Range</c> request). Without it a range read still works, but reads the whole value and slices it.
    /// </summary>
    ByteRanges = 4,

    /// <summary>
    /// Values are files on one file system, replaced by an atomic rename and lockable with file locks: what the
    /// rename-based transaction log (<c>VersionedDirectory</c>) needs. Object stores have no rename; their transactions
    /// use <see cref="ConditionalCreate"/> instead.
    /// </summary>
    AtomicRename = 8,

    /// <summary>
    /// <see cref="IStore.SetIfAbsent"/> creates a key only when it does not exist, atomically against every other
    /// writer (S3 and HTTP <c>If-None-Match: *</c>, Azure <c>If-None-Match: *</c>, a file created by <c>link(2)</c>).
    /// </summary>
    ConditionalCreate = 16,

    /// <summary>
    /// <see cref="IStore.GetVersioned"/> returns a value with its version (an ETag) and <see cref="IStore.SetIfVersion"/>
    /// replaces it only while it still has that version: a compare-and-swap (S3 and Azure <c>If-Match</c>).
    /// </summary>
    ConditionalUpdate = 32,

    /// <summary>
    /// Every request crosses a network and waits on a round trip (S3, Azure Blob, HTTP): throughput comes from many
    /// requests in flight, not from more threads. The engine then fetches stored chunks ahead with asynchronous
    /// requests (<see cref="ZarrArray.FetchChunkAsync"/>, up to <see cref="ZarrStoreOptions.MaxRequestsInFlight"/> and the
    /// compute's own limit) and writes whole chunks without holding a worker thread while the write is in flight.
    /// </summary>
    RemoteRequests = 64,

    /// <summary>
    /// <see cref="IStore.DeleteIfVersion"/> deletes a value only while it still has a version (S3 and Azure <c>DELETE</c>
    /// with <c>If-Match</c>). Transactions on an object store publish deletions with it; without it they need a single
    /// writer.
    /// </summary>
    ConditionalDelete = 128,

    /// <summary>
    /// <see cref="IStore.CopyIfAbsent"/> is done by the service (S3 <c>CopyObject</c>, Azure Copy Blob): the bytes do not
    /// travel through this process. Without it the copy still works, through a read and a write.
    /// </summary>
    ServerSideCopy = 256,
}
