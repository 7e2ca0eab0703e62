using System.Buffers;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// An encoded frame: the first <see cref="Length"/> bytes of a storage buffer (<see cref="Stores.StorageBuffers.RentBuffer"/>:
/// pooled, or the current scope's native memory) or of an array of its own. Dispose returns the storage buffer;
/// <see cref="ToArray"/> gives an exact-size copy (or the array itself when it is its own and already exact).
/// </summary>
internal sealed class PooledFrame : IMemoryOwner<byte>
{
    private Stores.StorageBuffer? _buffer;
    private byte[]? _array;

    /// <summary>A frame in a storage buffer, which it disposes.</summary>
    internal PooledFrame(Stores.StorageBuffer buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    /// <summary>A frame in an array of its own.</summary>
    internal PooledFrame(byte[] array, int length)
    {
        _array = array;
        Length = length;
    }

    /// <summary>The frame's size in bytes.</summary>
    public int Length { get; }

    /// <inheritdoc/>
    public Memory<byte> Memory => _buffer is not null ? _buffer.Memory[..Length] : Array.AsMemory(0, Length);

    /// <summary>The frame's bytes.</summary>
    public ReadOnlySpan<byte> Span => Memory.Span;

    private byte[] Array => _array ?? throw new ObjectDisposedException(nameof(PooledFrame));

    /// <summary>The frame as an exact-size array it does not share.</summary>
    public byte[] ToArray()
    {
        if (_buffer is null && Array.Length == Length)
        {
            var array = _array!;
            _array = null; // handed over: disposing no longer touches it
            return array;
        }

        return Span.ToArray();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _array = null;
        ((IDisposable?)Interlocked.Exchange(ref _buffer, null))?.Dispose();
    }
}
