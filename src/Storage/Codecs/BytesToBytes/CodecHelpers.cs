using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace ChunkCompute.Storage.Codecs;

/// <summary>Small shared helpers for the bytes → bytes codecs: native-call references, errors, JSON.</summary>
internal static class CodecHelpers
{
    private static readonly byte[] Dummy = new byte[1];

    /// <summary>A reference to the first byte of <paramref name="span"/>, or to a dummy byte when it is empty.</summary>
    internal static ref byte Ref(ReadOnlySpan<byte> span) =>
        ref span.IsEmpty ? ref Dummy[0] : ref MemoryMarshal.GetReference(span);

    /// <summary>A reference to the first byte of <paramref name="span"/>, or to a dummy byte when it is empty.</summary>
    internal static ref byte Ref(Span<byte> span) =>
        ref span.IsEmpty ? ref Dummy[0] : ref MemoryMarshal.GetReference(span);

    /// <summary>The error for a decoded length that differs from the expected one.</summary>
    internal static CodecException SizeMismatch(string codec, long expected, long actual) =>
        new(codec, $"decoded size mismatch: expected {expected} bytes, got {actual}");

    /// <summary>The error for a decode that would produce more than <paramref name="bound"/> bytes.</summary>
    internal static CodecException TooLarge(string codec, long bound) =>
        new(codec, $"decoded data exceeds the bound of {bound} bytes that the array's chunk size allows (a corrupt chunk or a decompression bomb)");

    /// <summary>The error for a header that declares more than <paramref name="bound"/> decoded bytes.</summary>
    internal static CodecException TooLarge(string codec, long declared, long bound) =>
        new(codec, $"the header declares {declared} decoded bytes, more than the bound of {bound} bytes that the array's chunk size allows (a corrupt chunk or a decompression bomb)");

    /// <summary>Checks a caller's decode bound.</summary>
    internal static void CheckBound(int maxDecodedLength) => ArgumentOutOfRangeException.ThrowIfNegative(maxDecodedLength);

    /// <summary>The error for a buffer that ends too early.</summary>
    internal static CodecException Truncated(string codec, string detail) => new(codec, $"truncated input: {detail}");

    /// <summary>A <c>{"name": …, "configuration": …}</c> object.</summary>
    internal static JsonObject V3(string name, JsonObject configuration) =>
        new() { ["name"] = name, ["configuration"] = configuration };

    /// <summary>
    /// The integers of a metadata list such as a chunk shape or a permutation; anything else in it (null, a string, a
    /// fraction, a number outside Int32) is a <see cref="FormatException"/> naming <paramref name="field"/>.
    /// </summary>
    internal static int[] ReadInts(JsonArray list, string field) =>
        list.Select(x => x is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number && v.TryGetValue(out int n)
            ? n
            : throw new FormatException($"'{field}' holds {x?.ToJsonString() ?? "null"}, not a 32-bit integer")).ToArray();

    /// <summary>Reads a little-endian u32.</summary>
    internal static uint U32(ReadOnlySpan<byte> span, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(span.Slice(offset, 4));
}
