using System.Runtime.InteropServices;

namespace ChunkCompute.Graph;

/// <summary>
/// One chunk's data in native memory, 64-byte aligned: little-endian elements in C order. Buffers are handed out by
/// the scheduler's memory accountant, which counts every byte against the budget and frees them when the last
/// consumer is done.
/// </summary>
public sealed unsafe class ChunkBuffer : IDisposable
{
    private void* _pointer;
    private readonly Action<long>? _onFree;
    private readonly IChunkAllocator? _allocator;
    private readonly Action? _release;

    /// <summary>Allocates <paramref name="byteLength"/> bytes; <paramref name="onFree"/> is told when they are freed.</summary>
    public ChunkBuffer(long byteLength, int[] shape, Action<long>? onFree = null)
        : this(byteLength, shape, null, onFree)
    {
    }

    /// <summary>Takes <paramref name="byteLength"/> bytes from <paramref name="allocator"/> (native memory when null).</summary>
    public ChunkBuffer(long byteLength, int[] shape, IChunkAllocator? allocator, Action<long>? onFree)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(byteLength);
        if (byteLength > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(byteLength), $"a chunk of {byteLength} bytes exceeds the 2 GiB chunk limit");
        }

        ByteLength = byteLength;
        Shape = shape ?? throw new ArgumentNullException(nameof(shape));
        _allocator = allocator;
        _pointer = allocator is not null ? (void*)allocator.Allocate(Math.Max(1, byteLength)) : NativeMemory.AlignedAlloc((nuint)Math.Max(1, byteLength), 64);
        _onFree = onFree;
    }

    /// <summary>
    /// Lends memory the buffer does not own (e.g. a pinned region of an in-memory source array): nothing is counted
    /// or freed; <paramref name="release"/> runs once on <see cref="Dispose"/> (e.g. to unpin).
    /// </summary>
    public ChunkBuffer(void* pointer, long byteLength, int[] shape, Action release)
    {
        ArgumentNullException.ThrowIfNull(release);
        ArgumentOutOfRangeException.ThrowIfNegative(byteLength);
        _pointer = pointer;
        ByteLength = byteLength;
        Shape = shape ?? throw new ArgumentNullException(nameof(shape));
        _release = release;
    }

    /// <summary>True when the memory is lent by its owner rather than allocated for this buffer.</summary>
    public bool IsBorrowed => _release is not null;

    /// <summary>Bytes held.</summary>
    public long ByteLength { get; }

    /// <summary>The chunk's shape in elements (its exact extent, not padded).</summary>
    public int[] Shape { get; }

    /// <summary>Number of elements in <see cref="Shape"/>.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The bytes.</summary>
    public Span<byte> Bytes => new(Pointer, (int)ByteLength);

    /// <summary>The start of the memory.</summary>
    public void* Pointer => _pointer != null ? _pointer : throw new ObjectDisposedException(nameof(ChunkBuffer));

    /// <summary>The memory as elements of <typeparamref name="T"/>.</summary>
    public Span<T> As<T>()
        where T : unmanaged => new(Pointer, (int)(ByteLength / sizeof(T)));

    /// <summary>Frees the memory (idempotent).</summary>
    public void Dispose()
    {
        if (_pointer != null && _release is not null)
        {
            _pointer = null;
            _release();
            return;
        }

        if (_pointer != null)
        {
            if (_allocator is not null)
            {
                _allocator.Free((nint)_pointer, Math.Max(1, ByteLength));
            }
            else
            {
                NativeMemory.AlignedFree(_pointer);
            }

            _pointer = null;
            _onFree?.Invoke(ByteLength);
        }
    }
}
