using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage;

// Staged arrays: chunks written before the array is visible, published by writing its metadata last.
public sealed partial class ZarrStore
{
    /// <summary>
    /// Creates an array whose chunks may be written before it exists for readers: nothing is visible at
    /// <paramref name="path"/> (and <see cref="Open(string, ZarrStoreOptions?)"/> does not find it) until <see cref="StagedArray.Publish"/> writes its
    /// metadata. The staging step of a lazy write: write every chunk through <see cref="StagedArray.Array"/>, then publish
    /// (inside a transaction, the commit makes both visible at once).
    /// </summary>
    /// <exception cref="ArgumentException">The path, shape, chunks or options are invalid.</exception>
    /// <exception cref="InvalidOperationException">A node exists at the path and <see cref="ArrayOptions.Overwrite"/> is false.</exception>
    public StagedArray StageArray(string path, DataType dataType, long[] shape, int[] chunks, ArrayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(dataType);
        options ??= new ArrayOptions();
        string normalizedPath = StoreKeys.NormalizePath(path);
        var format = FormatFor(normalizedPath, "an array", options.Format);
        var metadata = ArrayMetadata.Create(format, dataType, shape, chunks, options);
        PrepareNode(normalizedPath, format, options.Overwrite);
        return new StagedArray(this, normalizedPath, metadata, new ZarrArray(this, normalizedPath, metadata));
    }

    /// <summary>Writes the metadata of a staged array, making it visible.</summary>
    internal void PublishArrayMetadata(string path, ArrayMetadata metadata) => WriteArrayMetadata(path, metadata);
}
