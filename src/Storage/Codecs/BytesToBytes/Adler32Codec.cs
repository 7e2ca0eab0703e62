namespace ChunkCompute.Storage.Codecs;

/// <summary>The numcodecs <c>adler32</c> checksum codec (zlib Adler-32); see <see cref="Checksum32Codec"/> for the framing.</summary>
public sealed class Adler32Codec : Checksum32Codec
{
    /// <summary>Creates the codec; <paramref name="checksumAtEnd"/> selects numcodecs' <c>location: "end"</c>.</summary>
    public Adler32Codec(bool checksumAtEnd = false)
        : base("adler32", checksumAtEnd)
    {
    }

    /// <inheritdoc/>
    protected override uint Compute(ReadOnlySpan<byte> data) => Adler32Checksum.Compute(data);
}
