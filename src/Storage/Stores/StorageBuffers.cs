using System.Buffers;

namespace ChunkCompute.Storage.Stores;

/// <summary>
/// The storage layer's pool for chunk-sized temporary buffers (file reads, decode and write buffers, encoder staging).
/// Buffers of 16 MiB and more come from a pool that keeps at most a few arrays per size, shared by all threads;
/// <see cref="ArrayPool{T}.Shared"/> also caches one array per size in every thread that returned one, which for
/// 16–64 MiB chunks kept hundreds of MiB resident outside the engine's memory budget (rechunk_2d: 579 MiB of managed
/// heap against a 1 GiB budget). Smaller buffers use <see cref="ArrayPool{T}.Shared"/>, whose per-thread arrays are
/// the fastest to reuse (measured: ~5% of a warm 8 MiB-chunk reduction) and bounded enough at that size.
/// </summary>
internal static class StorageBuffers
{
    /// <summary>Buffers at least this long come from the bounded pool (a power of two: both pools size arrays in powers of two).</summary>
    internal const int LargeThreshold = 16 << 20;

    private static readonly ArrayPool<byte> Large = ArrayPool<byte>.Create(1 << 30, Math.Max(4, 2 * Environment.ProcessorCount));

    /// <summary>An array of at least <paramref name="length"/> bytes; give it back with <see cref="Return"/>.</summary>
    public static byte[] Rent(int length) => length >= LargeThreshold ? Large.Rent(length) : ArrayPool<byte>.Shared.Rent(length);

    /// <summary>Returns an array from <see cref="Rent"/>.</summary>
    public static void Return(byte[] array)
    {
        ArgumentNullException.ThrowIfNull(array);
        (array.Length >= LargeThreshold ? Large : ArrayPool<byte>.Shared).Return(array);
    }
}
