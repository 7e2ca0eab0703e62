namespace ChunkCompute.Storage;

/// <summary>A typed read or write used an element type other than the array's data type.</summary>
public sealed class DataTypeMismatchException : ChunkComputeException
{
    /// <summary>Creates the exception for array <paramref name="arrayPath"/>.</summary>
    public DataTypeMismatchException(string store, string arrayPath, DataType expected, Type actual)
        : base($"Array '{arrayPath}' in store '{store}' holds {expected.Name} ({expected.ClrType.Name}), but was accessed as {actual.Name}")
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>Creates the exception for array <paramref name="arrayPath"/> with a detail naming the source of the data.</summary>
    public DataTypeMismatchException(string store, string arrayPath, DataType expected, Type actual, string detail)
        : base($"Array '{arrayPath}' in store '{store}' holds {expected.Name}: {detail}")
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The array's data type.</summary>
    public DataType Expected { get; }

    /// <summary>The element type used.</summary>
    public Type Actual { get; }
}
