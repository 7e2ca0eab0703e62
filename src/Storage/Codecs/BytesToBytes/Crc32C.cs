using System.Numerics;
using System.Runtime.InteropServices;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), as used by the Zarr v3 <c>crc32c</c> codec and the sharding
/// index. Uses <see cref="BitOperations.Crc32C(uint, ulong)"/>, which maps to the SSE4.2 / ARMv8 CRC instructions.
/// </summary>
internal static class Crc32C
{
    /// <summary>The CRC32C of <paramref name="data"/> (initial value and final XOR 0xFFFFFFFF).</summary>
    internal static uint Compute(ReadOnlySpan<byte> data) => ~Update(0xFFFFFFFFu, data);

    /// <summary>Continues a raw (non-inverted) CRC32C state over <paramref name="data"/>.</summary>
    internal static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (var w in words)
        {
            // Little-endian hosts only matter here: the CRC instructions consume the word's bytes in memory order.
            crc = BitOperations.Crc32C(crc, BitConverter.IsLittleEndian ? w : System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(w));
        }

        foreach (var b in data[(words.Length * 8)..])
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }
}
