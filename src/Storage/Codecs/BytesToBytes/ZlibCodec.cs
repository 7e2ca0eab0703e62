using System.IO.Compression;
using System.Text.Json.Nodes;

namespace ChunkCompute.Storage.Codecs;

/// <summary>The <c>numcodecs.zlib</c> codec (Zarr v2 id <c>zlib</c>): RFC 1950 zlib stream (System.IO.Compression).</summary>
public sealed class ZlibCodec : IBytesToBytesCodec
{
    /// <summary>Creates the codec with compression level <paramref name="level"/> (0-9; -1 means zlib's default, 6).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="level"/> is outside -1..9.</exception>
    public ZlibCodec(int level = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, -1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 9);
        Level = level;
    }

    /// <summary>The compression level.</summary>
    public int Level { get; }

    /// <inheritdoc/>
    public string Name => "numcodecs.zlib";

    /// <inheritdoc/>
    public JsonObject ToV3Json() => CodecHelpers.V3(Name, new JsonObject { ["level"] = Level });

    /// <inheritdoc/>
    public JsonObject? ToV2Json() => new() { ["id"] = "zlib", ["level"] = Level };

    /// <inheritdoc/>
    public byte[] Encode(ReadOnlySpan<byte> decoded)
    {
        var encoded = StreamDecoding.Encode(decoded, s => new ZLibStream(s, StreamDecoding.Options(Level), leaveOpen: true));

        // ZLibStream writes nothing at all for empty input; emit a valid empty stream (what Python's zlib writes).
        return encoded.Length > 0 ? encoded : [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01];
    }

    /// <inheritdoc/>
    public int GetDecodedLength(ReadOnlySpan<byte> encoded) => -1;

    /// <inheritdoc/>
    public void Decode(ReadOnlySpan<byte> encoded, Span<byte> destination)
    {
        StreamDecoding.DecodeInto(Name, encoded, s => new ZLibStream(s, CompressionMode.Decompress), destination);
        StreamDecoding.VerifyTrailer(Name, encoded, destination, gzip: false);
    }

    /// <inheritdoc/>
    public byte[] Decode(ReadOnlySpan<byte> encoded) => Decode(encoded, StreamDecoding.MaxDecodedLength);

    /// <inheritdoc/>
    public byte[] Decode(ReadOnlySpan<byte> encoded, int maxDecodedLength)
    {
        var decoded = StreamDecoding.DecodeAll(Name, encoded, s => new ZLibStream(s, CompressionMode.Decompress), maxDecodedLength);
        StreamDecoding.VerifyTrailer(Name, encoded, decoded, gzip: false);
        return decoded;
    }
}
