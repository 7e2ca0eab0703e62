namespace ChunkCompute.Storage;

/// <summary>
/// A codec could not encode or decode a buffer: corrupt or truncated input, a decoded size that differs from the
/// expected one, a checksum mismatch. Codecs do not know which chunk they work on; the array layer wraps this in a
/// <see cref="CorruptChunkException"/> that names the store, the array and the chunk key.
/// </summary>
public sealed class CodecException : ChunkComputeException
{
    /// <summary>Creates the exception for the codec named <paramref name="codec"/>.</summary>
    public CodecException(string codec, string message, Exception? innerException = null)
        : base($"{codec}: {message}", innerException)
    {
        Codec = codec;
    }

    /// <summary>The codec's name, e.g. <c>blosc</c> or <c>numcodecs.lz4</c>.</summary>
    public string Codec { get; }
}
