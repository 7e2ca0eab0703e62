using System.IO.Hashing;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), as used by the Zarr v3 <c>crc32c</c> codec and the sharding
/// index. System.IO.Hashing's <see cref="Crc32ParameterSet.Crc32C"/> (carry-less-multiply folding) measured ~1.5x the
/// former one-word-at-a-time <c>BitOperations.Crc32C</c> loop on 4 MiB.
/// </summary>
internal static class Crc32C
{
    /// <summary>The CRC32C of <paramref name="data"/> (initial value and final XOR 0xFFFFFFFF).</summary>
    internal static uint Compute(ReadOnlySpan<byte> data) => Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, data);
}
