using System.IO.Compression;
using System.Text.Json.Nodes;

namespace ChunkCompute.Storage.Codecs;

/// <summary>The <c>gzip</c> codec (Zarr v2 id <c>gzip</c>): RFC 1952 gzip (System.IO.Compression); decoding accepts multi-member streams.</summary>
public sealed class GzipCodec : IBytesToBytesCodec
{
    /// <summary>Creates the codec with compression level <paramref name="level"/> (0-9; -1 means zlib's default, 6).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="level"/> is outside -1..9.</exception>
    public GzipCodec(int level = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, -1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 9);
        Level = level;
    }

    /// <summary>The compression level.</summary>
    public int Level { get; }

    /// <inheritdoc/>
    public string Name => "gzip";

    /// <inheritdoc/>
    public JsonObject ToV3Json() => CodecHelpers.V3(Name, new JsonObject { ["level"] = Level });

    /// <inheritdoc/>
    public JsonObject? ToV2Json() => new() { ["id"] = "gzip", ["level"] = Level };

    /// <inheritdoc/>
    public byte[] Encode(ReadOnlySpan<byte> decoded)
    {
        var encoded = StreamDecoding.Encode(decoded, s => new GZipStream(s, StreamDecoding.Options(Level), leaveOpen: true));

        // GZipStream writes nothing at all for empty input; emit a valid empty member (what Python's gzip writes).
        return encoded.Length > 0 ? encoded : [0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0xFF, 0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];
    }

    /// <inheritdoc/>
    public int GetDecodedLength(ReadOnlySpan<byte> encoded) => -1;

    /// <inheritdoc/>
    public void Decode(ReadOnlySpan<byte> encoded, Span<byte> destination)
    {
        StreamDecoding.DecodeInto(Name, encoded, s => new GZipStream(s, CompressionMode.Decompress), destination);
        StreamDecoding.VerifyTrailer(Name, encoded, destination, gzip: true);
    }

    /// <inheritdoc/>
    public byte[] Decode(ReadOnlySpan<byte> encoded) => Decode(encoded, StreamDecoding.MaxDecodedLength);

    /// <inheritdoc/>
    public byte[] Decode(ReadOnlySpan<byte> encoded, int maxDecodedLength)
    {
        CodecHelpers.CheckBound(maxDecodedLength);

        // The trailer's ISIZE (the last member's size mod 2^32) is at most the total, and the bound is below 2^31: a
        // trailer that declares more than the bound fails before anything is decoded.
        if (encoded.Length >= 18 && CodecHelpers.U32(encoded, encoded.Length - 4) is var isize && isize > (uint)maxDecodedLength)
        {
            throw CodecHelpers.TooLarge(Name, isize, maxDecodedLength);
        }

        var decoded = StreamDecoding.DecodeAll(Name, encoded, s => new GZipStream(s, CompressionMode.Decompress), maxDecodedLength);
        StreamDecoding.VerifyTrailer(Name, encoded, decoded, gzip: true);
        return decoded;
    }
}
