using System.Text.Json.Nodes;
using ChunkCompute.Storage.Codecs.Backends;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// The <c>zstd</c> codec (Zarr v2 id <c>zstd</c>): one zstd frame, always with the content size in its header, optionally
/// with zstd's frame checksum. Uses libzstd.so.1 (Debian package libzstd1) when it loads, else ZstdSharp (see
/// <see cref="CodecBackends"/>).
/// </summary>
public sealed class ZstdCodec : IBytesToBytesCodec
{
    /// <summary>zstd's smallest (fastest, negative) level.</summary>
    public const int MinLevel = -131072;

    /// <summary>zstd's largest level.</summary>
    public const int MaxLevel = 22;

    /// <summary>Creates the codec. Level 0 means zstd's default (3).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="level"/> is outside <see cref="MinLevel"/>..<see cref="MaxLevel"/>.</exception>
    public ZstdCodec(int level = 0, bool checksum = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, MinLevel);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, MaxLevel);
        Level = level;
        Checksum = checksum;
    }

    /// <summary>The compression level (0 = zstd's default).</summary>
    public int Level { get; }

    /// <summary>Whether frames carry zstd's content checksum.</summary>
    public bool Checksum { get; }

    /// <inheritdoc/>
    public string Name => "zstd";

    /// <inheritdoc/>
    public JsonObject ToV3Json() => CodecHelpers.V3(Name, new JsonObject { ["level"] = Level, ["checksum"] = Checksum });

    /// <inheritdoc/>
    public JsonObject? ToV2Json()
    {
        var json = new JsonObject { ["id"] = "zstd", ["level"] = Level };
        if (Checksum)
        {
            json["checksum"] = true;
        }

        return json;
    }

    /// <inheritdoc/>
    public byte[] Encode(ReadOnlySpan<byte> decoded)
    {
        return ZstdBlock.Compress(Name, decoded, Level, Checksum);
    }

    /// <inheritdoc/>
    public int GetDecodedLength(ReadOnlySpan<byte> encoded)
    {
        var size = ZstdBlock.FrameContentSize(Name, encoded);
        return size is < 0 or > int.MaxValue ? -1 : (int)size;
    }

    /// <inheritdoc/>
    public void Decode(ReadOnlySpan<byte> encoded, Span<byte> destination)
    {
        ZstdBlock.DecompressExact(Name, encoded, destination);
    }

    /// <inheritdoc/>
    public byte[] Decode(ReadOnlySpan<byte> encoded) => Decode(encoded, StreamDecoding.MaxDecodedLength);

    /// <inheritdoc/>
    public byte[] Decode(ReadOnlySpan<byte> encoded, int maxDecodedLength)
    {
        CodecHelpers.CheckBound(maxDecodedLength);
        var size = ZstdBlock.FrameContentSize(Name, encoded);
        if (size >= 0)
        {
            // The frame header's content size is checked against the bound before anything is allocated.
            if (size > maxDecodedLength)
            {
                throw CodecHelpers.TooLarge(Name, size, maxDecodedLength);
            }

            // A frame header can claim any size: only trust it up to a sane expansion before allocating.
            if (size <= Math.Max(1L << 20, (long)encoded.Length * 1024))
            {
                var result = GC.AllocateUninitializedArray<byte>((int)size);
                ZstdBlock.DecompressExact(Name, encoded, result);
                return result;
            }
        }

        return ZstdBlock.DecompressStreaming(Name, encoded, maxDecodedLength);
    }
}
