using ChunkCompute.Graph;

namespace ChunkCompute.MLNet;

/// <summary>Exposes chunked arrays to ML.NET as <see cref="Microsoft.ML.IDataView"/>s (see <see cref="ChunkedDataView"/>).</summary>
public static class DataViewExtensions
{
    /// <summary>
    /// A data view of the rows of the 2-D array <paramref name="features"/> (rows × columns, float or double): one
    /// vector column (<see cref="ChunkedDataViewOptions.FeatureColumnName"/>, <c>"Features"</c>) of the array's column
    /// count, read row block by row block within <see cref="ChunkedDataViewOptions.MemoryBudget"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The array is not 2-D or has no columns, or the buffers do not fit the budget.</exception>
    /// <exception cref="NotSupportedException">The element type is not float or double.</exception>
    public static ChunkedDataView AsDataView<T>(this ChunkedArray<T> features, ChunkedDataViewOptions? options = null)
        where T : unmanaged =>
        ChunkedDataView.Create(features, options);

    /// <summary>
    /// A data view of the rows of the 2-D array <paramref name="features"/> and the 1-D array
    /// <paramref name="labels"/> (one label per row): a vector column (<c>"Features"</c>) and a scalar column
    /// (<see cref="ChunkedDataViewOptions.LabelColumnName"/>, <c>"Label"</c>): features float or double, labels float
    /// or double (Single for ML.NET's regression trainers) or bool (Boolean, for its binary classifiers).
    /// </summary>
    /// <exception cref="ArgumentException">The features are not 2-D, the labels not 1-D, their row counts differ, or the buffers do not fit the budget.</exception>
    /// <exception cref="NotSupportedException">The features are not float or double, or the labels not float, double or bool.</exception>
    public static ChunkedDataView AsDataView<T, TLabel>(this ChunkedArray<T> features, ChunkedArray<TLabel> labels, ChunkedDataViewOptions? options = null)
        where T : unmanaged
        where TLabel : unmanaged =>
        ChunkedDataView.Create(features, labels, options);
}
