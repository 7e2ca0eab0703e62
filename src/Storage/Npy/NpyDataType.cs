namespace ChunkCompute.Storage.Npy;

/// <summary>A parsed, supported NumPy scalar descr: kind (<c>b</c>, <c>i</c>, <c>u</c>, <c>f</c>), size and byte order.</summary>
internal readonly record struct NpyDataType(char Kind, int ElementSize, bool IsLittleEndian)
{
    /// <summary>The little-endian form, e.g. <c>&lt;f8</c>, <c>|u1</c>, <c>|b1</c>.</summary>
    public string NormalizedDescr => Format(bigEndian: false);

    /// <summary>The descr as NumPy writes it for the given byte order (<c>|</c> for one-byte types).</summary>
    public string Format(bool bigEndian)
    {
        var order = ElementSize == 1 ? '|' : bigEndian ? '>' : '<';
        return $"{order}{Kind}{ElementSize}";
    }

    /// <summary>Parses <paramref name="descr"/>; returns false with a reason when it is not a supported dtype.</summary>
    public static bool TryParse(string descr, out NpyDataType type, out string reason)
    {
        // One place knows NumPy type strings: DataType. The .npy header may also omit the byte order (native).
        type = default;
        string typestr = descr.Length > 0 && descr[0] is '<' or '>' or '|' or '=' ? descr : "=" + descr;
        try
        {
            var dataType = DataType.FromNumpyTypestr(typestr, out bool bigEndian);
            if (dataType.IsString)
            {
                // String arrays are a storage-level type (ZarrArray.ReadStrings/WriteStrings); .npy files of them are not read.
                throw new UnsupportedDataTypeException(descr, "string dtypes are not supported in .npy files");
            }

            type = new NpyDataType(dataType.NumpyKind, dataType.Size, !bigEndian);
            reason = string.Empty;
            return true;
        }
        catch (UnsupportedDataTypeException)
        {
            reason = $"unsupported dtype '{descr}' (supported: b1, i1, i2, i4, i8, u1, u2, u4, u8, f2, f4, f8)";
            return false;
        }
    }

    public static string? DescrFor<T>()
        where T : unmanaged => DataType.Supported.FirstOrDefault(d => d.ClrType == typeof(T))?.ToNumpyTypestr();
}
