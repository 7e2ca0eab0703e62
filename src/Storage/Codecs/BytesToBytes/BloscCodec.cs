using System.Buffers;
using System.Text.Json.Nodes;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// The <c>blosc</c> codec (Zarr v2 and v3): Blosc1 frames, read and written in managed code over liblz4, libzstd and
/// zlib (libblosc is not needed). Decoding follows the frame's own flags, so one instance reads any Blosc1 chunk
/// (blosclz, lz4, lz4hc, zlib, zstd; any shuffle); snappy chunks and Blosc2 chunks are rejected. Writing supports lz4,
/// lz4hc, zlib and zstd.
/// </summary>
public sealed class BloscCodec : IPieceDecodingCodec, IPooledEncodingCodec
{
    /// <summary>Creates the codec.</summary>
    /// <param name="compressor">The compressor used when encoding.</param>
    /// <param name="level">Compression level 0-9 (0 stores the data uncompressed).</param>
    /// <param name="shuffle">The shuffle filter used when encoding.</param>
    /// <param name="typeSize">The element size in bytes (from the array's data type), at least 1.</param>
    /// <param name="blockSize">A forced block size in bytes, or 0 to choose it like c-blosc.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range.</exception>
    public BloscCodec(BloscCompressor compressor, int level, BloscShuffle shuffle, int typeSize, int blockSize = 0)
    {
        if (!Enum.IsDefined(compressor))
        {
            throw new ArgumentOutOfRangeException(nameof(compressor));
        }

        if (!Enum.IsDefined(shuffle))
        {
            throw new ArgumentOutOfRangeException(nameof(shuffle));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 9);
        ArgumentOutOfRangeException.ThrowIfLessThan(typeSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(blockSize);
        Compressor = compressor;
        Level = level;
        Shuffle = shuffle;
        TypeSize = typeSize;
        BlockSize = blockSize;
    }

    /// <summary>The compressor used when encoding.</summary>
    public BloscCompressor Compressor { get; }

    /// <summary>The compression level (0-9).</summary>
    public int Level { get; }

    /// <summary>The shuffle filter used when encoding.</summary>
    public BloscShuffle Shuffle { get; }

    /// <summary>The element size in bytes.</summary>
    public int TypeSize { get; }

    /// <summary>The forced block size, or 0 for automatic.</summary>
    public int BlockSize { get; }

    /// <inheritdoc/>
    public ChunkPieces? TryOpenPieces(EncodedBytes source, int decodedLength, int elementSize) =>
        BloscPieces.TryOpen(source ?? throw new ArgumentNullException(nameof(source)), decodedLength, elementSize);

    /// <inheritdoc/>
    public string Name => "blosc";

    /// <summary>zarr-python's default: lz4, level 5, byte shuffle.</summary>
    public static BloscCodec Lz4Shuffle(int elementSize, int level = 5) =>
        new(BloscCompressor.Lz4, level, BloscShuffle.Shuffle, elementSize);

    /// <summary>zstd with byte shuffle.</summary>
    public static BloscCodec ZstdShuffle(int elementSize, int level = 5) =>
        new(BloscCompressor.Zstd, level, BloscShuffle.Shuffle, elementSize);

    /// <summary>lz4 with bit shuffle.</summary>
    public static BloscCodec Lz4BitShuffle(int elementSize, int level = 5) =>
        new(BloscCompressor.Lz4, level, BloscShuffle.BitShuffle, elementSize);

    /// <summary>numcodecs' AUTOSHUFFLE (-1): bit shuffle for 1-byte elements, byte shuffle otherwise.</summary>
    public static BloscShuffle AutoShuffle(int elementSize) => elementSize == 1 ? BloscShuffle.BitShuffle : BloscShuffle.Shuffle;

    /// <summary>The metadata name (<c>cname</c>) of <paramref name="compressor"/>.</summary>
    public static string CompressorName(BloscCompressor compressor) => compressor switch
    {
        BloscCompressor.BloscLz => "blosclz",
        BloscCompressor.Lz4 => "lz4",
        BloscCompressor.Lz4Hc => "lz4hc",
        BloscCompressor.Zlib => "zlib",
        BloscCompressor.Zstd => "zstd",
        _ => throw new ArgumentOutOfRangeException(nameof(compressor)),
    };

    /// <summary>Parses a <c>cname</c>.</summary>
    /// <exception cref="UnsupportedCodecException">snappy or an unknown name.</exception>
    public static BloscCompressor ParseCompressor(string cname) => cname switch
    {
        "blosclz" => BloscCompressor.BloscLz,
        "lz4" => BloscCompressor.Lz4,
        "lz4hc" => BloscCompressor.Lz4Hc,
        "zlib" => BloscCompressor.Zlib,
        "zstd" => BloscCompressor.Zstd,
        "snappy" => throw new UnsupportedCodecException("blosc", "cname 'snappy' is not supported; use lz4, lz4hc, zstd, zlib or blosclz"),
        _ => throw new UnsupportedCodecException("blosc", $"unknown cname '{cname}'"),
    };

    /// <inheritdoc/>
    public JsonObject ToV3Json() => CodecHelpers.V3(Name, new JsonObject
    {
        ["cname"] = CompressorName(Compressor),
        ["clevel"] = Level,
        ["shuffle"] = Shuffle switch
        {
            BloscShuffle.Shuffle => "shuffle",
            BloscShuffle.BitShuffle => "bitshuffle",
            _ => "noshuffle",
        },
        ["typesize"] = TypeSize,
        ["blocksize"] = BlockSize,
    });

    /// <inheritdoc/>
    public JsonObject? ToV2Json() => new()
    {
        ["id"] = "blosc",
        ["cname"] = CompressorName(Compressor),
        ["clevel"] = Level,
        ["shuffle"] = (int)Shuffle,
        ["blocksize"] = BlockSize,
    };

    /// <inheritdoc/>
    /// <exception cref="UnsupportedCodecException">The compressor is blosclz (decode only).</exception>
    public byte[] Encode(ReadOnlySpan<byte> decoded)
    {
        if (Compressor == BloscCompressor.BloscLz)
        {
            throw new UnsupportedCodecException("blosc", "writing cname 'blosclz' is not supported; use lz4, lz4hc, zstd or zlib");
        }

        return BloscEncoder.Encode(decoded, Compressor, Level, Shuffle, TypeSize, BlockSize);
    }

    /// <summary>Encodes into pooled memory (the same bytes as <see cref="Encode"/>); dispose the result.</summary>
    /// <exception cref="UnsupportedCodecException">The compressor is blosclz (decode only).</exception>
    public IMemoryOwner<byte> EncodePooled(ReadOnlySpan<byte> decoded)
    {
        if (Compressor == BloscCompressor.BloscLz)
        {
            throw new UnsupportedCodecException("blosc", "writing cname 'blosclz' is not supported; use lz4, lz4hc, zstd or zlib");
        }

        return BloscEncoder.EncodePooled(decoded, Compressor, Level, Shuffle, TypeSize, BlockSize);
    }

    /// <inheritdoc/>
    public int GetDecodedLength(ReadOnlySpan<byte> encoded) => BloscDecoder.GetDecodedLength(encoded);

    /// <inheritdoc/>
    public void Decode(ReadOnlySpan<byte> encoded, Span<byte> destination) => BloscDecoder.Decode(encoded, destination);

    /// <inheritdoc/>
    public byte[] Decode(ReadOnlySpan<byte> encoded) => Decode(encoded, StreamDecoding.MaxDecodedLength);

    /// <inheritdoc/>
    public byte[] Decode(ReadOnlySpan<byte> encoded, int maxDecodedLength)
    {
        CodecHelpers.CheckBound(maxDecodedLength);

        // The header (validated against the frame's own size) declares nbytes: check it before allocating.
        var nbytes = BloscDecoder.ReadDecodedLength(encoded);
        if (nbytes > maxDecodedLength)
        {
            throw CodecHelpers.TooLarge(Name, nbytes, maxDecodedLength);
        }

        var result = GC.AllocateUninitializedArray<byte>(nbytes);
        BloscDecoder.Decode(encoded, result);
        return result;
    }
}
