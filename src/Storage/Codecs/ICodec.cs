using System.Text.Json.Nodes;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// Common surface of every codec: its Zarr v3 name and how it is written into metadata. Codecs are immutable and
/// thread-safe once built (bound to their data type), so one instance serves all chunks of an array in parallel.
/// </summary>
public interface ICodec
{
    /// <summary>The Zarr v3 codec name, e.g. <c>gzip</c>, <c>blosc</c>, <c>numcodecs.lz4</c>.</summary>
    string Name { get; }

    /// <summary>The codec as a Zarr v3 metadata object: <c>{"name": …, "configuration": {…}}</c>.</summary>
    JsonObject ToV3Json();

    /// <summary>
    /// The codec as numcodecs writes it into a Zarr v2 <c>.zarray</c> (<c>{"id": …, …}</c>), or null when the codec has
    /// no Zarr v2 form (e.g. <c>crc32c</c>, <c>bytes</c>).
    /// </summary>
    JsonObject? ToV2Json();
}

/// <summary>
/// A bytes → bytes codec (compression, checksums). <see cref="Encode"/> and the Decode methods are exact inverses.
/// </summary>
public interface IBytesToBytesCodec : ICodec
{
    /// <summary>Encodes <paramref name="decoded"/> into a new buffer of exactly the encoded length.</summary>
    byte[] Encode(ReadOnlySpan<byte> decoded);

    /// <summary>
    /// The decoded length as stated by the encoded buffer's own header (Blosc, numcodecs LZ4, a zstd frame with content
    /// size, a checksum trailer), or -1 when it cannot be known without decoding (gzip, zlib, bz2).
    /// </summary>
    int GetDecodedLength(ReadOnlySpan<byte> encoded);

    /// <summary>
    /// Decodes into <paramref name="destination"/>, whose length is the exact expected decoded length.
    /// </summary>
    /// <exception cref="CodecException">The input is corrupt or truncated, or decodes to a different length.</exception>
    void Decode(ReadOnlySpan<byte> encoded, Span<byte> destination);

    /// <summary>
    /// Decodes when the decoded length is not known in advance, up to the largest .NET array (about 2 GiB). Chunk
    /// decodes use the bounded overload instead.
    /// </summary>
    /// <exception cref="CodecException">The input is corrupt or truncated.</exception>
    byte[] Decode(ReadOnlySpan<byte> encoded);

    /// <summary>
    /// Decodes when the decoded length is not known exactly but is at most <paramref name="maxDecodedLength"/>: a
    /// header that declares more fails before anything is allocated, and a stream that decodes to more fails as soon
    /// as it passes the bound, without allocating past it (decompression bombs cost at most the bound).
    /// </summary>
    /// <exception cref="CodecException">The input is corrupt or truncated, or decodes to more than the bound.</exception>
    byte[] Decode(ReadOnlySpan<byte> encoded, int maxDecodedLength);
}
