using System.Text.Json.Nodes;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// The numcodecs <c>fletcher32</c> checksum codec: the payload followed by its (HDF5-style) Fletcher-32 as a
/// little-endian u32.
/// </summary>
public sealed class Fletcher32Codec : IBytesToBytesCodec
{
    /// <inheritdoc/>
    public string Name => "numcodecs.fletcher32";

    /// <inheritdoc/>
    public JsonObject ToV3Json() => CodecHelpers.V3(Name, new JsonObject());

    /// <inheritdoc/>
    public JsonObject? ToV2Json() => new() { ["id"] = "fletcher32" };

    /// <inheritdoc/>
    public byte[] Encode(ReadOnlySpan<byte> decoded) => ChecksumFraming.Encode(decoded, Fletcher32Checksum.Compute(decoded), atEnd: true);

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
        ChecksumFraming.Verify(Name, encoded, atEnd: true, Fletcher32Checksum.Compute(payload));
        return payload;
    }
}
