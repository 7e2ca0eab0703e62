using System.Text.Json.Nodes;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// The numcodecs <c>adler32</c> checksum codec (zlib Adler-32). numcodecs writes the checksum as a little-endian u32 <b>before</b> the payload by default
/// (<c>location: "start"</c>); newer numcodecs can put it at the end (<c>location: "end"</c>).
/// </summary>
public sealed class Adler32Codec : IBytesToBytesCodec
{
    /// <summary>Creates the codec; <paramref name="checksumAtEnd"/> selects numcodecs' <c>location: "end"</c>.</summary>
    public Adler32Codec(bool checksumAtEnd = false)
    {
        ChecksumAtEnd = checksumAtEnd;
    }

    /// <summary>True when the checksum follows the payload (<c>location: "end"</c>), false when it precedes it.</summary>
    public bool ChecksumAtEnd { get; }

    /// <inheritdoc/>
    public string Name => "numcodecs.adler32";

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
        var json = new JsonObject { ["id"] = "adler32" };
        if (ChecksumAtEnd)
        {
            json["location"] = "end";
        }

        return json;
    }

    /// <inheritdoc/>
    public byte[] Encode(ReadOnlySpan<byte> decoded) => ChecksumFraming.Encode(decoded, Adler32Checksum.Compute(decoded), ChecksumAtEnd);

    /// <inheritdoc/>
    public int GetDecodedLength(ReadOnlySpan<byte> encoded) => encoded.Length < 4 ? -1 : encoded.Length - 4;

    /// <inheritdoc/>
    public void Decode(ReadOnlySpan<byte> encoded, Span<byte> destination) =>
        ChecksumFraming.CopyPayload(Name, Verified(encoded), destination);

    /// <inheritdoc/>
    public byte[] Decode(ReadOnlySpan<byte> encoded) => Verified(encoded).ToArray();

    private ReadOnlySpan<byte> Verified(ReadOnlySpan<byte> encoded)
    {
        var payload = ChecksumFraming.Payload(Name, encoded, ChecksumAtEnd);
        ChecksumFraming.Verify(Name, encoded, ChecksumAtEnd, Adler32Checksum.Compute(payload));
        return payload;
    }
}
