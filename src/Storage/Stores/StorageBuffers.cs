using System.Buffers;
using System.Runtime.InteropServices;

namespace ChunkCompute.Storage.Stores;

/// <summary>
/// The storage layer's pool for chunk-sized temporary buffers (file reads, decode and write buffers, encoder staging).
/// <para>Inside a <see cref="StorageBufferScope"/> (a scheduler task: the scheduler counts these buffers in the task's
/// reserved bytes), buffers of <see cref="ScopedThreshold"/> and more come from the scope's allocator (the
/// computation's native chunk pool, whose freed blocks stay resident only while they fit the memory budget), in size
/// classes of 1/8 of a power of two, so compressed reads of slightly different sizes reuse each other's blocks and a
/// 64 MiB chunk's encoder staging takes 64 MiB + a few KiB, not a 128 MiB power-of-two array. On Linux such a
/// block freed for good is unmapped at once: the process's resident memory follows the budget instead of the GC's
/// schedule (convert of a 2-D float32 grid in 64 MiB chunks with a 256 MiB budget: ~585 MB peak RSS with pooled
/// arrays, of which 130–280 MB managed heap outside the budget).</para>
/// <para>Outside a scope, buffers of 32 MiB and more come from a pool that keeps at most a few arrays per size, shared
/// by all threads: <see cref="ArrayPool{T}.Shared"/> also caches an array per size in every thread that returned one,
/// which for 64 MiB chunks kept hundreds of MiB resident outside the engine's memory budget (rechunk_2d: 579 MiB of
/// managed heap and 1.17 GiB peak RSS against a 1 GiB budget; 992 MiB with this pool). Smaller buffers stay on
/// <see cref="ArrayPool{T}.Shared"/>: for 8–16 MiB chunks its per-thread reuse was measured both faster and leaner
/// than the bounded pool (float32 axis mean 0.51–0.57 s and 85 MiB vs 0.71–1.05 s and 168–182 MiB).</para>
/// </summary>
internal static class StorageBuffers
{
    /// <summary>Buffers at least this long come from the bounded pool (a power of two: both pools size arrays in powers of two).</summary>
    internal const int LargeThreshold = 32 << 20;

    /// <summary>Inside a <see cref="StorageBufferScope"/>, buffers at least this long come from the scope's allocator.</summary>
    internal const int ScopedThreshold = 1 << 20;

    private static readonly ArrayPool<byte> Large = ArrayPool<byte>.Create(1 << 30, Math.Max(4, 2 * Environment.ProcessorCount));

    private static readonly AsyncLocal<IStorageBufferAllocator?> Scoped = new();

    /// <summary>The allocator of the current <see cref="StorageBufferScope"/>, or null.</summary>
    internal static IStorageBufferAllocator? Allocator
    {
        get => Scoped.Value;
        set => Scoped.Value = value;
    }

    /// <summary>
    /// An array of at least <paramref name="length"/> bytes; give it back with <see cref="Return"/>. Managed memory,
    /// never the scope's: prefer <see cref="RentBuffer"/> for chunk-sized buffers.
    /// </summary>
    public static byte[] Rent(int length) => length >= LargeThreshold ? Large.Rent(length) : ArrayPool<byte>.Shared.Rent(length);

    /// <summary>Returns an array from <see cref="Rent"/> (or a buffer's array: the pool is the one it was rented from).</summary>
    public static void Return(byte[] array)
    {
        ArgumentNullException.ThrowIfNull(array);
        (array.Length >= LargeThreshold ? Large : ArrayPool<byte>.Shared).Return(array);
    }

    /// <summary>
    /// A buffer of exactly <paramref name="length"/> bytes: from the current scope's allocator when there is one and
    /// the buffer is large, otherwise a pooled array. Dispose it to give it back.
    /// </summary>
    public static StorageBuffer RentBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length >= ScopedThreshold && Scoped.Value is { } allocator)
        {
            long size = SizeClass(length);
            return new StorageBuffer(allocator, allocator.Allocate(size), size, length);
        }

        // Rented by the pool this length selects and returned to the same one (Shared hands out power-of-two arrays:
        // a 20 MiB request gets a 32 MiB array, which must go back to Shared, not to the large pool).
        var pool = length >= LargeThreshold ? Large : ArrayPool<byte>.Shared;
        return new StorageBuffer(pool, pool.Rent(length), length);
    }

    /// <summary>
    /// The block size a scoped buffer of <paramref name="length"/> bytes takes: rounded up to a multiple of 1/8 of the
    /// power of two at or below it (at most 12.5 % more, whole pages), so buffers of nearby sizes share blocks.
    /// </summary>
    internal static long SizeClass(long length)
    {
        if (length <= 4096)
        {
            return 4096;
        }

        long step = Math.Max(4096, (1L << (63 - System.Numerics.BitOperations.LeadingZeroCount((ulong)length))) / 8);
        return (length + step - 1) / step * step;
    }
}

/// <summary>
/// A buffer from <see cref="StorageBuffers.RentBuffer"/>: an exact-length window over a pooled array or over a block of
/// a scope's native allocator. Dispose it once to give the memory back.
/// </summary>
internal sealed unsafe class StorageBuffer : MemoryManager<byte>
{
    private readonly int _length;
    private readonly long _size;
    private object? _owner; // the ArrayPool<byte> or IStorageBufferAllocator; null once disposed
    private byte[]? _array;
    private nint _pointer;

    internal StorageBuffer(ArrayPool<byte> pool, byte[] array, int length)
    {
        _owner = pool;
        _array = array;
        _length = length;
    }

    internal StorageBuffer(IStorageBufferAllocator allocator, nint pointer, long size, int length)
    {
        _owner = allocator;
        _pointer = pointer;
        _size = size;
        _length = length;
    }

    /// <summary>The buffer's length in bytes.</summary>
    public int Length => _length;

    /// <summary>True when the bytes are in native memory (from a scope's allocator).</summary>
    public bool IsNative => _array is null;

    /// <summary>The buffer's bytes.</summary>
    public Span<byte> Span => GetSpan();

    /// <inheritdoc/>
    public override Span<byte> GetSpan()
    {
        ObjectDisposedException.ThrowIf(_owner is null, this);
        return _array is not null ? _array.AsSpan(0, _length) : new Span<byte>((void*)_pointer, _length);
    }

    /// <inheritdoc/>
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ObjectDisposedException.ThrowIf(_owner is null, this);
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, _length);
        if (_array is null)
        {
            return new MemoryHandle((byte*)_pointer + elementIndex);
        }

        var handle = GCHandle.Alloc(_array, GCHandleType.Pinned);
        return new MemoryHandle((byte*)handle.AddrOfPinnedObject() + elementIndex, handle);
    }

    /// <inheritdoc/>
    public override void Unpin()
    {
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        switch (Interlocked.Exchange(ref _owner, null))
        {
            case ArrayPool<byte> pool:
                pool.Return(_array!);
                _array = null;
                break;
            case IStorageBufferAllocator allocator:
                allocator.Free(_pointer, _size);
                _pointer = 0;
                break;
        }
    }
}
