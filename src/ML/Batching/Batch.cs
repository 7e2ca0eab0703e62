using System.Buffers;

namespace ChunkCompute.ML;

/// <summary>
/// One mini-batch of rows of one array: the rows' elements in C order (row-major), its shape (rows first) and the
/// global row index of each row. The data lives in a pooled buffer that <see cref="Dispose"/> returns; do not use the
/// batch after disposing it.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public sealed class Batch<T> : IDisposable
    where T : unmanaged
{
    private T[]? _data;
    private readonly long[] _rowIndices;
    private readonly long[] _shape;
    private readonly int _length;
    private Action? _release;

    internal Batch(T[] data, int rows, long[] rowIndices, long[] shape, long number, Action release)
    {
        _data = data;
        _rowIndices = rowIndices;
        _shape = shape;
        _length = checked((int)shape.Aggregate(1L, (a, b) => a * b));
        Rows = rows;
        Number = number;
        _release = release;
    }

    /// <summary>Rows in the batch (the batch size, or fewer for the last batch of an epoch).</summary>
    public int Rows { get; }

    /// <summary>The batch's position in its epoch, from 0.</summary>
    public long Number { get; }

    /// <summary>The shape: <c>[Rows, …the array's other dimensions]</c>.</summary>
    public IReadOnlyList<long> Shape => _shape;

    /// <summary>The global row index (along axis 0 of the array) of each row of the batch, in batch order.</summary>
    public ReadOnlySpan<long> RowIndices => _rowIndices.AsSpan(0, Rows);

    /// <summary>The elements, <c>Rows × (elements per row)</c>, row-major.</summary>
    /// <exception cref="ObjectDisposedException">The batch was disposed.</exception>
    public Memory<T> Memory => (_data ?? throw new ObjectDisposedException(nameof(Batch<T>))).AsMemory(0, _length);

    /// <summary>The elements as a span (see <see cref="Memory"/>).</summary>
    /// <exception cref="ObjectDisposedException">The batch was disposed.</exception>
    public Span<T> Span => Memory.Span;

    /// <summary>A copy of the elements.</summary>
    /// <exception cref="ObjectDisposedException">The batch was disposed.</exception>
    public T[] ToArray() => Span.ToArray();

    /// <summary>Returns the buffer to the pool and releases the memory it was counted for (idempotent).</summary>
    public void Dispose()
    {
        var data = Interlocked.Exchange(ref _data, null);
        if (data is not null)
        {
            ArrayPool<T>.Shared.Return(data);
            Interlocked.Exchange(ref _release, null)?.Invoke();
        }
    }
}

/// <summary>Aligned batches of two arrays batched in lockstep (e.g. features and labels): row i of both is the same global row.</summary>
/// <typeparam name="T1">The first array's element type.</typeparam>
/// <typeparam name="T2">The second array's element type.</typeparam>
public sealed class BatchPair<T1, T2> : IDisposable
    where T1 : unmanaged
    where T2 : unmanaged
{
    internal BatchPair(Batch<T1> first, Batch<T2> second)
    {
        First = first;
        Second = second;
    }

    /// <summary>The first array's rows.</summary>
    public Batch<T1> First { get; }

    /// <summary>The second array's rows (the same global rows, in the same order).</summary>
    public Batch<T2> Second { get; }

    /// <summary>Rows in the batch.</summary>
    public int Rows => First.Rows;

    /// <summary>The batch's position in its epoch, from 0.</summary>
    public long Number => First.Number;

    /// <summary>The global row indices (shared by both arrays).</summary>
    public ReadOnlySpan<long> RowIndices => First.RowIndices;

    /// <summary>Disposes both batches.</summary>
    public void Dispose()
    {
        First.Dispose();
        Second.Dispose();
    }
}
