using System.Buffers;

namespace ChunkCompute.Storage.Stores;

/// <summary>
/// The storage layer's pool for chunk-sized temporary buffers (file reads, decode and write buffers, encoder staging).
/// Buffers of 32 MiB and more come from a pool that keeps at most a few arrays per size, shared by all threads:
/// <see cref="ArrayPool{T}.Shared"/> also caches an array per size in every thread that returned one, which for 64 MiB
/// chunks kept hundreds of MiB resident outside the engine's memory budget (rechunk_2d: 579 MiB of managed heap and
/// 1.17 GiB peak RSS against a 1 GiB budget; 992 MiB with this pool). Smaller buffers stay on
/// <see cref="ArrayPool{T}.Shared"/>: for 8–16 MiB chunks its per-thread reuse was measured both faster and leaner
/// than the bounded pool (float32 axis mean 0.51–0.57 s and 85 MiB vs 0.71–1.05 s and 168–182 MiB).
/// </summary>
internal static class StorageBuffers
{
    /// <summary>Buffers at least this long come from the bounded pool (a power of two: both pools size arrays in powers of two).</summary>
    internal const int LargeThreshold = 32 << 20;

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
