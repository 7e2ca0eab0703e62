using System.Text.Json.Nodes;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// numcodecs' 32-bit checksum codecs (<c>Checksum32</c>: adler32, crc32): the checksum is a little-endian u32
/// <b>before</b> the payload by default (<c>location: "start"</c>), or after it with <c>location: "end"</c>.
/// Subclasses supply the id and the checksum function.
/// </summary>
public abstract class Checksum32Codec : IBytesToBytesCodec
{
    /// <summary>Creates the codec; <paramref name="checksumAtEnd"/> selects numcodecs' <c>location: "end"</c>.</summary>
    protected Checksum32Codec(string numcodecsId, bool checksumAtEnd)
    {
        NumcodecsId = numcodecsId;
        ChecksumAtEnd = checksumAtEnd;
    }

    /// <summary>The Zarr v2 id, e.g. <c>adler32</c>.</summary>
    public string NumcodecsId { get; }

    /// <summary>True when the checksum follows the payload (<c>location: "end"</c>), false when it precedes it.</summary>
    public bool ChecksumAtEnd { get; }

    /// <inheritdoc/>
    public string Name => "numcodecs." + NumcodecsId;

    /// <summary>The checksum of <paramref name="data"/>.</summary>
    protected abstract uint Compute(ReadOnlySpan<byte> data);

    /// <inheritdoc/>
    public JsonObject ToV3Json()
    {
        var configuration = new JsonObject();
        if (ChecksumAtEnd)
        {
            configuration["location"] = "end";
        }

        return CodecHelpers.V3(Name, configuration);
    }

    /// <inheritdoc/>
    public JsonObject? ToV2Json()
    {
        var json = new JsonObject { ["id"] = NumcodecsId };
        if (ChecksumAtEnd)
        {
            json["location"] = "end";
        }

        return json;
    }

    /// <inheritdoc/>
    public byte[] Encode(ReadOnlySpan<byte> decoded) => ChecksumFraming.Encode(decoded, Compute(decoded), ChecksumAtEnd);

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
        var payload = ChecksumFraming.Payload(Name, encoded, ChecksumAtEnd);
        ChecksumFraming.Verify(Name, encoded, ChecksumAtEnd, Compute(payload));
        return payload;
    }
}
