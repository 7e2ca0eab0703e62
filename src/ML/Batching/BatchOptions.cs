using ChunkCompute.Scheduler;

namespace ChunkCompute.ML;

/// <summary>How <see cref="Batching.Batches{T}"/> streams mini-batches.</summary>
public sealed class BatchOptions
{
    /// <summary>
    /// The shuffle seed, or null (the default) to stream rows in order. With a seed, the order of row blocks (one block
    /// per chunk along axis 0) is a seeded permutation, and rows pass through a shuffle buffer of
    /// <see cref="ShuffleBufferRows"/> rows (tf.data's <c>shuffle</c>): the same seed and epoch give the same order.
    /// </summary>
    public int? Shuffle { get; init; }

    /// <summary>Mixed into the shuffle seed, so one seed gives a different order per epoch. Default 0.</summary>
    public int Epoch { get; init; }

    /// <summary>
    /// Row blocks read ahead in the background while the consumer works on the current one (at most this many reads
    /// run at once). 0 reads a block only when the previous one is used up. Default 2.
    /// </summary>
    public int Prefetch { get; init; } = 2;

    /// <summary>Drops the last batch of an epoch when it has fewer than the batch size rows. Default false.</summary>
    public bool DropLast { get; init; }

    /// <summary>
    /// Rows held by the shuffle buffer when <see cref="Shuffle"/> is set; null (the default) means twice the largest
    /// row block, 0 shuffles only the block order. Ignored without a seed.
    /// </summary>
    public int? ShuffleBufferRows { get; init; }

    /// <summary>
    /// The limit, in bytes, on everything batching holds at once: prefetched row blocks, the shuffle buffer, two
    /// batches, and the engine's chunk buffers while it reads blocks. Default 1 GiB.
    /// </summary>
    public long MemoryBudget { get; init; } = ComputeOptions.DefaultMemoryBudget;

    /// <summary>
    /// One budget shared with computations (<see cref="ComputeOptions.SharedMemory"/>): when set, its
    /// <see cref="MemoryAccountant.Budget"/> replaces <see cref="MemoryBudget"/>, each epoch leases the buffers'
    /// bound (and stored reads' decode scratch) from it for as long as it runs, and block reads through the engine
    /// reserve their projected peak from it, so prefetch, shuffle buffer, batches and any concurrent computation on
    /// the same accountant never hold more than that budget together. Null (the default): batching has
    /// <see cref="MemoryBudget"/> to itself.
    /// </summary>
    public MemoryAccountant? SharedMemory { get; init; }

    /// <summary>Tasks the engine runs at once while reading a block. Default: the number of cores.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Only these rows are streamed (e.g. one side of <see cref="Batching.TrainTestSplit(long, double, int)"/>); null streams all rows.</summary>
    public RowSelection? Rows { get; init; }
}
