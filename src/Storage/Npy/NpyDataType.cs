namespace ChunkCompute.Storage.Npy;

/// <summary>
/// A parsed, supported NumPy descr: the element's <see cref="Storage.DataType"/> and its byte order in the file.
/// Numbers, complex numbers, datetimes/timedeltas with their unit, and fixed-length <c>|S n</c> / <c>U n</c> strings;
/// not variable-length (object) strings.
/// </summary>
internal readonly record struct NpyDataType(DataType DataType, bool IsLittleEndian)
{
    /// <summary>NumPy's kind character (<c>b</c>, <c>i</c>, <c>u</c>, <c>f</c>, <c>c</c>, <c>M</c>, <c>m</c>, <c>S</c>, <c>U</c>).</summary>
    public char Kind => DataType.NumpyKind;

    /// <summary>Bytes per element.</summary>
    public int ElementSize => DataType.Size;

    /// <summary>
    /// The bytes swapped together between byte orders: the element, each half of a complex number, each UTF-32 code
    /// unit of a unicode string, nothing for bytes.
    /// </summary>
    public int SwapUnit => DataType.ByteOrderUnit;

    /// <summary>The little-endian form, e.g. <c>&lt;f8</c>, <c>|u1</c>, <c>|b1</c>, <c>&lt;U7</c>.</summary>
    public string NormalizedDescr => Format(bigEndian: false);

    /// <summary>The descr as NumPy writes it for the given byte order (<c>|</c> where order does not apply).</summary>
    public string Format(bool bigEndian) => DataType.ToNumpyTypestr(bigEndian && SwapUnit > 1);

    /// <summary>Parses <paramref name="descr"/>; returns false with a reason when it is not a supported dtype.</summary>
    public static bool TryParse(string descr, out NpyDataType type, out string reason)
    {
        // One place knows NumPy type strings: DataType. The .npy header may also omit the byte order (native).
        type = default;
        string typestr = descr.Length > 0 && descr[0] is '<' or '>' or '|' or '=' ? descr : "=" + descr;
        try
        {
            var dataType = DataType.FromNumpyTypestr(typestr, out bool bigEndian);
            if (dataType.IsVariableLength)
            {
                // Object arrays hold pointers in a .npy file (pickled), not strings.
                throw new UnsupportedDataTypeException(descr, "object (variable-length) dtypes are not supported in .npy files");
            }

            type = new NpyDataType(dataType, !bigEndian);
            reason = string.Empty;
            return true;
        }
        catch (UnsupportedDataTypeException)
        {
            reason = $"unsupported dtype '{descr}' (supported: b1, i1–i8, u1–u8, f2–f8, c8, c16, M8[unit], m8[unit], S n, U n)";
            return false;
        }
    }

    public static string? DescrFor<T>()
        where T : unmanaged => DataType.Supported.FirstOrDefault(d => d.ClrType == typeof(T))?.ToNumpyTypestr();
}
