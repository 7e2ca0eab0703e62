using System.Buffers.Binary;
using System.Text.Json.Nodes;
using ChunkCompute.Storage.Codecs.Backends;
using ChunkCompute.Storage.Codecs.Native;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// The numcodecs <c>lz4</c> codec (Zarr v3 name <c>numcodecs.lz4</c>): a little-endian u32 uncompressed size followed by
/// one raw LZ4 block (not the LZ4 frame format). Uses liblz4.so.1 (Debian package liblz4-1) when it loads, else
/// K4os.Compression.LZ4 (see <see cref="CodecBackends"/>).
/// </summary>
public sealed class Lz4Codec : IBytesToBytesCodec
{
    /// <summary>Creates the codec with LZ4 <paramref name="acceleration"/> (1 = best ratio; larger is faster).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="acceleration"/> is outside 0..65537.</exception>
    public Lz4Codec(int acceleration = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(acceleration);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(acceleration, 65537);
        Acceleration = acceleration;
    }

    /// <summary>
    /// The LZ4 acceleration factor (used by liblz4; the managed K4os encoder has no acceleration and compresses as at 1 —
    /// the block format, and so every reader, is the same).
    /// </summary>
    public int Acceleration { get; }

    /// <inheritdoc/>
    public string Name => "numcodecs.lz4";

    /// <inheritdoc/>
    public JsonObject ToV3Json() => CodecHelpers.V3(Name, new JsonObject { ["acceleration"] = Acceleration });

    /// <inheritdoc/>
    public JsonObject? ToV2Json() => new() { ["id"] = "lz4", ["acceleration"] = Acceleration };

    /// <inheritdoc/>
    public byte[] Encode(ReadOnlySpan<byte> decoded)
    {
        if (decoded.Length > Lz4Native.MaxInputSize)
        {
            throw new CodecException(Name, $"input of {decoded.Length} bytes exceeds LZ4's limit of {Lz4Native.MaxInputSize}");
        }

        var bound = Lz4Block.CompressBound(decoded.Length);
        var dst = GC.AllocateUninitializedArray<byte>(4 + bound);
        BinaryPrimitives.WriteUInt32LittleEndian(dst, (uint)decoded.Length);
        var n = Lz4Block.Compress(Name, decoded, dst.AsSpan(4), Acceleration);
        if (n <= 0)
        {
            throw new CodecException(Name, "LZ4 compression failed");
        }

        return dst.AsSpan(0, 4 + n).ToArray();
    }

    /// <inheritdoc/>
    public int GetDecodedLength(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length < 4)
        {
            return -1;
        }

        var size = CodecHelpers.U32(encoded, 0);
        return size > Lz4Native.MaxInputSize ? -1 : (int)size;
    }

    /// <inheritdoc/>
    public void Decode(ReadOnlySpan<byte> encoded, Span<byte> destination)
    {
        var size = CheckedSize(encoded);
        if (size != destination.Length)
        {
            throw CodecHelpers.SizeMismatch(Name, destination.Length, size);
        }

        DecodeBody(encoded, destination);
    }

    /// <inheritdoc/>
    public byte[] Decode(ReadOnlySpan<byte> encoded) => Decode(encoded, StreamDecoding.MaxDecodedLength);

    /// <inheritdoc/>
    public byte[] Decode(ReadOnlySpan<byte> encoded, int maxDecodedLength)
    {
        CodecHelpers.CheckBound(maxDecodedLength);
        var size = CheckedSize(encoded);
        if (size > maxDecodedLength)
        {
            throw CodecHelpers.TooLarge(Name, size, maxDecodedLength);
        }

        // An LZ4 block expands at most ~255x: refuse to allocate for a header that claims more.
        if ((long)size > ((long)encoded.Length * 256) + 64)
        {
            throw new CodecException(Name, $"corrupt input: header claims {size} bytes from a {encoded.Length}-byte buffer");
        }

        var result = GC.AllocateUninitializedArray<byte>(size);
        DecodeBody(encoded, result);
        return result;
    }

    private int CheckedSize(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length < 4)
        {
            throw CodecHelpers.Truncated(Name, $"{encoded.Length} bytes is shorter than the 4-byte size header");
        }

        var size = CodecHelpers.U32(encoded, 0);
        if (size > Lz4Native.MaxInputSize)
        {
            throw new CodecException(Name, $"corrupt input: header claims {size} bytes, more than LZ4 allows");
        }

        return (int)size;
    }

    private void DecodeBody(ReadOnlySpan<byte> encoded, Span<byte> destination)
    {
        var n = Lz4Block.Decompress(Name, encoded[4..], destination);
        if (n < 0)
        {
            throw new CodecException(Name, "corrupt input: LZ4 block is malformed or truncated");
        }

        if (n != destination.Length)
        {
            throw CodecHelpers.SizeMismatch(Name, destination.Length, n);
        }
    }
}
