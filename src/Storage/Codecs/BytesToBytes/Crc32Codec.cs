namespace ChunkCompute.Storage.Codecs;

/// <summary>The numcodecs <c>crc32</c> checksum codec (zlib CRC-32); see <see cref="Checksum32Codec"/> for the framing.</summary>
public sealed class Crc32Codec : Checksum32Codec
{
    /// <summary>Creates the codec; <paramref name="checksumAtEnd"/> selects numcodecs' <c>location: "end"</c>.</summary>
    public Crc32Codec(bool checksumAtEnd = false)
        : base("crc32", checksumAtEnd)
    {
    }

    /// <inheritdoc/>
    protected override uint Compute(ReadOnlySpan<byte> data) => ZlibCrc32.Compute(data);
}
