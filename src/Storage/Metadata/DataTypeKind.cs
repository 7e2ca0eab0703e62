namespace ChunkCompute.Storage;

/// <summary>The element types ChunkCompute stores and computes on.</summary>
public enum DataTypeKind
{
    /// <summary>One byte, 0 or 1 (NumPy <c>|b1</c>, Zarr v3 <c>bool</c>).</summary>
    Bool,

    /// <summary>Signed 8-bit integer.</summary>
    Int8,

    /// <summary>Signed 16-bit integer.</summary>
    Int16,

    /// <summary>Signed 32-bit integer.</summary>
    Int32,

    /// <summary>Signed 64-bit integer.</summary>
    Int64,

    /// <summary>Unsigned 8-bit integer.</summary>
    UInt8,

    /// <summary>Unsigned 16-bit integer.</summary>
    UInt16,

    /// <summary>Unsigned 32-bit integer.</summary>
    UInt32,

    /// <summary>Unsigned 64-bit integer.</summary>
    UInt64,

    /// <summary>IEEE 754 half precision (<see cref="Half"/>).</summary>
    Float16,

    /// <summary>IEEE 754 single precision.</summary>
    Float32,

    /// <summary>IEEE 754 double precision.</summary>
    Float64,
}
