using ChunkCompute.Storage;

namespace ChunkCompute.Graph;

/// <summary>Opens stored arrays as lazy chunked arrays.</summary>
public static class ZarrStoreExtensions
{
    /// <summary>Opens the array at <paramref name="path"/> as a lazy <see cref="ChunkedArray{T}"/>.</summary>
    /// <exception cref="DataTypeMismatchException">The stored element type is not <typeparamref name="T"/>.</exception>
    public static ChunkedArray<T> Open<T>(this ZarrStore store, string path)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(store);
        return ChunkedArray.FromZarr(store.OpenArray<T>(path));
    }
}
