using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;

namespace ChunkCompute.Storage;

/// <summary>
/// An element type with its Zarr v3 name, NumPy type string and CLR type. Instances are singletons, so reference
/// equality is type equality. Values in memory are always little-endian; byte order on disk is a codec's concern.
/// </summary>
public sealed partial class DataType
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
        new(DataTypeKind.Complex64, "complex64", 'c', 8, typeof(Complex32)),
        new(DataTypeKind.Complex128, "complex128", 'c', 16, typeof(System.Numerics.Complex)),
    ];

    /// <summary>The NumPy datetime units, coarsest first (<c>us</c> also spelled <c>μs</c> in Zarr v3).</summary>
    private static readonly string[] TimeUnits = ["Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as"];

    private static readonly ConcurrentDictionary<(DataTypeKind Kind, string Unit), DataType> TimeTypes = new();

    private static readonly ConcurrentDictionary<(DataTypeKind Kind, int Length), DataType> FixedStringTypes = new();

    private static readonly DataType VlenString = new(DataTypeKind.String, "string", 'O', 8, typeof(string));

    // UTF-32 little-endian; invalid input throws (a value we write must round-trip exactly).
    private static readonly System.Text.UTF32Encoding StrictUtf32 = new(bigEndian: false, byteOrderMark: false, throwOnInvalidCharacters: true);

    private DataType(DataTypeKind kind, string name, char numpyKind, int size, Type clrType, string? unit = null)
    {
        Kind = kind;
        Name = name;
        NumpyKind = numpyKind;
        Size = size;
        ClrType = clrType;
        Unit = unit;
    }

    // The Zarr spec's "NaN" is the canonical quiet NaN (0x7ff8000000000000, 0x7fc00000 for float32), as NumPy's
    // np.nan; .NET's double.NaN has the sign bit set.
    private static readonly double CanonicalNaN = BitConverter.Int64BitsToDouble(0x7FF8000000000000);

    /// <summary>The kind of element.</summary>
    public DataTypeKind Kind { get; }

    /// <summary>The Zarr v3 <c>data_type</c> name, e.g. <c>float64</c>.</summary>
    public string Name { get; }

    /// <summary>The NumPy kind character: <c>b</c>, <c>i</c>, <c>u</c>, <c>f</c>, <c>c</c>, <c>M</c>, <c>m</c>, <c>S</c>, <c>U</c> or <c>O</c>.</summary>
    public char NumpyKind { get; }

    /// <summary>Bytes per element.</summary>
    public int Size { get; }

    /// <summary>The CLR element type (<see cref="double"/> for float64, <see cref="Half"/> for float16, …).</summary>
    public Type ClrType { get; }

    /// <summary>True for float16, float32 and float64.</summary>
    public bool IsFloatingPoint => NumpyKind == 'f';

    /// <summary>True for complex64 and complex128.</summary>
    public bool IsComplex => NumpyKind == 'c';

    /// <summary>True for datetime64 and timedelta64.</summary>
    public bool IsTemporal => Kind is DataTypeKind.DateTime64 or DataTypeKind.TimeDelta64;

    /// <summary>True for the string types: fixed-length bytes (<c>|S n</c>), fixed-length unicode (<c>&lt;U n</c>) and variable-length UTF-8.</summary>
    public bool IsString => Kind is DataTypeKind.FixedBytes or DataTypeKind.FixedUnicode or DataTypeKind.String;

    /// <summary>
    /// True for variable-length strings: their chunks are not fixed-size element bytes, so only
    /// <see cref="ZarrArray.ReadStrings(ArraySubset, CancellationToken)"/> and
    /// <see cref="ZarrArray.WriteStrings(ArraySubset, string[], CancellationToken)"/> read and write them.
    /// </summary>
    public bool IsVariableLength => Kind == DataTypeKind.String;

    /// <summary>The length in characters (unicode) or bytes (bytes) of a fixed-length string type; 0 otherwise.</summary>
    public int Length { get; private init; }

    /// <summary>The NumPy time unit of a datetime64/timedelta64 (<c>ns</c>, <c>s</c>, <c>D</c>, …); null for other types.</summary>
    public string? Unit { get; }

    /// <summary>
    /// The size of the scalars whose bytes a big-endian layout reverses: the element size, half of it for complex
    /// numbers (each part is swapped on its own).
    /// </summary>
    public int ByteOrderUnit => IsComplex ? Size / 2 : Kind == DataTypeKind.FixedUnicode ? 4 : IsString ? 1 : Size;

    /// <summary>complex64 (<see cref="Complex32"/>).</summary>
    public static DataType Complex64 => All[12];

    /// <summary>complex128 (<see cref="System.Numerics.Complex"/>).</summary>
    public static DataType Complex128 => All[13];

    /// <summary>NumPy <c>datetime64[unit]</c> (elements <see cref="Storage.DateTime64"/>).</summary>
    /// <exception cref="UnsupportedDataTypeException"><paramref name="unit"/> is not a NumPy time unit.</exception>
    public static DataType DateTime64(string unit) => Temporal(DataTypeKind.DateTime64, unit);

    /// <summary>NumPy <c>timedelta64[unit]</c> (elements <see cref="Storage.TimeDelta64"/>).</summary>
    /// <exception cref="UnsupportedDataTypeException"><paramref name="unit"/> is not a NumPy time unit.</exception>
    public static DataType TimeDelta64(string unit) => Temporal(DataTypeKind.TimeDelta64, unit);

    private static DataType Temporal(DataTypeKind kind, string unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        string baseName = kind == DataTypeKind.DateTime64 ? "datetime64" : "timedelta64";
        if (unit == "μs")
        {
            unit = "us";
        }

        if (Array.IndexOf(TimeUnits, unit) < 0)
        {
            throw new UnsupportedDataTypeException($"{baseName}[{unit}]", $"unknown time unit '{unit}'; NumPy's units are {string.Join(", ", TimeUnits)}");
        }

        return TimeTypes.GetOrAdd((kind, unit), k => new DataType(
            k.Kind, $"{baseName}[{k.Unit}]", k.Kind == DataTypeKind.DateTime64 ? 'M' : 'm', 8,
            k.Kind == DataTypeKind.DateTime64 ? typeof(Storage.DateTime64) : typeof(Storage.TimeDelta64), k.Unit));
    }

    /// <summary>The Zarr v3 <c>data_type</c> value: the name, or for datetime64/timedelta64 the
    /// <c>numpy.datetime64</c>/<c>numpy.timedelta64</c> extension object with its unit.</summary>
    /// <remarks>
    /// Fixed-length strings use zarr-python 3's extension types: <c>{"name": "null_terminated_bytes",
    /// "configuration": {"length_bytes": n}}</c> and <c>{"name": "fixed_length_utf32", "configuration":
    /// {"length_bytes": 4n}}</c>.
    /// </remarks>
    public JsonNode ToV3Json() => Kind is DataTypeKind.FixedBytes or DataTypeKind.FixedUnicode
        ? new JsonObject
        {
            ["name"] = Kind == DataTypeKind.FixedBytes ? "null_terminated_bytes" : "fixed_length_utf32",
            ["configuration"] = new JsonObject { ["length_bytes"] = Size },
        }
        : IsTemporal
        ? new JsonObject
        {
            ["name"] = Kind == DataTypeKind.DateTime64 ? "numpy.datetime64" : "numpy.timedelta64",
            ["configuration"] = new JsonObject { ["unit"] = Unit, ["scale_factor"] = 1 },
        }
        : JsonValue.Create(Name);

    /// <summary>Parses a Zarr v3 <c>data_type</c>: a name, or an object with a name and a configuration.</summary>
    /// <exception cref="UnsupportedDataTypeException">The type is not supported (the message names it).</exception>
    /// <exception cref="FormatException">The value is malformed.</exception>
    public static DataType FromV3Json(JsonNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node is JsonValue v && v.TryGetValue(out string? plain))
        {
            return FromV3Name(plain);
        }

        if (node is not JsonObject o || o["name"] is not JsonValue nv || !nv.TryGetValue(out string? name))
        {
            throw new FormatException($"data_type {node.ToJsonString()} is neither a name nor an object with a name");
        }

        if (name is "numpy.datetime64" or "numpy.timedelta64")
        {
            var config = o["configuration"] as JsonObject ?? throw new FormatException($"data_type {name} has no configuration");
            string unit = config["unit"] is JsonValue uv && uv.TryGetValue(out string? u) ? u : throw new FormatException($"data_type {name} has no configuration.unit");
            long scale = config["scale_factor"] is null ? 1 : config["scale_factor"] is JsonValue sv && sv.TryGetValue(out long sf) ? sf : throw new FormatException($"data_type {name} configuration.scale_factor is not an integer");
            var kind = name == "numpy.datetime64" ? DataTypeKind.DateTime64 : DataTypeKind.TimeDelta64;
            if (scale != 1)
            {
                throw new UnsupportedDataTypeException($"{name}[{scale}{unit}]", "only scale_factor 1 is supported");
            }

            return Temporal(kind, unit);
        }

        if (name is "null_terminated_bytes" or "fixed_length_utf32")
        {
            var config = o["configuration"] as JsonObject ?? throw new FormatException($"data_type {name} has no configuration");
            long length = config["length_bytes"] is JsonValue lv && lv.TryGetValue(out long lb) ? lb : throw new FormatException($"data_type {name} has no integer configuration.length_bytes");
            bool unicode = name == "fixed_length_utf32";
            if (length < 1 || length > int.MaxValue || (unicode && length % 4 != 0))
            {
                throw new UnsupportedDataTypeException($"{name}[{length}]", unicode ? "length_bytes must be a positive multiple of 4" : "length_bytes must be positive");
            }

            return unicode ? FixedUnicode((int)(length / 4)) : FixedBytes((int)length);
        }

        return o["configuration"] is JsonObject c && c.Count > 0
            ? throw new UnsupportedDataTypeException(name, "configured data types other than numpy.datetime64, numpy.timedelta64, null_terminated_bytes and fixed_length_utf32 are not supported")
            : FromV3Name(name);
    }

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

    /// <summary>The data type of a given kind (datetime64/timedelta64 need a unit: see <see cref="DateTime64"/>).</summary>
    /// <exception cref="ArgumentException"><paramref name="kind"/> is datetime64 or timedelta64.</exception>
    public static DataType FromKind(DataTypeKind kind) => (int)kind < All.Length
        ? All[(int)kind]
        : kind == DataTypeKind.String ? VlenString
        : kind is DataTypeKind.FixedBytes or DataTypeKind.FixedUnicode ? throw new ArgumentException($"{kind} needs a length: use DataType.FixedBytes(n) or DataType.FixedUnicode(n)", nameof(kind))
        : throw new ArgumentException($"{kind} needs a unit: use DataType.DateTime64(unit) or DataType.TimeDelta64(unit)", nameof(kind));

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

        if (clrType == typeof(Storage.DateTime64) || clrType == typeof(Storage.TimeDelta64))
        {
            throw new UnsupportedDataTypeException(clrType.Name, "a datetime64/timedelta64 type needs a unit: use DataType.DateTime64(unit) or DataType.TimeDelta64(unit)");
        }

        throw new UnsupportedDataTypeException(clrType.Name, "supported element types are bool, sbyte, short, int, long, byte, ushort, uint, ulong, Half, float, double, Complex32, Complex, DateTime64 and TimeDelta64");
    }

    /// <summary>Parses a Zarr v3 <c>data_type</c> name.</summary>
    /// <exception cref="UnsupportedDataTypeException">The name is not a supported data type.</exception>
    public static DataType FromV3Name(string name)
    {
        if (name == "string")
        {
            return VlenString;
        }

        foreach (var t in All)
        {
            if (t.Name == name)
            {
                return t;
            }
        }

        throw new UnsupportedDataTypeException(name, "supported Zarr v3 data types are " + string.Join(", ", All.Select(t => t.Name)) + ", string, numpy.datetime64 and numpy.timedelta64");
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
        if (typestr is "|O" or "<O" or ">O" or "=O")
        {
            return VlenString;
        }

        if (typestr.Length < 3 || "<>|=".IndexOf(typestr[0], StringComparison.Ordinal) < 0)
        {
            throw new UnsupportedDataTypeException(typestr, "expected a NumPy type string with byte order, kind and size, e.g. '<f8'");
        }

        bigEndian = typestr[0] == '>';
        if (typestr[1] is 'M' or 'm')
        {
            return ParseTemporalTypestr(typestr, bigEndian);
        }

        if (!int.TryParse(typestr.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out int size))
        {
            throw new UnsupportedDataTypeException(typestr, "the size after the kind is not a number");
        }

        if (typestr[1] is 'S' or 'U')
        {
            if (size < 1 || (typestr[1] == 'U' && size > int.MaxValue / 4))
            {
                throw new UnsupportedDataTypeException(typestr, "a string type needs a positive length");
            }

            bigEndian = typestr[1] == 'U' && bigEndian;
            return typestr[1] == 'S' ? FixedBytes(size) : FixedUnicode(size);
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

        throw new UnsupportedDataTypeException(typestr, "supported NumPy types are b1, i1, i2, i4, i8, u1, u2, u4, u8, f2, f4, f8, c8, c16, M8[unit], m8[unit], S n, U n and O (vlen-utf8)");
    }

    // "<M8[ns]", ">m8[s]": size 8 and a unit in brackets (a scale factor such as [10s] is not supported).
    private static DataType ParseTemporalTypestr(string typestr, bool bigEndian)
    {
        var kind = typestr[1] == 'M' ? DataTypeKind.DateTime64 : DataTypeKind.TimeDelta64;
        if (!typestr.AsSpan(2).StartsWith("8[") || !typestr.EndsWith(']'))
        {
            throw new UnsupportedDataTypeException(typestr, "a datetime64/timedelta64 type string needs a unit, e.g. '<M8[ns]'");
        }

        string unit = typestr[4..^1];
        if (unit.Length > 0 && char.IsAsciiDigit(unit[0]))
        {
            throw new UnsupportedDataTypeException(typestr, "datetime64/timedelta64 units with a scale factor are not supported");
        }

        _ = bigEndian;
        return Temporal(kind, unit);
    }

    /// <summary>The NumPy type string, e.g. <c>&lt;f8</c>, <c>&gt;i4</c>, <c>|u1</c>, <c>&lt;c16</c> or <c>&lt;M8[ns]</c>.</summary>
    public string ToNumpyTypestr(bool bigEndian = false) =>
        Kind == DataTypeKind.String ? "|O"
        : Kind == DataTypeKind.FixedBytes ? "|S" + Length.ToString(CultureInfo.InvariantCulture)
        : Kind == DataTypeKind.FixedUnicode ? (bigEndian ? ">U" : "<U") + Length.ToString(CultureInfo.InvariantCulture)
        : (Size == 1 ? "|" : bigEndian ? ">" : "<") + NumpyKind + Size.ToString(CultureInfo.InvariantCulture) + (Unit is null ? string.Empty : $"[{Unit}]");

    /// <inheritdoc/>
    public override string ToString() => Name;
}
