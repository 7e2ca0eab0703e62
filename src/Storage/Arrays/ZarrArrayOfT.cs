namespace ChunkCompute.Storage;

/// <summary>A typed view of a <see cref="ZarrArray"/> whose element type is <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The element type: bool, sbyte … ulong, Half, float or double.</typeparam>
public sealed class ZarrArray<T>
    where T : unmanaged
{
    internal ZarrArray(ZarrArray array)
    {
        Untyped = array;
    }

    /// <summary>The untyped array.</summary>
    public ZarrArray Untyped { get; }

    /// <summary>The array's path in the store.</summary>
    public string Path => Untyped.Path;

    /// <summary>The shape in elements.</summary>
    public IReadOnlyList<long> Shape => Untyped.Shape;

    /// <summary>The chunk shape in elements.</summary>
    public IReadOnlyList<int> ChunkShape => Untyped.ChunkShape;

    /// <summary>The array's metadata.</summary>
    public ArrayMetadata Metadata => Untyped.Metadata;

    /// <summary>Reads the whole array (C order).</summary>
    public T[] Read(CancellationToken cancellationToken = default) => Untyped.Read<T>(cancellationToken);

    /// <summary>Reads a region (C order).</summary>
    public T[] Read(ArraySubset region, CancellationToken cancellationToken = default) => Untyped.Read<T>(region, cancellationToken);

    /// <summary>Reads a region into <paramref name="destination"/>.</summary>
    public void Read(ArraySubset region, Span<T> destination, CancellationToken cancellationToken = default) =>
        Untyped.Read(region, destination, cancellationToken);

    /// <summary>Writes the whole array.</summary>
    public void Write(ReadOnlySpan<T> values, CancellationToken cancellationToken = default) => Untyped.Write(values, cancellationToken);

    /// <summary>Writes a region.</summary>
    public void Write(ArraySubset region, ReadOnlySpan<T> values, CancellationToken cancellationToken = default) =>
        Untyped.Write(region, values, cancellationToken);

    /// <summary>Reads one whole chunk.</summary>
    public T[] ReadChunk(ReadOnlySpan<long> chunkIndex) => Untyped.ReadChunk<T>(chunkIndex);

    /// <summary>Replaces one whole chunk.</summary>
    public void WriteChunk(ReadOnlySpan<long> chunkIndex, ReadOnlySpan<T> chunk) => Untyped.WriteChunk(chunkIndex, chunk);

    /// <summary>The committed version this handle reads; null when the store is not transactional.</summary>
    public long? Version => Untyped.Version;

    /// <summary>Appends whole slices along <paramref name="axis"/> (see <see cref="ZarrArray.Append{T}(ReadOnlySpan{T}, int, CancellationToken)"/>).</summary>
    public void Append(ReadOnlySpan<T> values, int axis = 0, CancellationToken cancellationToken = default) =>
        Untyped.Append(values, axis, cancellationToken);

    /// <summary>Appends a block of shape <paramref name="blockShape"/> along <paramref name="axis"/>.</summary>
    public void Append(ReadOnlySpan<T> values, ReadOnlySpan<long> blockShape, int axis = 0, CancellationToken cancellationToken = default) =>
        Untyped.Append(values, blockShape, axis, cancellationToken);

    /// <summary>Changes the shape (see <see cref="ZarrArray.Resize"/>).</summary>
    public void Resize(ReadOnlySpan<long> newShape, CancellationToken cancellationToken = default) =>
        Untyped.Resize(newShape, cancellationToken);

    /// <inheritdoc/>
    public override string ToString() => Untyped.ToString();
}
