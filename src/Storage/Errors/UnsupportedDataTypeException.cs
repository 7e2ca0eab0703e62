namespace ChunkCompute.Storage;

/// <summary>Metadata names a data type ChunkCompute does not implement (e.g. complex, strings, datetimes).</summary>
public sealed class UnsupportedDataTypeException : ChunkComputeException
{
    /// <summary>Creates the exception for data type <paramref name="dataType"/>.</summary>
    public UnsupportedDataTypeException(string dataType, string detail)
        : base($"Unsupported data type '{dataType}': {detail}")
    {
        DataType = dataType;
        Detail = detail;
    }

    /// <summary>What is wrong or what is supported instead.</summary>
    public string Detail { get; }

    /// <summary>The data type as written in the metadata (e.g. <c>complex64</c>, <c>|S12</c>).</summary>
    public string DataType { get; }
}
