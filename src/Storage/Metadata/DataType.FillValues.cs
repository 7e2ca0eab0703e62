using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChunkCompute.Storage;

public sealed partial class DataType
{
    /// <summary>
    /// Parses a JSON <c>fill_value</c> into one little-endian element. JSON null gives zero bytes (the value is
    /// undefined in Zarr v2; zero is what NumPy's allocation gives).
    /// </summary>
    /// <exception cref="FormatException">The value does not fit this data type.</exception>
    /// <remarks>
    /// String types follow zarr-python 2: <c>|S</c> fill values are base64 of the bytes, <c>U</c> fill values a
    /// string; a variable-length string's fill value (a string; null reads as <c>""</c>, a number as its text, as
    /// NumPy's <c>str</c> conversion gives) is returned as its UTF-8 bytes, of any length.
    /// </remarks>
    public byte[] ParseFillValue(JsonNode? value)
    {
        if (IsString)
        {
            return ParseStringFill(value);
        }

        var bytes = new byte[Size];
        if (value is null)
        {
            return bytes;
        }

        if (IsComplex)
        {
            return ParseComplexFill(value, bytes);
        }

        if (IsTemporal && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() == "NaT")
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes, long.MinValue);
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
                    JsonValueKind.Number => ToElement(value).GetDouble() != 0 ? (byte)1 : (byte)0,
                    _ => throw new FormatException($"fill_value {value.ToJsonString()} is not a boolean"),
                };
                return bytes;
            case DataTypeKind.Float16 or DataTypeKind.Float32 or DataTypeKind.Float64:
                if (value.GetValueKind() != JsonValueKind.Number)
                {
                    throw new FormatException($"fill_value {value.ToJsonString()} is not a number");
                }

                WriteDouble(bytes, ToElement(value).GetDouble());
                return bytes;
            default:
                return ParseIntegerFill(value, bytes);
        }
    }

    private byte[] ParseStringFill(JsonNode? value)
    {
        string text = value switch
        {
            null => string.Empty,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            JsonValue v when v.GetValueKind() == JsonValueKind.Number => ToElement(v).GetRawText(),
            _ => throw new FormatException($"fill_value {value.ToJsonString()} is not a string"),
        };
        if (Kind == DataTypeKind.String)
        {
            return System.Text.Encoding.UTF8.GetBytes(text);
        }

        var bytes = new byte[Size];
        if (Kind == DataTypeKind.FixedBytes)
        {
            if (value is JsonValue n && n.GetValueKind() == JsonValueKind.Number)
            {
                // NumPy converts a number to its text: 0 gives b"0".
                return TryEncodeFixedString(text, bytes, out string? e) ? bytes : throw new FormatException($"fill_value {text}: {e}");
            }

            byte[] raw;
            try
            {
                raw = Convert.FromBase64String(text);
            }
            catch (FormatException)
            {
                throw new FormatException($"fill_value '{text}' for {ToNumpyTypestr()} is not base64 (zarr-python writes |S fill values as base64)");
            }

            if (raw.Length > Size)
            {
                throw new FormatException($"fill_value '{text}' holds {raw.Length} bytes, more than {ToNumpyTypestr()} holds");
            }

            raw.CopyTo(bytes, 0);
            return bytes;
        }

        return TryEncodeFixedString(text, bytes, out string? error) ? bytes : throw new FormatException($"fill_value '{text}': {error}");
    }

    // A complex fill value: [re, im], each part as a float fill value ("NaN", "Infinity", hex, a number); a plain
    // number is accepted as a real value.
    private byte[] ParseComplexFill(JsonNode value, byte[] bytes)
    {
        var part = Kind == DataTypeKind.Complex64 ? Float32 : Float64;
        if (value is JsonArray pair)
        {
            if (pair.Count != 2)
            {
                throw new FormatException($"fill_value {value.ToJsonString()} for {Name} must be [real, imaginary]");
            }

            part.ParseFillValue(pair[0]?.DeepClone() ?? throw new FormatException("fill_value has a null real part")).CopyTo(bytes, 0);
            part.ParseFillValue(pair[1]?.DeepClone() ?? throw new FormatException("fill_value has a null imaginary part")).CopyTo(bytes, part.Size);
            return bytes;
        }

        part.ParseFillValue(value.DeepClone()).CopyTo(bytes, 0);
        return bytes;
    }

    // A JsonValue parsed from text wraps a JsonElement; one built in code wraps a CLR value: normalize both.
    private static JsonElement ToElement(JsonNode value) =>
        value is JsonValue v && v.TryGetValue(out JsonElement e) ? e : JsonElement.Parse(value.ToJsonString());

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

        var e = ToElement(value);
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
    /// <remarks>
    /// String types: base64 of the bytes for <c>|S</c>, the string for <c>U</c>, and for variable-length strings
    /// the string whose UTF-8 bytes <paramref name="element"/> holds.
    /// </remarks>
    public JsonNode FormatFillValue(ReadOnlySpan<byte> element)
    {
        if (Kind == DataTypeKind.String)
        {
            return JsonValue.Create(System.Text.Encoding.UTF8.GetString(element));
        }

        if (element.Length != Size)
        {
            throw new ArgumentException($"a {Name} element has {Size} bytes, got {element.Length}", nameof(element));
        }

        switch (Kind)
        {
            case DataTypeKind.FixedBytes:
                // As zarr-python: base64 of the NumPy bytes scalar, whose trailing NULs NumPy strips.
                int end = element.Length;
                while (end > 0 && element[end - 1] == 0)
                {
                    end--;
                }

                return JsonValue.Create(Convert.ToBase64String(element[..end]));
            case DataTypeKind.FixedUnicode:
                return JsonValue.Create(DecodeFixedString(element));
            case DataTypeKind.Complex64 or DataTypeKind.Complex128:
                var part = Kind == DataTypeKind.Complex64 ? Float32 : Float64;
                return new JsonArray(part.FormatFillValue(element[..part.Size]), part.FormatFillValue(element[part.Size..]));
            case DataTypeKind.DateTime64 or DataTypeKind.TimeDelta64:
                return JsonValue.Create(BinaryPrimitives.ReadInt64LittleEndian(element));
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
}
