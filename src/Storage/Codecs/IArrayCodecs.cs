namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// An array → array codec (<c>transpose</c>, numcodecs <c>delta</c>): rearranges or transforms a chunk's elements and
/// may change its shape. Buffers are little-endian elements in C order.
/// </summary>
public interface IArrayToArrayCodec : ICodec
{
    /// <summary>The shape of the encoded chunk for a decoded chunk of <paramref name="decodedShape"/>.</summary>
    int[] EncodedShape(int[] decodedShape);

    /// <summary>Encodes a chunk of <paramref name="decodedShape"/> into <paramref name="encoded"/> (same byte length).</summary>
    void Encode(ReadOnlySpan<byte> decoded, int[] decodedShape, Span<byte> encoded);

    /// <summary>Decodes into a chunk of <paramref name="decodedShape"/> (same byte length).</summary>
    void Decode(ReadOnlySpan<byte> encoded, int[] decodedShape, Span<byte> decoded);
}

/// <summary>
/// The one array → bytes codec of a pipeline (<c>bytes</c>, <c>sharding_indexed</c>): serializes a chunk of
/// little-endian C-order elements.
/// </summary>
public interface IArrayToBytesCodec : ICodec
{
    /// <summary>The encoded length for a chunk of <paramref name="shape"/>, or -1 when it varies (sharding).</summary>
    long EncodedLength(int[] shape);

    /// <summary>Serializes a chunk.</summary>
    byte[] Encode(ReadOnlySpan<byte> chunk, int[] shape);

    /// <summary>Deserializes into <paramref name="chunk"/>, whose length is the chunk's byte size.</summary>
    /// <exception cref="CodecException">The bytes do not hold a chunk of that shape.</exception>
    void Decode(ReadOnlySpan<byte> encoded, int[] shape, Span<byte> chunk);
}
