using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using ChunkCompute.Storage.Arrays;

namespace ChunkCompute.Storage;

/// <summary>
/// An array in a Zarr store, read and written by region or by chunk. Regions are boxes of elements in C order;
/// chunks intersecting a region are read, decoded and written in parallel. Reads of missing chunks give the fill
/// value; writes that cover a chunk partially read, modify and write it back (serialized per chunk within this
/// process); a chunk that becomes all fill value is deleted rather than stored (zarr-python's
/// <c>write_empty_chunks=False</c>), unless <see cref="ZarrStoreOptions.WriteEmptyChunks"/> is set.
/// </summary>
/// <remarks>
/// Errors name the store, the array and the chunk key: a chunk that fails to decode is a
/// <see cref="CorruptChunkException"/>; a region outside the array or a buffer of the wrong length is a
/// <see cref="ShapeMismatchException"/>; a typed access with the wrong element type is a
/// <see cref="DataTypeMismatchException"/>.
/// </remarks>
public sealed partial class ZarrArray
{
    private const int LockStripes = 64;
    private readonly ZarrStore _owner;
    private readonly Lock[] _locks;
    private readonly string _chunkPrefix;
    private volatile ArrayMetadata _metadata;
    private volatile Stores.IStore _view;

    internal ZarrArray(ZarrStore owner, string path, ArrayMetadata metadata)
    {
        _owner = owner;
        Path = path;
        _metadata = metadata;
        _view = owner.Store is Transactions.SnapshotView snapshot ? snapshot.Share() : owner.Store;
        _locks = owner.ChunkLocksFor(path);
        _chunkPrefix = path.Length == 0 ? string.Empty : path + "/";
    }

    // What this handle reads: the store, the snapshot it was opened at (transactional stores), or its transaction.
    internal Stores.IStore View => _view;

    // The metadata documents of this array: a write made against them conflicts if another commit changed them.
    internal string[] MetadataKeys => Metadata.Format == ZarrFormat.V3
        ? [Stores.StoreKeys.Join(Path, "zarr.json")]
        : [Stores.StoreKeys.Join(Path, ".zarray"), Stores.StoreKeys.Join(Path, ".zattrs")];

    // After an auto-committed write: read the committed version with the metadata that write produced.
    // Concurrent writers through one handle commit in some order: the handle moves only forward.
    internal void Rebind(Stores.IStore view, ArrayMetadata metadata)
    {
        lock (_locks)
        {
            var old = _view;
            if (old is Transactions.SnapshotView current && view is Transactions.SnapshotView next && next.Version <= current.Version)
            {
                next.Release();
                return;
            }

            _metadata = metadata;
            _view = view;
            (old as Transactions.SnapshotView)?.Release();
        }
    }

    /// <summary>
    /// The committed version this handle reads (it was opened at, or last wrote); null when the store is not
    /// transactional. Other processes' later commits are not seen until the array is opened again.
    /// </summary>
    public long? Version => _view switch
    {
        Transactions.SnapshotView s => s.Version,
        Transactions.TransactionView t => t.Base.Version,
        _ => null,
    };

    /// <summary>The store that holds the array.</summary>
    public ZarrStore Store => _owner;

    /// <summary>The array's path in the store (<c>""</c> for a root array).</summary>
    public string Path { get; }

    /// <summary>The array's metadata (as of this handle's version and its own writes).</summary>
    public ArrayMetadata Metadata => _metadata;

    /// <summary>The shape in elements.</summary>
    public IReadOnlyList<long> Shape => Metadata.Shape;

    /// <summary>The chunk shape in elements.</summary>
    public IReadOnlyList<int> ChunkShape => Metadata.ChunkShape;

    /// <summary>The element type.</summary>
    public DataType DataType => Metadata.DataType;

    /// <summary>Number of dimensions.</summary>
    public int Rank => Metadata.Rank;

    /// <summary>Elements in the array.</summary>
    public long ElementCount => Metadata.ElementCount;

    /// <summary>Chunks per dimension.</summary>
    public long[] GridShape => Metadata.GridShape();

    /// <summary>User attributes (a copy).</summary>
    public JsonObject Attributes => Metadata.Attributes.DeepClone().AsObject();

    /// <summary>The store key of the chunk at <paramref name="chunkIndex"/>.</summary>
    public string ChunkKey(ReadOnlySpan<long> chunkIndex) => _chunkPrefix + Metadata.ChunkKeyEncoding.Key(chunkIndex);

    /// <summary>Reads the whole array.</summary>
    public T[] Read<T>(CancellationToken cancellationToken = default)
        where T : unmanaged => Read<T>(ArraySubset.All(Shape), cancellationToken);

    /// <summary>Reads a region into a new array (C order).</summary>
    public T[] Read<T>(ArraySubset region, CancellationToken cancellationToken = default)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(region);
        CheckType<T>();
        CheckRegion(region);
        var result = LargeArrays.AllocateUninitialized<T>(checked((int)region.ElementCount));
        Read<T>(region, result, cancellationToken);
        return result;
    }

    /// <summary>Reads a region into <paramref name="destination"/> (C order, exactly the region's element count).</summary>
    public unsafe void Read<T>(ArraySubset region, Span<T> destination, CancellationToken cancellationToken = default)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(region);
        CheckType<T>();
        fixed (T* p = destination)
        {
            ReadCore(region, (byte*)p, (long)destination.Length * sizeof(T), cancellationToken);
        }
    }

    /// <summary>Reads a region as raw little-endian element bytes.</summary>
    public void ReadBytes(ArraySubset region, Span<byte> destination, CancellationToken cancellationToken = default) =>
        ReadBytes(region, destination, useCache: true, cancellationToken);

    /// <summary>
    /// Reads a region as raw little-endian element bytes; <paramref name="useCache"/> false bypasses the chunk cache
    /// (a one-pass stream gains nothing from it but a copy and resident memory).
    /// </summary>
    public unsafe void ReadBytes(ArraySubset region, Span<byte> destination, bool useCache, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(region);
        fixed (byte* p = destination)
        {
            ReadCore(region, p, destination.Length, cancellationToken, useCache);
        }
    }

    /// <summary>Writes the whole array from <paramref name="values"/> (C order).</summary>
    public void Write<T>(ReadOnlySpan<T> values, CancellationToken cancellationToken = default)
        where T : unmanaged => Write(ArraySubset.All(Shape), values, cancellationToken);

    /// <summary>Writes a region from <paramref name="values"/> (C order, exactly the region's element count).</summary>
    public unsafe void Write<T>(ArraySubset region, ReadOnlySpan<T> values, CancellationToken cancellationToken = default)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(region);
        CheckType<T>();
        fixed (T* p = values)
        {
            nint source = (nint)p;
            long bytes = (long)values.Length * sizeof(T);
            Mutate(a => a.WriteCore(region, (byte*)source, bytes, cancellationToken), cancellationToken);
        }
    }

    /// <summary>Writes a region from raw little-endian element bytes.</summary>
    public unsafe void WriteBytes(ArraySubset region, ReadOnlySpan<byte> values, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(region);
        fixed (byte* p = values)
        {
            nint source = (nint)p;
            int bytes = values.Length;
            Mutate(a => a.WriteCore(region, (byte*)source, bytes, cancellationToken), cancellationToken);
        }
    }

    /// <summary>
    /// Reads one whole chunk (its full chunk shape; the part beyond the array's edge holds whatever the chunk stores,
    /// normally the fill value) into <paramref name="destination"/>. The fast path for chunk-wise processing.
    /// </summary>
    public void ReadChunk<T>(ReadOnlySpan<long> chunkIndex, Span<T> destination)
        where T : unmanaged
    {
        CheckType<T>();
        CheckChunkIndex(chunkIndex);
        var bytes = MemoryMarshal.AsBytes(destination);
        if (bytes.Length != ChunkByteCount)
        {
            throw new ShapeMismatchException($"Array '{Path}' in store '{_owner.Name}': a chunk holds {Metadata.ChunkElementCount} elements, but the destination holds {destination.Length}");
        }

        ReadChunkInto(ChunkKey(chunkIndex), bytes, useCache: true);
    }

    /// <summary>Reads one whole chunk into a new array (full chunk shape, C order).</summary>
    public T[] ReadChunk<T>(ReadOnlySpan<long> chunkIndex)
        where T : unmanaged
    {
        CheckType<T>();
        var result = GC.AllocateUninitializedArray<T>(checked((int)Metadata.ChunkElementCount));
        ReadChunk<T>(chunkIndex, result);
        return result;
    }

    /// <summary>
    /// Replaces one whole chunk (full chunk shape, C order; elements beyond the array's edge should be the fill value).
    /// </summary>
    public unsafe void WriteChunk<T>(ReadOnlySpan<long> chunkIndex, ReadOnlySpan<T> chunk)
        where T : unmanaged
    {
        CheckType<T>();
        CheckChunkIndex(chunkIndex);
        var bytes = MemoryMarshal.AsBytes(chunk);
        if (bytes.Length != ChunkByteCount)
        {
            throw new ShapeMismatchException($"Array '{Path}' in store '{_owner.Name}': a chunk holds {Metadata.ChunkElementCount} elements, but {chunk.Length} were given");
        }

        string key = ChunkKey(chunkIndex);
        fixed (byte* p = bytes)
        {
            nint source = (nint)p;
            int length = bytes.Length;
            Mutate(
                a =>
                {
                    lock (a.LockFor(key))
                    {
                        a.StoreChunk(key, new ReadOnlySpan<byte>((byte*)source, length));
                    }
                },
                CancellationToken.None);
        }
    }

    /// <summary>True when the chunk is stored (a missing chunk reads as the fill value).</summary>
    public bool ChunkExists(ReadOnlySpan<long> chunkIndex) => _view.Exists(ChunkKey(chunkIndex));

    /// <summary>Bytes stored for this array's chunks (metadata excluded).</summary>
    public long StoredBytes()
    {
        long total = 0;
        foreach (var key in EnumerateChunkKeys())
        {
            total += _view.GetSize(key) ?? 0;
        }

        return total;
    }

    /// <summary>Number of chunks stored.</summary>
    public long StoredChunkCount() => EnumerateChunkKeys().LongCount();

    // Decodes one stored chunk into raw bytes, bypassing the cache (verification).
    internal void ReadChunkBytes(long[] chunkIndex, Span<byte> destination) => ReadChunkInto(ChunkKey(chunkIndex), destination, useCache: false);

    // Every stored key below the array that looks like a chunk (also for verification and collection).
    internal IEnumerable<string> EnumerateChunkKeys()
    {
        foreach (var key in _view.List(_chunkPrefix))
        {
            string rest = key[_chunkPrefix.Length..];
            string last = rest[(rest.LastIndexOf('/') + 1)..];
            if (last is "zarr.json" or ".zarray" or ".zattrs" or ".zgroup" || (rest.Contains('/', StringComparison.Ordinal) && !IsChunkPath(rest)))
            {
                continue;
            }

            yield return key;
        }
    }

    // A nested key below the array is a chunk only when it follows the chunk key pattern (c/…, or digits/…).
    private static bool IsChunkPath(string rest) =>
        rest.StartsWith("c/", StringComparison.Ordinal) || rest.Split('/').All(p => p.Length > 0 && p.All(char.IsAsciiDigit));

    /// <summary>Replaces the array's attributes (writes metadata) and returns the updated handle.</summary>
    public ZarrArray SetAttributes(JsonObject attributes)
    {
        var md = Metadata.WithAttributes(attributes);
        Mutate(
            a =>
            {
                a._owner.WriteArrayMetadata(a.Path, md);
                a._metadata = md;
            },
            CancellationToken.None);
        return this;
    }

    /// <summary>A typed view of this array.</summary>
    /// <exception cref="DataTypeMismatchException"><typeparamref name="T"/> is not the array's element type.</exception>
    public ZarrArray<T> As<T>()
        where T : unmanaged
    {
        CheckType<T>();
        return new ZarrArray<T>(this);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"ZarrArray '{Path}' {DataType.Name} [{string.Join(", ", Shape)}] chunks [{string.Join(", ", ChunkShape)}] (v{(int)Metadata.Format})";

    internal int ChunkByteCount => checked((int)(Metadata.ChunkElementCount * DataType.Size));

    private void CheckType<T>()
        where T : unmanaged
    {
        if (typeof(T) != DataType.ClrType)
        {
            throw new DataTypeMismatchException(_owner.Name, Path, DataType, typeof(T));
        }
    }

    private void CheckRegion(ArraySubset region)
    {
        if (!region.IsWithin(Shape))
        {
            throw new ShapeMismatchException($"Region {region} is outside array '{Path}' of shape [{string.Join(", ", Shape)}] in store '{_owner.Name}'");
        }
    }

    private void CheckChunkIndex(ReadOnlySpan<long> chunkIndex)
    {
        var grid = GridShape;
        bool ok = chunkIndex.Length == grid.Length;
        for (int d = 0; ok && d < grid.Length; d++)
        {
            ok = chunkIndex[d] >= 0 && chunkIndex[d] < grid[d];
        }

        if (!ok)
        {
            throw new ShapeMismatchException($"Chunk index [{string.Join(", ", chunkIndex.ToArray())}] is outside the chunk grid [{string.Join(", ", grid)}] of array '{Path}' in store '{_owner.Name}'");
        }
    }

    private unsafe void ReadCore(ArraySubset region, byte* destination, long destinationBytes, CancellationToken cancellationToken, bool allowCache = true)
    {
        CheckNotVariableLength();
        CheckRegion(region);
        int es = DataType.Size;
        if (destinationBytes != region.ElementCount * es)
        {
            throw new ShapeMismatchException($"Region {region} of array '{Path}' holds {region.ElementCount} elements, but the buffer holds {destinationBytes / es}");
        }

        if (region.ElementCount == 0)
        {
            return;
        }

        var plan = new RegionPlan(Metadata, region);
        var cache = _owner.Cache;
        bool useCache = allowCache && cache is not null && destinationBytes <= cache.Capacity; // a scan larger than the cache would only evict it
        nint dst = (nint)destination;
        if (IsRemote && plan.ChunkCount > 1)
        {
            ReadRemote(plan, dst, useCache, cancellationToken);
            return;
        }

        RunParallel(plan.ChunkCount, k => ReadOne(plan, k, (byte*)dst, useCache, null), cancellationToken);
    }

    private unsafe void ReadOne(RegionPlan plan, long k, byte* destination, bool useCache, Fetched? fetched)
    {
        int rank = Rank;
        Span<long> chunkIndex = stackalloc long[rank];
        Span<long> srcStart = stackalloc long[rank];
        Span<long> dstStart = stackalloc long[rank];
        Span<long> extent = stackalloc long[rank];
        plan.Intersect(k, chunkIndex, srcStart, dstStart, extent);
        string key = ChunkKey(chunkIndex);
        int es = DataType.Size;
        int chunkBytes = ChunkByteCount;

        if (fetched is null && ShardForBoxReads(extent) is { } sharding)
        {
            ReadShardBox(sharding, key, srcStart, extent, destination, plan.RegionShape, dstStart);
            return;
        }

        if (plan.IsContiguousInDestination(extent))
        {
            long offset = 0;
            long stride = es;
            for (int d = rank - 1; d >= 0; d--)
            {
                offset += dstStart[d] * stride;
                stride *= plan.RegionShape[d];
            }

            ReadChunkInto(key, new Span<byte>(destination + offset, chunkBytes), useCache: false, fetched);
            return;
        }

        if (!useCache && fetched is null && rank > 0 && DecodesInPieces && ReadBoxInPieces(chunkIndex, key, plan.ChunkShapeLong, srcStart, extent, destination, plan.RegionShape, dstStart))
        {
            return;
        }

        using var buffer = Stores.StorageBuffers.RentBuffer(chunkBytes);
        ReadChunkInto(key, buffer.Span, useCache, fetched);
        fixed (byte* src = buffer.Span)
        {
            NdCopy.Copy(src, plan.ChunkShapeLong, srcStart, destination, plan.RegionShape, dstStart, extent, es);
        }
    }

    private unsafe void WriteCore(ArraySubset region, byte* source, long sourceBytes, CancellationToken cancellationToken)
    {
        CheckNotVariableLength();
        CheckRegion(region);
        int es = DataType.Size;
        if (sourceBytes != region.ElementCount * es)
        {
            throw new ShapeMismatchException($"Region {region} of array '{Path}' in store '{_owner.Name}' holds {region.ElementCount} elements, but {sourceBytes / es} were given");
        }

        if (region.ElementCount == 0)
        {
            return;
        }

        var plan = new RegionPlan(Metadata, region);
        nint src = (nint)source;
        RunParallel(plan.ChunkCount, k => WriteOne(plan, k, (byte*)src), cancellationToken);
    }

    private unsafe void WriteOne(RegionPlan plan, long k, byte* source)
    {
        int rank = Rank;
        Span<long> chunkIndex = stackalloc long[rank];
        Span<long> chunkStart = stackalloc long[rank];
        Span<long> regionStart = stackalloc long[rank];
        Span<long> extent = stackalloc long[rank];
        plan.Intersect(k, chunkIndex, chunkStart, regionStart, extent);
        string key = ChunkKey(chunkIndex);
        int chunkBytes = ChunkByteCount;
        bool whole = plan.CoversInBoundsChunk(chunkIndex, chunkStart, extent);
        if (whole && plan.IsContiguousInDestination(extent) && extent.SequenceEqual(plan.ChunkShapeLong))
        {
            // The source holds this whole chunk as one C-order run (appends, row-block writes): encode it in place.
            long offset = 0;
            long stride = DataType.Size;
            for (int d = rank - 1; d >= 0; d--)
            {
                offset += regionStart[d] * stride;
                stride *= plan.RegionShape[d];
            }

            lock (LockFor(key))
            {
                StoreChunk(key, new ReadOnlySpan<byte>(source + offset, chunkBytes));
            }

            return;
        }

        using var buffer = Stores.StorageBuffers.RentBuffer(chunkBytes);
        var chunk = buffer.Span;
        lock (LockFor(key))
        {
            if (whole)
            {
                NdCopy.FillPattern(chunk, Metadata.FillValue);
            }
            else
            {
                ReadChunkInto(key, chunk, useCache: true);
            }

            fixed (byte* dst = chunk)
            {
                NdCopy.Copy(source, plan.RegionShape, regionStart, dst, plan.ChunkShapeLong, chunkStart, extent, DataType.Size);
            }

            StoreChunk(key, chunk);
        }
    }

    // Cached chunks are per version: the same key holds other bytes at other versions.
    private string CacheKey(string key) => _view is Transactions.SnapshotView s ? s.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + key : key;

    private void StoreChunk(string key, ReadOnlySpan<byte> chunk)
    {
        var cache = _owner.Cache;
        cache?.Remove(CacheKey(key));
        if (!_owner.Options.WriteEmptyChunks && NdCopy.IsAllPattern(chunk, Metadata.FillValue))
        {
            _view.Delete(key);
            return;
        }

        // Blosc frames are built in the encoder's pooled buffer: no frame-sized array per chunk for the GC to free late.
        using var encoded = Metadata.Codecs.EncodePooled(chunk, Metadata.ChunkShapeArray);
        _view.Set(key, encoded.Memory.Span);
    }

    private void ReadChunkInto(string key, Span<byte> destination, bool useCache, Fetched? fetched = null)
    {
        CheckNotVariableLength();
        var cache = _owner.Cache;
        if (useCache && cache is not null && cache.TryCopyTo(CacheKey(key), destination))
        {
            return;
        }

        using var read = fetched is null ? _view.GetPooled(key) : null;
        var stored = fetched is null ? read : fetched.Owner;
        DecodeStored(key, stored, destination);
        if (useCache && stored is not null && cache is not null)
        {
            cache.Put(CacheKey(key), destination);
        }
    }

    // Decodes a stored value (null: not stored, the fill value) of chunk key into a whole chunk's bytes.
    private void DecodeStored(string key, System.Buffers.IMemoryOwner<byte>? stored, Span<byte> destination)
    {
        if (stored is null)
        {
            NdCopy.FillPattern(destination, Metadata.FillValue);
            return;
        }

        try
        {
            Metadata.Codecs.Decode(stored.Memory.Span, Metadata.ChunkShapeArray, destination);
        }
        catch (Exception ex) when (ex is CodecException or FormatException or ArgumentException or InvalidDataException or IndexOutOfRangeException or OverflowException)
        {
            throw new CorruptChunkException(_owner.Name, Path, key, ex.Message, ex);
        }
        catch (UnsupportedCodecException ex)
        {
            // A frame in a format we do not read (a Blosc2 or snappy frame under a blosc codec): name the chunk too.
            throw new UnsupportedCodecException(ex.Codec, $"{ex.Detail} (chunk '{key}' of array '{Path}' in store '{_owner.Name}')");
        }
    }

    private Lock LockFor(string key) => _locks[(int)((uint)key.GetHashCode(StringComparison.Ordinal) % LockStripes)];

    private void RunParallel(long count, Action<long> body, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (count == 1)
        {
            body(0);
            return;
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = _owner.Options.MaxConcurrency, CancellationToken = cancellationToken };
        try
        {
            Parallel.For(0L, count, options, body);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
        }
    }

    internal static Lock[] NewLocks() => Enumerable.Range(0, LockStripes).Select(_ => new Lock()).ToArray();
}
