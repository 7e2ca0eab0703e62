using System.Buffers.Binary;
using System.Globalization;

namespace ChunkCompute.Storage;

public sealed partial class DataType
{
    /// <summary>Variable-length UTF-8 strings (Zarr v2 <c>|O</c> with the <c>vlen-utf8</c> filter, Zarr v3 <c>string</c>).</summary>
    public static DataType String => VlenString;

    /// <summary>NumPy <c>|S<paramref name="length"/></c>: fixed-length bytes, zero padded.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is not positive.</exception>
    public static DataType FixedBytes(int length) => FixedString(DataTypeKind.FixedBytes, length);

    /// <summary>NumPy <c>&lt;U<paramref name="length"/></c>: <paramref name="length"/> UTF-32 code units, zero padded.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is not positive or too large.</exception>
    public static DataType FixedUnicode(int length) => FixedString(DataTypeKind.FixedUnicode, length);

    private static DataType FixedString(DataTypeKind kind, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, kind == DataTypeKind.FixedUnicode ? int.MaxValue / 4 : int.MaxValue);
        return FixedStringTypes.GetOrAdd((kind, length), k => new DataType(
            k.Kind,
            (k.Kind == DataTypeKind.FixedBytes ? "S" : "U") + k.Length.ToString(CultureInfo.InvariantCulture),
            k.Kind == DataTypeKind.FixedBytes ? 'S' : 'U',
            k.Kind == DataTypeKind.FixedBytes ? k.Length : k.Length * 4,
            typeof(string))
        { Length = k.Length });
    }

    /// <summary>
    /// Decodes one little-endian element of a string type: <c>|S</c> bytes as Latin-1 (each byte one char, so any
    /// bytes round-trip) and <c>U</c> as UTF-32, both with trailing NULs stripped as NumPy does.
    /// </summary>
    internal string DecodeFixedString(ReadOnlySpan<byte> element)
    {
        if (Kind == DataTypeKind.FixedBytes)
        {
            int end = element.Length;
            while (end > 0 && element[end - 1] == 0)
            {
                end--;
            }

            return System.Text.Encoding.Latin1.GetString(element[..end]);
        }

        int units = element.Length / 4;
        while (units > 0 && BinaryPrimitives.ReadUInt32LittleEndian(element.Slice((units - 1) * 4, 4)) == 0)
        {
            units--;
        }

        return System.Text.Encoding.UTF32.GetString(element[..(units * 4)]);
    }

    /// <summary>
    /// Encodes <paramref name="value"/> into one zero-padded element; false when it does not fit (too long, a char
    /// above U+00FF in bytes, an unpaired surrogate in unicode), with the reason.
    /// </summary>
    internal bool TryEncodeFixedString(string value, Span<byte> element, out string? error)
    {
        element.Clear();
        error = null;
        if (Kind == DataTypeKind.FixedBytes)
        {
            if (value.Length > Length)
            {
                error = $"{value.Length} bytes do not fit {ToNumpyTypestr()}";
                return false;
            }

            for (int i = 0; i < value.Length; i++)
            {
                if (value[i] > 0xFF)
                {
                    error = $"char U+{(int)value[i]:X4} at position {i} is not a byte (|S holds Latin-1 text: chars U+0000 to U+00FF)";
                    return false;
                }

                element[i] = (byte)value[i];
            }

            return true;
        }

        int count;
        try
        {
            count = StrictUtf32.GetByteCount(value);
        }
        catch (ArgumentException)
        {
            error = "the string holds an unpaired surrogate";
            return false;
        }

        if (count > element.Length)
        {
            error = $"{count / 4} characters do not fit {ToNumpyTypestr()}";
            return false;
        }

        StrictUtf32.GetBytes(value, element);
        return true;
    }
}
