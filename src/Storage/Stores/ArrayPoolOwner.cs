using System.Buffers;

namespace ChunkCompute.Storage.Stores;

/// <summary>
/// An exact-length buffer from <see cref="StorageBuffers.RentBuffer"/> (a pooled array, or the current
/// <see cref="StorageBufferScope"/>'s native memory for large values).
/// </summary>
internal sealed class ArrayPoolOwner : IMemoryOwner<byte>
{
    private StorageBuffer? _buffer;

    public ArrayPoolOwner(int length)
    {
        _buffer = StorageBuffers.RentBuffer(length);
    }

    public Memory<byte> Memory => (_buffer ?? throw new ObjectDisposedException(nameof(ArrayPoolOwner))).Memory;

    public void Dispose() => ((IDisposable?)Interlocked.Exchange(ref _buffer, null))?.Dispose();
}
