using System.Buffers;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// An encoded frame in an array that may come from <see cref="ArrayPool{T}.Shared"/>: the first <see cref="Length"/>
/// bytes. Dispose returns a pooled array; <see cref="ToArray"/> gives an exact-size copy (or the array itself when it is
/// not pooled and already exact).
/// </summary>
internal sealed class PooledFrame : IMemoryOwner<byte>
{
    private readonly bool _pooled;
    private byte[]? _array;

    internal PooledFrame(byte[] array, int length, bool pooled)
    {
        _array = array;
        Length = length;
        _pooled = pooled;
    }

    /// <summary>The frame's size in bytes.</summary>
    public int Length { get; }

    /// <inheritdoc/>
    public Memory<byte> Memory => Array.AsMemory(0, Length);

    /// <summary>The frame's bytes.</summary>
    public ReadOnlySpan<byte> Span => Array.AsSpan(0, Length);

    private byte[] Array => _array ?? throw new ObjectDisposedException(nameof(PooledFrame));

    /// <summary>The frame as an exact-size array it does not share.</summary>
    public byte[] ToArray()
    {
        var array = Array;
        if (!_pooled && array.Length == Length)
        {
            _array = null; // handed over: disposing no longer touches it
            return array;
        }

        return array.AsSpan(0, Length).ToArray();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        var array = Interlocked.Exchange(ref _array, null);
        if (array is not null && _pooled)
        {
            Stores.StorageBuffers.Return(array);
        }
    }
}
