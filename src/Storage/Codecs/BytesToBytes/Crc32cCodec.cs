using System.Text.Json.Nodes;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// The Zarr v3 <c>crc32c</c> codec: the payload followed by its CRC32C (Castagnoli) as a little-endian u32. It has no
/// configuration and no Zarr v2 form.
/// </summary>
public sealed class Crc32cCodec : IBytesToBytesCodec
{
    /// <inheritdoc/>
    public string Name => "crc32c";

    /// <inheritdoc/>
    public JsonObject ToV3Json() => new() { ["name"] = Name };

    /// <inheritdoc/>
    public JsonObject? ToV2Json() => null;

    /// <inheritdoc/>
    public byte[] Encode(ReadOnlySpan<byte> decoded) => ChecksumFraming.Encode(decoded, Crc32C.Compute(decoded), atEnd: true);

    /// <inheritdoc/>
    public int GetDecodedLength(ReadOnlySpan<byte> encoded) => encoded.Length < 4 ? -1 : encoded.Length - 4;

    /// <inheritdoc/>
    public void Decode(ReadOnlySpan<byte> encoded, Span<byte> destination) =>
        ChecksumFraming.CopyPayload(Name, Verified(encoded), destination);

    /// <inheritdoc/>
    public byte[] Decode(ReadOnlySpan<byte> encoded) => Decode(encoded, StreamDecoding.MaxDecodedLength);

    /// <inheritdoc/>
    public byte[] Decode(ReadOnlySpan<byte> encoded, int maxDecodedLength) =>
        ChecksumFraming.PayloadWithin(Name, Verified(encoded), maxDecodedLength);

    private ReadOnlySpan<byte> Verified(ReadOnlySpan<byte> encoded)
    {
        var payload = ChecksumFraming.Payload(Name, encoded, atEnd: true);
        ChecksumFraming.Verify(Name, encoded, atEnd: true, Crc32C.Compute(payload));
        return payload;
    }
}
