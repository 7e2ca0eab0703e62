namespace ChunkCompute.Storage;

/// <summary>
/// An array whose chunks are being written before it exists for readers (from <see cref="ZarrStore.StageArray"/>):
/// write its chunks through <see cref="Array"/>, then <see cref="Publish"/> its metadata. Until then nothing is visible at
/// <see cref="Path"/>; inside a transaction the commit publishes chunks and metadata together.
/// </summary>
public sealed class StagedArray
{
    private readonly ZarrStore _store;
    private int _published;

    internal StagedArray(ZarrStore store, string path, ArrayMetadata metadata, ZarrArray array)
    {
        _store = store;
        Path = path;
        Metadata = metadata;
        Array = array;
    }

    /// <summary>The array's normalized path.</summary>
    public string Path { get; }

    /// <summary>The metadata <see cref="Publish"/> writes.</summary>
    public ArrayMetadata Metadata { get; }

    /// <summary>The array to write chunks through (its metadata is not stored yet).</summary>
    public ZarrArray Array { get; }

    /// <summary>The store handle the array is staged in.</summary>
    public ZarrStore Store => _store;

    /// <summary>True once <see cref="Publish"/> has written the metadata.</summary>
    public bool IsPublished => Volatile.Read(ref _published) != 0;

    /// <summary>Writes the array's metadata, making it visible (once; later calls do nothing).</summary>
    public void Publish()
    {
        if (Interlocked.Exchange(ref _published, 1) == 0)
        {
            _store.PublishArrayMetadata(Path, Metadata);
        }
    }
}
