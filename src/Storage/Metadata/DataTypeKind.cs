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

    /// <summary>Complex of two float32 (NumPy <c>c8</c>, Zarr v3 <c>complex64</c>; <see cref="Complex32"/>).</summary>
    Complex64,

    /// <summary>Complex of two float64 (NumPy <c>c16</c>, Zarr v3 <c>complex128</c>; <see cref="System.Numerics.Complex"/>).</summary>
    Complex128,

    /// <summary>NumPy <c>datetime64[unit]</c>: int64 counts of a unit since 1970-01-01, NaT = <see cref="long.MinValue"/>.</summary>
    DateTime64,

    /// <summary>NumPy <c>timedelta64[unit]</c>: int64 counts of a unit, NaT = <see cref="long.MinValue"/>.</summary>
    TimeDelta64,

    /// <summary>NumPy <c>|S n</c>: n raw bytes, zero padded (read as Latin-1 text, trailing NULs stripped).</summary>
    FixedBytes,

    /// <summary>NumPy <c>&lt;U n</c>/<c>&gt;U n</c>: n UTF-32 code units, zero padded.</summary>
    FixedUnicode,

    /// <summary>Variable-length UTF-8 strings (Zarr v2 <c>|O</c> with the <c>vlen-utf8</c> filter, Zarr v3 <c>string</c>).</summary>
    String,
}
