using System.Buffers;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// Capability of a bytes → bytes codec whose encoded values can be decoded part by part (Blosc: block by block), so a
/// chunk streams through a consumer in cache-sized pieces. <see cref="CodecPipeline"/> uses it when the codec is the only
/// bytes → bytes codec over a chunk's own little-endian C-order bytes.
/// </summary>
public interface IPieceDecodingCodec : IBytesToBytesCodec
{
    /// <summary>
    /// Opens <paramref name="source"/> (taking ownership) for decoding in pieces of whole
    /// <paramref name="elementSize"/>-byte elements, when it encodes exactly <paramref name="decodedLength"/> bytes and its
    /// layout allows; otherwise disposes it and returns null, and the caller decodes the value whole (which reports any
    /// error). Only the header may be read here; corruption found later is reported by <see cref="ChunkPieces.TryRead"/>.
    /// </summary>
    ChunkPieces? TryOpenPieces(EncodedBytes source, int decodedLength, int elementSize);
}

/// <summary>
/// Capability of an array → bytes codec (sharding) that can hand out a chunk's decoded C-order bytes in pieces.
/// </summary>
public interface IPieceDecodingArrayCodec : IArrayToBytesCodec
{
    /// <summary>True when chunks of <paramref name="shape"/> can be decoded in C-order pieces.</summary>
    bool DecodesInPieces(int[] shape);

    /// <summary>
    /// Opens <paramref name="source"/> (taking ownership) for decoding a chunk of <paramref name="shape"/> in pieces;
    /// null (having disposed it) when it cannot, and the caller decodes whole.
    /// </summary>
    ChunkPieces? TryOpenPieces(EncodedBytes source, int[] shape, int elementSize);
}

/// <summary>
/// Capability of a bytes → bytes codec that can encode into pooled memory (the encoder's own staging buffer), so that
/// writing a chunk allocates no frame-sized array.
/// </summary>
public interface IPooledEncodingCodec : IBytesToBytesCodec
{
    /// <summary>Encodes like <see cref="IBytesToBytesCodec.Encode"/> (the same bytes) into pooled memory; dispose it after use.</summary>
    IMemoryOwner<byte> EncodePooled(ReadOnlySpan<byte> decoded);
}
