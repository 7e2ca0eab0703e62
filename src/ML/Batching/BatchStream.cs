using System.Runtime.CompilerServices;

namespace ChunkCompute.ML;

/// <summary>
/// A re-enumerable stream of mini-batches: each enumeration is one epoch. Enumerate it with <c>await foreach</c>
/// (cancellation through <c>WithCancellation</c>) or synchronously through <see cref="ToEnumerable"/>.
/// </summary>
/// <remarks>
/// <para>Memory: batching holds at most <see cref="BufferBoundBytes"/> = (Prefetch + 1) row blocks (a block is one
/// chunk along axis 0, across all other dimensions and all zipped arrays) + the shuffle buffer
/// (ShuffleBufferRows × (row bytes + 8)) + 2 batches (batch size × (row bytes + 8)); the rest of
/// <see cref="BatchOptions.MemoryBudget"/> is split among the Prefetch + 1 concurrent block reads: a stored array's
/// decode scratch (a decoded and a compressed chunk per concurrent decode, checked when the stream is built) and, for
/// computed arrays, the engine's budget for the row slice. The bound assumes the consumer disposes each batch before
/// taking the one after next; every batch kept undisposed adds its size. Returned buffers stay in the shared
/// <c>ArrayPool</c> for reuse.</para>
/// <para>Shuffle: with a seed, the block order is a seeded permutation and rows pass through a shuffle buffer of
/// ShuffleBufferRows rows (tf.data's algorithm: fill the buffer, then emit a random slot and refill it with the next
/// row; drain randomly at the end). A row can therefore move at most ShuffleBufferRows positions earlier than its
/// place in the block-permuted order.</para>
/// </remarks>
/// <typeparam name="TBatch"><see cref="Batch{T}"/> or <see cref="BatchPair{T1, T2}"/>.</typeparam>
public sealed class BatchStream<TBatch> : IAsyncEnumerable<TBatch>
    where TBatch : IDisposable
{
    private readonly RowBatcher _batcher;
    private readonly Func<IDisposable[], TBatch> _create;

    internal BatchStream(RowBatcher batcher, Func<IDisposable[], TBatch> create)
    {
        _batcher = batcher;
        _create = create;
    }

    /// <summary>Rows streamed per epoch (all rows, or those of <see cref="BatchOptions.Rows"/>).</summary>
    public long RowCount => _batcher.RowCount;

    /// <summary>Batches per epoch (the last one may be short unless <see cref="BatchOptions.DropLast"/>).</summary>
    public long BatchCount => _batcher.BatchCount;

    /// <summary>Bytes per row over all zipped arrays.</summary>
    public long RowBytes => _batcher.RowBytes;

    /// <summary>The bound on the bytes batching holds in blocks, shuffle buffer and batches (see remarks).</summary>
    public long BufferBoundBytes => _batcher.BufferBoundBytes;

    /// <summary>The largest number of bytes batching has held at once (blocks, shuffle buffer, undisposed batches), over all epochs so far.</summary>
    public long PeakBufferBytes => _batcher.Memory.Peak;

    /// <summary>Bytes batching holds now (0 once an epoch has ended and its batches are disposed).</summary>
    public long CurrentBufferBytes => _batcher.Memory.Current;

    /// <summary>The engine's largest accounted peak while reading one block.</summary>
    public long PeakReadBytes => _batcher.Memory.EnginePeak;

    /// <summary>Row blocks read so far, over all epochs.</summary>
    public int BlocksRead => _batcher.BlocksRead;

    /// <summary>Starts an epoch.</summary>
    public IAsyncEnumerator<TBatch> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        Run(cancellationToken).GetAsyncEnumerator(cancellationToken);

    /// <summary>The same stream, synchronously (each <c>MoveNext</c> waits for the next batch).</summary>
    public IEnumerable<TBatch> ToEnumerable(CancellationToken cancellationToken = default) => this.ToBlockingEnumerable(cancellationToken);

    private async IAsyncEnumerable<TBatch> Run([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var parts in _batcher.RunAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return _create(parts);
        }
    }
}
