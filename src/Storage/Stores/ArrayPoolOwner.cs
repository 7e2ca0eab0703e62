using System.Buffers;

namespace ChunkCompute.Storage.Stores;

/// <summary>An exact-length window over an array rented from <see cref="ArrayPool{T}.Shared"/>.</summary>
internal sealed class ArrayPoolOwner : IMemoryOwner<byte>
{
    private byte[]? _array;
    private readonly int _length;

    public ArrayPoolOwner(int length)
    {
        _array = Stores.StorageBuffers.Rent(length);
        _length = length;
    }

    public Memory<byte> Memory => (_array ?? throw new ObjectDisposedException(nameof(ArrayPoolOwner))).AsMemory(0, _length);

    public void Dispose()
    {
        var a = Interlocked.Exchange(ref _array, null);
        if (a is not null)
        {
            Stores.StorageBuffers.Return(a);
        }
    }
}
