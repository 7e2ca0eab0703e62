namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// One chunk's decoded bytes handed out as consecutive pieces in C order, without decoding the whole chunk into memory
/// first, so a consumer (a reduction, a fused elementwise chain) reads every value while it is in cache. Each piece holds
/// whole elements and is valid until the next <see cref="TryRead"/>; together the pieces cover the chunk once, in
/// increasing offsets. Obtained from a codec that can decode in pieces (<see cref="IPieceDecodingCodec"/>,
/// <see cref="IPieceDecodingArrayCodec"/>) through <see cref="CodecPipeline.TryOpenPieces"/>, or for a stored chunk
/// from <see cref="ZarrArray.OpenChunkPieces(ReadOnlySpan{long})"/>.
/// </summary>
public abstract class ChunkPieces : IDisposable
{
    /// <summary>Bytes of one piece that decoders aim for: half of a typical 32 KiB L1 data cache.</summary>
    public const int PieceBytes = 16 * 1024;

    /// <summary>The next piece and its byte offset in the decoded chunk; false after the last.</summary>
    /// <exception cref="CodecException">The encoded bytes are corrupt or truncated.</exception>
    public abstract bool TryRead(out ReadOnlySpan<byte> bytes, out long offset);

    /// <summary>
    /// The next piece for a reader that needs the bytes from <paramref name="from"/> on (at or after the end of the
    /// previous piece), preferably at most <paramref name="maxBytes"/> of them: a decoder that can skips the bytes
    /// before <paramref name="from"/> (Blosc: whole blocks undecoded, unneeded elements of a block not unshuffled) and
    /// stops the piece early. Pieces still come in increasing offsets, hold whole elements, and may start before
    /// <paramref name="from"/> or hold more than asked (this default hands out the next piece as <see cref="TryRead"/>
    /// does); false after the last.
    /// </summary>
    /// <exception cref="CodecException">The encoded bytes are corrupt or truncated.</exception>
    public virtual bool TryReadFrom(long from, int maxBytes, out ReadOnlySpan<byte> bytes, out long offset) => TryRead(out bytes, out offset);

    /// <summary>Releases the encoded bytes and the decoder's buffers.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases resources; <paramref name="disposing"/> is false from a finalizer.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}
