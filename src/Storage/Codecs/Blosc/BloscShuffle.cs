namespace ChunkCompute.Storage.Codecs;

/// <summary>The shuffle filter Blosc applies to each block before compressing it.</summary>
public enum BloscShuffle
{
    /// <summary>No shuffle (numcodecs 0, Zarr v3 <c>noshuffle</c>).</summary>
    NoShuffle = 0,

    /// <summary>Byte shuffle (numcodecs 1, Zarr v3 <c>shuffle</c>).</summary>
    Shuffle = 1,

    /// <summary>Bit shuffle (numcodecs 2, Zarr v3 <c>bitshuffle</c>).</summary>
    BitShuffle = 2,
}
