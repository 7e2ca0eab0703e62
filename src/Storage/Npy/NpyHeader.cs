namespace ChunkCompute.Storage.Npy;

/// <summary>The parsed header of a NumPy <c>.npy</c> file (format versions 1.0, 2.0 and 3.0).</summary>
public sealed class NpyHeader
{
    internal NpyHeader((byte Major, byte Minor) version, string descr, NpyDataType dataType, bool fortranOrder, long[] shape, long dataOffset, long elementCount)
    {
        Version = version;
        Descr = descr;
        DataType = dataType;
        FortranOrder = fortranOrder;
        _shape = shape;
        DataOffset = dataOffset;
        ElementCount = elementCount;
    }

    private readonly long[] _shape;

    /// <summary>The format version, e.g. <c>(1, 0)</c>.</summary>
    public (byte Major, byte Minor) Version { get; }

    /// <summary>The dtype descr exactly as written in the file, e.g. <c>&gt;f8</c> or <c>=i4</c>.</summary>
    public string Descr { get; }

    /// <summary>The little-endian form of <see cref="Descr"/>: <c>&lt;f8</c>, <c>|u1</c>, <c>|b1</c>.</summary>
    public string NormalizedDescr => DataType.NormalizedDescr;

    /// <summary>Bytes per element (1, 2, 4 or 8).</summary>
    public int ElementSize => DataType.ElementSize;

    /// <summary>True when the data is stored little-endian (<c>&lt;</c>, <c>|</c> or <c>=</c>).</summary>
    public bool IsLittleEndian => DataType.IsLittleEndian;

    /// <summary>The bytes swapped together when the file is big-endian (see <see cref="NpyDataType.SwapUnit"/>).</summary>
    public int SwapUnit => DataType.SwapUnit;

    /// <summary>True when the data is stored in Fortran (column-major) order.</summary>
    public bool FortranOrder { get; }

    /// <summary>The array shape (a copy). Empty for a 0-d array, which holds one element.</summary>
    public long[] Shape => (long[])_shape.Clone();

    /// <summary>The number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Offset of the first data byte from the start of the file (or stream).</summary>
    public long DataOffset { get; }

    /// <summary>The number of elements: the product of <see cref="Shape"/> (1 for a 0-d array).</summary>
    public long ElementCount { get; }

    /// <summary>The number of data bytes: <see cref="ElementCount"/> × <see cref="ElementSize"/>.</summary>
    public long DataLength => ElementCount * ElementSize;

    internal NpyDataType DataType { get; }

    internal long[] ShapeNoCopy => _shape;
}
