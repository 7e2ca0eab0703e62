using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Scheduler;

/// <summary>
/// An array computed once (from <see cref="PersistExtensions.Persist{T}"/>) for several later computations to reuse:
/// held in memory, or spilled to a temporary Zarr array on disk. <see cref="Array"/> is lazy over that result, on the
/// original chunk grid. Dispose it to free the memory or delete the temporary array (computations over
/// <see cref="Array"/> must not run after that).
/// </summary>
public sealed class PersistedArray<T> : IDisposable
    where T : unmanaged
{
    private readonly ZarrStore? _spill;
    private ChunkedArray<T>? _array;

    internal PersistedArray(ChunkedArray<T> array, ZarrStore? spill, string? directory, ComputeStatistics statistics)
    {
        _array = array;
        _spill = spill;
        SpillDirectory = directory;
        Statistics = statistics;
    }

    /// <summary>
    /// The persisted values as a lazy array: same shape, and the same chunk grid (spilled from an irregular grid: its
    /// largest chunk shape, regular).
    /// </summary>
    /// <exception cref="ObjectDisposedException">The persisted array was disposed.</exception>
    public ChunkedArray<T> Array => _array ?? throw new ObjectDisposedException(nameof(PersistedArray<T>), "the persisted array was disposed");

    /// <summary>True when the values are held in memory; false when they were spilled to <see cref="SpillDirectory"/>.</summary>
    public bool IsInMemory => _spill is null;

    /// <summary>The temporary directory holding the spilled array, or null when held in memory.</summary>
    public string? SpillDirectory { get; }

    /// <summary>How the computation that made it ran.</summary>
    public ComputeStatistics Statistics { get; }

    /// <summary>Frees the memory, or deletes the spilled array.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _array, null) is null)
        {
            return;
        }

        _spill?.Dispose();
        if (SpillDirectory is not null && Directory.Exists(SpillDirectory))
        {
            Directory.Delete(SpillDirectory, recursive: true);
        }
    }
}

/// <summary><c>Persist</c>: compute once, reuse many times (Dask's <c>persist</c>), within the memory budget.</summary>
public static class PersistExtensions
{
    /// <summary>
    /// Computes <paramref name="array"/> now and returns a lazy array over the result: held in memory when it takes at
    /// most half of <see cref="ComputeOptions.MemoryBudget"/> (its share: later computations keep the other half), else
    /// written (Blosc-LZ4) to a temporary Zarr array under <see cref="ComputeOptions.TemporaryDirectory"/> and read from
    /// there. Either way the computation runs within the budget, and later computations over the result do not run
    /// the array's graph again.
    /// </summary>
    public static PersistedArray<T> Persist<T>(this ChunkedArray<T> array, ComputeOptions? options = null, CancellationToken cancellationToken = default)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        options ??= new ComputeOptions();
        long bytes = array.Chunks.ElementCount * array.Node.DataType.Size;
        if (bytes <= options.EffectiveBudget / 2)
        {
            var computed = array.Compute(options, cancellationToken);
            return new PersistedArray<T>(ChunkedArray.FromArray(computed.ToArray(), array.Chunks), null, null, computed.Statistics);
        }

        string directory = Path.Combine(options.TemporaryDirectory ?? Path.GetTempPath(), "chunkcompute-persist-" + Guid.NewGuid().ToString("N"));
        var store = ZarrStore.Open(directory, new ZarrStoreOptions { Transactional = false, ChunkCacheBytes = 0 });
        try
        {
            var statistics = array.ToStore(store, "persisted").Compute(options, cancellationToken);
            return new PersistedArray<T>(store.Open<T>("persisted"), store, directory, statistics);
        }
        catch
        {
            store.Dispose();
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }
}
