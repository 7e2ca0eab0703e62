using ChunkCompute.Storage;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.ML;

// What the untyped handle needs of a typed ragged array.
internal interface IRaggedArray
{
    DataType DataType { get; }

    int RecordRank { get; }

    long Count { get; }

    void AppendUntyped(Array values, long[]? shape);

    long[] Lengths();

    RaggedStatistics Statistics(CancellationToken cancellationToken);
}

/// <summary>
/// A ragged array whose element type is known only at run time (the layout's <c>dtype</c>): inspect it, append
/// records given as .NET arrays (their element type is checked), or get the typed <see cref="RaggedArray{T}"/>.
/// </summary>
public sealed class RaggedArray
{
    private readonly IRaggedArray _typed;

    private RaggedArray(IRaggedArray typed, ZarrStore store, string path)
    {
        _typed = typed;
        Store = store;
        Path = path;
    }

    /// <summary>The store handle.</summary>
    public ZarrStore Store { get; }

    /// <summary>The group's path.</summary>
    public string Path { get; }

    /// <summary>The element type stored.</summary>
    public DataType DataType => _typed.DataType;

    /// <summary>The rank of every record.</summary>
    public int RecordRank => _typed.RecordRank;

    /// <summary>The number of records.</summary>
    public long Count => _typed.Count;

    /// <summary>Opens the ragged array at <paramref name="path"/>, whatever its element type.</summary>
    /// <exception cref="NodeNotFoundException">Nothing is at the path.</exception>
    /// <exception cref="InvalidRaggedArrayException">The node is not a ragged array.</exception>
    public static RaggedArray Open(ZarrStore store, string path)
    {
        ArgumentNullException.ThrowIfNull(store);
        path = StoreKeys.NormalizePath(path);
        var (dataType, rank) = RaggedLayout.ReadAttributes(store, path);
        var parts = RaggedLayout.Open(store, path, dataType, rank);
        IRaggedArray typed = dataType.Kind switch
        {
            DataTypeKind.Bool => RaggedArray<bool>.Open(store, path, rank, parts),
            DataTypeKind.Int8 => RaggedArray<sbyte>.Open(store, path, rank, parts),
            DataTypeKind.Int16 => RaggedArray<short>.Open(store, path, rank, parts),
            DataTypeKind.Int32 => RaggedArray<int>.Open(store, path, rank, parts),
            DataTypeKind.Int64 => RaggedArray<long>.Open(store, path, rank, parts),
            DataTypeKind.UInt8 => RaggedArray<byte>.Open(store, path, rank, parts),
            DataTypeKind.UInt16 => RaggedArray<ushort>.Open(store, path, rank, parts),
            DataTypeKind.UInt32 => RaggedArray<uint>.Open(store, path, rank, parts),
            DataTypeKind.UInt64 => RaggedArray<ulong>.Open(store, path, rank, parts),
            DataTypeKind.Float16 => RaggedArray<Half>.Open(store, path, rank, parts),
            DataTypeKind.Float32 => RaggedArray<float>.Open(store, path, rank, parts),
            DataTypeKind.Float64 => RaggedArray<double>.Open(store, path, rank, parts),
            _ => throw new UnsupportedDataTypeException(dataType.Name, $"ragged array '{path}' in store '{store.Name}'"),
        };
        return new RaggedArray(typed, store, path);
    }

    /// <summary>Opens the ragged array at <paramref name="path"/> as <paramref name="transaction"/> sees it.</summary>
    public static RaggedArray Open(Transaction transaction, string path)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return Open(transaction.Store, path);
    }

    /// <summary>The typed handle.</summary>
    /// <exception cref="DataTypeMismatchException"><typeparamref name="T"/> is not the stored element type.</exception>
    public RaggedArray<T> As<T>()
        where T : unmanaged => _typed as RaggedArray<T> ?? throw new DataTypeMismatchException(Store.Name, Path, DataType, typeof(T));

    /// <summary>
    /// Appends one record given as a .NET array of the stored element type: one-dimensional with
    /// <paramref name="shape"/> (or none, for record rank 1), or an array of rank <see cref="RecordRank"/> whose
    /// dimensions are the record's shape.
    /// </summary>
    /// <exception cref="DataTypeMismatchException">The array's element type is not the stored one.</exception>
    /// <exception cref="ShapeMismatchException">The shape does not fit the values or the record rank.</exception>
    public void Append(Array values, long[]? shape = null) => _typed.AppendUntyped(values, shape);

    /// <summary>The number of values of every record.</summary>
    public long[] Lengths() => _typed.Lengths();

    /// <summary>Per-record sums, means, minima and maxima in one pass.</summary>
    public RaggedStatistics Statistics(CancellationToken cancellationToken = default) => _typed.Statistics(cancellationToken);

    /// <inheritdoc/>
    public override string ToString() => _typed.ToString() ?? Path;
}
