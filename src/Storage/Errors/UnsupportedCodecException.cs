namespace ChunkCompute.Storage;

/// <summary>Metadata names a codec (or a codec option) that ChunkCompute does not implement.</summary>
public sealed class UnsupportedCodecException : ChunkComputeException
{
    /// <summary>Creates the exception for codec <paramref name="codec"/>.</summary>
    public UnsupportedCodecException(string codec, string detail)
        : base($"Unsupported codec '{codec}': {detail}")
    {
        Codec = codec;
        Detail = detail;
    }

    /// <summary>What is wrong or what is supported instead.</summary>
    public string Detail { get; }

    /// <summary>The codec's name or id as written in the metadata.</summary>
    public string Codec { get; }
}
