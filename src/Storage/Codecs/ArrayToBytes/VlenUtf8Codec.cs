using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// The numcodecs <c>vlen-utf8</c> codec (Zarr v2 filter <c>{"id": "vlen-utf8"}</c>, Zarr v3 array → bytes codec
/// <c>{"name": "vlen-utf8"}</c>) for variable-length strings: a u32 little-endian item count, then per item a u32
/// little-endian byte length and that many UTF-8 bytes. It serializes strings, not element bytes, so the byte-level
/// <see cref="IArrayToBytesCodec"/> methods throw: use <see cref="EncodeStrings"/> and <see cref="DecodeStrings"/>.
/// </summary>
public sealed class VlenUtf8Codec : IArrayToBytesCodec
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The one instance (the codec has no configuration).</summary>
    public static VlenUtf8Codec Instance { get; } = new();

    /// <inheritdoc/>
    public string Name => "vlen-utf8";

    /// <inheritdoc/>
    public JsonObject ToV3Json() => new() { ["name"] = Name, ["configuration"] = new JsonObject() };

    /// <inheritdoc/>
    public JsonObject? ToV2Json() => new() { ["id"] = Name };

    /// <inheritdoc/>
    public long EncodedLength(int[] shape) => -1;

    /// <inheritdoc/>
    public byte[] Encode(ReadOnlySpan<byte> chunk, int[] shape) =>
        throw new NotSupportedException("vlen-utf8 encodes strings: use EncodeStrings");

    /// <inheritdoc/>
    public void Decode(ReadOnlySpan<byte> encoded, int[] shape, Span<byte> chunk) =>
        throw new NotSupportedException("vlen-utf8 decodes strings: use DecodeStrings");

    /// <summary>Serializes <paramref name="values"/> (null is written as <c>""</c>).</summary>
    /// <exception cref="ArgumentException">A value holds an unpaired surrogate (it has no UTF-8 form).</exception>
    public byte[] EncodeStrings(IReadOnlyList<string?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        long total = 4;
        var lengths = new int[values.Count];
        for (int i = 0; i < values.Count; i++)
        {
            lengths[i] = StrictUtf8.GetByteCount(values[i] ?? string.Empty);
            total += 4L + lengths[i];
        }

        if (total > Array.MaxLength)
        {
            throw new ArgumentException($"the strings take {total} bytes encoded, more than one chunk buffer holds", nameof(values));
        }

        var result = new byte[total];
        BinaryPrimitives.WriteUInt32LittleEndian(result, (uint)values.Count);
        int at = 4;
        for (int i = 0; i < values.Count; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(at), (uint)lengths[i]);
            at += 4;
            at += StrictUtf8.GetBytes(values[i] ?? string.Empty, result.AsSpan(at));
        }

        return result;
    }

    /// <summary>Deserializes exactly <paramref name="count"/> strings.</summary>
    /// <exception cref="CodecException">
    /// The item count differs from <paramref name="count"/>, a length prefix or body is truncated, bytes are left
    /// over, or a body is not UTF-8.
    /// </exception>
    public string[] DecodeStrings(ReadOnlySpan<byte> encoded, long count)
    {
        if (encoded.Length < 4)
        {
            throw new CodecException(Name, $"the item count is truncated ({encoded.Length} bytes)");
        }

        uint n = BinaryPrimitives.ReadUInt32LittleEndian(encoded);
        if (n != count)
        {
            throw new CodecException(Name, $"the chunk holds {n} items, but a chunk of this array has {count} elements");
        }

        // Each item needs at least its 4-byte length: a count the data cannot hold fails before allocating.
        if ((long)n * 4 > encoded.Length - 4)
        {
            throw new CodecException(Name, $"truncated: {n} items need at least {(long)n * 4} bytes of lengths, but only {encoded.Length - 4} bytes follow the count");
        }

        var result = new string[n];
        int at = 4;
        for (int i = 0; i < n; i++)
        {
            if (encoded.Length - at < 4)
            {
                throw new CodecException(Name, $"the length of item {i} is truncated at byte {at}");
            }

            uint length = BinaryPrimitives.ReadUInt32LittleEndian(encoded[at..]);
            at += 4;
            if (length > (uint)(encoded.Length - at))
            {
                throw new CodecException(Name, $"item {i} declares {length} bytes at byte {at}, but only {encoded.Length - at} remain");
            }

            try
            {
                result[i] = StrictUtf8.GetString(encoded.Slice(at, (int)length));
            }
            catch (DecoderFallbackException ex)
            {
                throw new CodecException(Name, $"item {i} is not UTF-8", ex);
            }

            at += (int)length;
        }

        if (at != encoded.Length)
        {
            throw new CodecException(Name, $"{encoded.Length - at} bytes follow the last item");
        }

        return result;
    }
}
