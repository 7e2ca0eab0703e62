using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChunkCompute.Storage;

/// <summary>
/// An element type with its Zarr v3 name, NumPy type string and CLR type. Instances are singletons, so reference
/// equality is type equality. Values in memory are always little-endian; byte order on disk is a codec's concern.
/// </summary>
public sealed class DataType
{
    private static readonly DataType[] All =
    [
        new(DataTypeKind.Bool, "bool", 'b', 1, typeof(bool)),
        new(DataTypeKind.Int8, "int8", 'i', 1, typeof(sbyte)),
        new(DataTypeKind.Int16, "int16", 'i', 2, typeof(short)),
        new(DataTypeKind.Int32, "int32", 'i', 4, typeof(int)),
        new(DataTypeKind.Int64, "int64", 'i', 8, typeof(long)),
        new(DataTypeKind.UInt8, "uint8", 'u', 1, typeof(byte)),
        new(DataTypeKind.UInt16, "uint16", 'u', 2, typeof(ushort)),
        new(DataTypeKind.UInt32, "uint32", 'u', 4, typeof(uint)),
        new(DataTypeKind.UInt64, "uint64", 'u', 8, typeof(ulong)),
        new(DataTypeKind.Float16, "float16", 'f', 2, typeof(Half)),
        new(DataTypeKind.Float32, "float32", 'f', 4, typeof(float)),
        new(DataTypeKind.Float64, "float64", 'f', 8, typeof(double)),
    ];

    private DataType(DataTypeKind kind, string name, char numpyKind, int size, Type clrType)
    {
        Kind = kind;
        Name = name;
        NumpyKind = numpyKind;
        Size = size;
        ClrType = clrType;
    }

    // The Zarr spec's "NaN" is the canonical quiet NaN (0x7ff8000000000000, 0x7fc00000 for float32), as NumPy's
    // np.nan; .NET's double.NaN has the sign bit set.
    private static readonly double CanonicalNaN = BitConverter.Int64BitsToDouble(0x7FF8000000000000);

    /// <summary>The kind of element.</summary>
    public DataTypeKind Kind { get; }

    /// <summary>The Zarr v3 <c>data_type</c> name, e.g. <c>float64</c>.</summary>
    public string Name { get; }

    /// <summary>The NumPy kind character: <c>b</c>, <c>i</c>, <c>u</c> or <c>f</c>.</summary>
    public char NumpyKind { get; }

    /// <summary>Bytes per element.</summary>
    public int Size { get; }

    /// <summary>The CLR element type (<see cref="double"/> for float64, <see cref="Half"/> for float16, …).</summary>
    public Type ClrType { get; }

    /// <summary>True for float16, float32 and float64.</summary>
    public bool IsFloatingPoint => NumpyKind == 'f';

    /// <summary>bool.</summary>
    public static DataType Bool => All[0];

    /// <summary>int8.</summary>
    public static DataType Int8 => All[1];

    /// <summary>int16.</summary>
    public static DataType Int16 => All[2];

    /// <summary>int32.</summary>
    public static DataType Int32 => All[3];

    /// <summary>int64.</summary>
    public static DataType Int64 => All[4];

    /// <summary>uint8.</summary>
    public static DataType UInt8 => All[5];

    /// <summary>uint16.</summary>
    public static DataType UInt16 => All[6];

    /// <summary>uint32.</summary>
    public static DataType UInt32 => All[7];

    /// <summary>uint64.</summary>
    public static DataType UInt64 => All[8];

    /// <summary>float16.</summary>
    public static DataType Float16 => All[9];

    /// <summary>float32.</summary>
    public static DataType Float32 => All[10];

    /// <summary>float64.</summary>
    public static DataType Float64 => All[11];

    /// <summary>Every supported data type.</summary>
    public static IReadOnlyList<DataType> Supported => All;

    /// <summary>The data type of a given kind.</summary>
    public static DataType FromKind(DataTypeKind kind) => All[(int)kind];

    /// <summary>The data type whose CLR type is <typeparamref name="T"/>.</summary>
    /// <exception cref="UnsupportedDataTypeException"><typeparamref name="T"/> is not a supported element type.</exception>
    public static DataType Of<T>()
        where T : unmanaged => Of(typeof(T));

    /// <summary>The data type whose CLR type is <paramref name="clrType"/>.</summary>
    /// <exception cref="UnsupportedDataTypeException">The type is not a supported element type.</exception>
    public static DataType Of(Type clrType)
    {
        ArgumentNullException.ThrowIfNull(clrType);
        foreach (var t in All)
        {
            if (t.ClrType == clrType)
            {
                return t;
            }
        }

        throw new UnsupportedDataTypeException(clrType.Name, "supported element types are bool, sbyte, short, int, long, byte, ushort, uint, ulong, Half, float and double");
    }

    /// <summary>Parses a Zarr v3 <c>data_type</c> name.</summary>
    /// <exception cref="UnsupportedDataTypeException">The name is not a supported data type.</exception>
    public static DataType FromV3Name(string name)
    {
        foreach (var t in All)
        {
            if (t.Name == name)
            {
                return t;
            }
        }

        throw new UnsupportedDataTypeException(name, "supported Zarr v3 data types are " + string.Join(", ", All.Select(t => t.Name)));
    }

    /// <summary>
    /// Parses a NumPy type string as Zarr v2 writes it (<c>&lt;f8</c>, <c>&gt;i4</c>, <c>|b1</c>, <c>|u1</c>).
    /// </summary>
    /// <param name="typestr">The type string.</param>
    /// <param name="bigEndian">True when the string says big-endian (<c>&gt;</c>).</param>
    /// <exception cref="UnsupportedDataTypeException">The string is malformed or names an unsupported type.</exception>
    public static DataType FromNumpyTypestr(string typestr, out bool bigEndian)
    {
        ArgumentNullException.ThrowIfNull(typestr);
        bigEndian = false;
        if (typestr.Length < 3 || "<>|=".IndexOf(typestr[0], StringComparison.Ordinal) < 0)
        {
            throw new UnsupportedDataTypeException(typestr, "expected a NumPy type string with byte order, kind and size, e.g. '<f8'");
        }

        bigEndian = typestr[0] == '>';
        if (!int.TryParse(typestr.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out int size))
        {
            throw new UnsupportedDataTypeException(typestr, "the size after the kind is not a number");
        }

        foreach (var t in All)
        {
            if (t.NumpyKind == typestr[1] && t.Size == size)
            {
                if (size == 1)
                {
                    bigEndian = false;
                }

                return t;
            }
        }

        throw new UnsupportedDataTypeException(typestr, "supported NumPy types are b1, i1, i2, i4, i8, u1, u2, u4, u8, f2, f4 and f8");
    }

    /// <summary>The NumPy type string, e.g. <c>&lt;f8</c>, <c>&gt;i4</c> or <c>|u1</c>.</summary>
    public string ToNumpyTypestr(bool bigEndian = false) =>
        (Size == 1 ? "|" : bigEndian ? ">" : "<") + NumpyKind + Size.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Parses a JSON <c>fill_value</c> into one little-endian element. JSON null gives zero bytes (the value is
    /// undefined in Zarr v2; zero is what NumPy's allocation gives).
    /// </summary>
    /// <exception cref="FormatException">The value does not fit this data type.</exception>
    public byte[] ParseFillValue(JsonNode? value)
    {
        var bytes = new byte[Size];
        if (value is null)
        {
            return bytes;
        }

        if (value.GetValueKind() == JsonValueKind.String)
        {
            string s = value.GetValue<string>();
            if (IsFloatingPoint)
            {
                if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
                {
                    ulong raw = ulong.Parse(s.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    WriteRawBits(bytes, raw);
                    return bytes;
                }

                double d = s switch
                {
                    "NaN" => CanonicalNaN,
                    "Infinity" => double.PositiveInfinity,
                    "-Infinity" => double.NegativeInfinity,
                    _ => throw new FormatException($"fill_value string '{s}' is not NaN, Infinity, -Infinity or a 0x hex value"),
                };
                WriteDouble(bytes, d);
                return bytes;
            }

            throw new FormatException($"fill_value '{s}' is a string, but {Name} needs a {(Kind == DataTypeKind.Bool ? "boolean" : "number")}");
        }

        switch (Kind)
        {
            case DataTypeKind.Bool:
                bytes[0] = value.GetValueKind() switch
                {
                    JsonValueKind.True => 1,
                    JsonValueKind.False => 0,
                    JsonValueKind.Number => AsElement(value).GetDouble() != 0 ? (byte)1 : (byte)0,
                    _ => throw new FormatException($"fill_value {value.ToJsonString()} is not a boolean"),
                };
                return bytes;
            case DataTypeKind.Float16 or DataTypeKind.Float32 or DataTypeKind.Float64:
                if (value.GetValueKind() != JsonValueKind.Number)
                {
                    throw new FormatException($"fill_value {value.ToJsonString()} is not a number");
                }

                WriteDouble(bytes, AsElement(value).GetDouble());
                return bytes;
            default:
                return ParseIntegerFill(value, bytes);
        }
    }

    // A JsonValue parsed from text wraps a JsonElement; one built from a CLR value (JsonValue.Create(-1), or the
    // implicit conversion in `FillValue = -1`) does not, and GetValue<JsonElement>() throws on it.
    private static JsonElement AsElement(JsonNode value) =>
        value is JsonValue v && v.TryGetValue(out JsonElement element) ? element : JsonSerializer.SerializeToElement(value);

    private byte[] ParseIntegerFill(JsonNode value, byte[] bytes)
    {
        if (value.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            bytes[0] = value.GetValueKind() == JsonValueKind.True ? (byte)1 : (byte)0;
            return bytes;
        }

        if (value.GetValueKind() != JsonValueKind.Number)
        {
            throw new FormatException($"fill_value {value.ToJsonString()} is not an integer");
        }

        var e = AsElement(value);
        if (NumpyKind == 'u')
        {
            ulong u;
            if (!e.TryGetUInt64(out u))
            {
                double d = e.GetDouble();
                if (d < 0 || d != Math.Floor(d) || d > ulong.MaxValue)
                {
                    throw new FormatException($"fill_value {e.GetRawText()} does not fit {Name}");
                }

                u = (ulong)d;
            }

            if (Size < 8 && u >> (Size * 8) != 0)
            {
                throw new FormatException($"fill_value {u} does not fit {Name}");
            }

            Span<byte> wideU = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(wideU, u);
            wideU[..Size].CopyTo(bytes);
            return bytes;
        }

        long v;
        if (!e.TryGetInt64(out v))
        {
            double d = e.GetDouble();
            if (d != Math.Floor(d) || d < long.MinValue || d > long.MaxValue)
            {
                throw new FormatException($"fill_value {e.GetRawText()} does not fit {Name}");
            }

            v = (long)d;
        }

        long min = Size == 8 ? long.MinValue : -(1L << ((Size * 8) - 1));
        long max = Size == 8 ? long.MaxValue : (1L << ((Size * 8) - 1)) - 1;
        if (v < min || v > max)
        {
            throw new FormatException($"fill_value {v} does not fit {Name}");
        }

        // Little-endian: the low Size bytes of the 64-bit value are the narrower integer.
        Span<byte> wide = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(wide, v);
        wide[..Size].CopyTo(bytes);
        return bytes;
    }

    private void WriteDouble(byte[] bytes, double d)
    {
        switch (Kind)
        {
            case DataTypeKind.Float16:
                BinaryPrimitives.WriteHalfLittleEndian(bytes, (Half)d);
                break;
            case DataTypeKind.Float32:
                BinaryPrimitives.WriteSingleLittleEndian(bytes, (float)d);
                break;
            default:
                BinaryPrimitives.WriteDoubleLittleEndian(bytes, d);
                break;
        }
    }

    private void WriteRawBits(byte[] bytes, ulong raw)
    {
        for (int i = 0; i < Size; i++)
        {
            bytes[i] = (byte)(raw >> (8 * i));
        }
    }

    /// <summary>
    /// The JSON form of a little-endian fill element: numbers, <c>"NaN"</c>/<c>"Infinity"</c>/<c>"-Infinity"</c> for
    /// non-finite floats, booleans for bool. The same form serves Zarr v2 and v3.
    /// </summary>
    public JsonNode FormatFillValue(ReadOnlySpan<byte> element)
    {
        if (element.Length != Size)
        {
            throw new ArgumentException($"a {Name} element has {Size} bytes, got {element.Length}", nameof(element));
        }

        switch (Kind)
        {
            case DataTypeKind.Bool:
                return JsonValue.Create(element[0] != 0);
            case DataTypeKind.Int8:
                return JsonValue.Create((sbyte)element[0]);
            case DataTypeKind.Int16:
                return JsonValue.Create(BinaryPrimitives.ReadInt16LittleEndian(element));
            case DataTypeKind.Int32:
                return JsonValue.Create(BinaryPrimitives.ReadInt32LittleEndian(element));
            case DataTypeKind.Int64:
                return JsonValue.Create(BinaryPrimitives.ReadInt64LittleEndian(element));
            case DataTypeKind.UInt8:
                return JsonValue.Create(element[0]);
            case DataTypeKind.UInt16:
                return JsonValue.Create(BinaryPrimitives.ReadUInt16LittleEndian(element));
            case DataTypeKind.UInt32:
                return JsonValue.Create(BinaryPrimitives.ReadUInt32LittleEndian(element));
            case DataTypeKind.UInt64:
                return JsonValue.Create(BinaryPrimitives.ReadUInt64LittleEndian(element));
            default:
                double d = Kind switch
                {
                    DataTypeKind.Float16 => (double)BinaryPrimitives.ReadHalfLittleEndian(element),
                    DataTypeKind.Float32 => BinaryPrimitives.ReadSingleLittleEndian(element),
                    _ => BinaryPrimitives.ReadDoubleLittleEndian(element),
                };
                if (double.IsNaN(d))
                {
                    return JsonValue.Create("NaN");
                }

                if (double.IsInfinity(d))
                {
                    return JsonValue.Create(d > 0 ? "Infinity" : "-Infinity");
                }

                return JsonValue.Create(d);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
