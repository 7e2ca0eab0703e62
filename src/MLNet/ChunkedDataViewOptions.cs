using ChunkCompute.Graph;
using ChunkCompute.ML;
using ChunkCompute.Scheduler;

namespace ChunkCompute.MLNet;

/// <summary>How <see cref="DataViewExtensions.AsDataView{T}(ChunkedArray{T}, ChunkedDataViewOptions?)"/> exposes a chunked array to ML.NET.</summary>
public sealed class ChunkedDataViewOptions
{
    /// <summary>The default <see cref="MemoryBudget"/>: 256 MiB.</summary>
    public const long DefaultMemoryBudget = 256L << 20;

    /// <summary>The name of the features column (a vector of the array's columns). Default <c>"Features"</c>.</summary>
    public string FeatureColumnName { get; init; } = "Features";

    /// <summary>The name of the label column (a scalar per row), when labels are given. Default <c>"Label"</c>.</summary>
    public string LabelColumnName { get; init; } = "Label";

    /// <summary>
    /// The limit, in bytes, on what one cursor holds at once: its prefetched row blocks, shuffle buffer and batches,
    /// and the engine's chunk buffers while it reads blocks (<see cref="BatchOptions.MemoryBudget"/> of the
    /// <c>Batches</c> stream behind each cursor). Default <see cref="DefaultMemoryBudget"/>.
    /// </summary>
    public long MemoryBudget { get; init; } = DefaultMemoryBudget;

    /// <summary>
    /// One budget shared with computations and other streams (<see cref="BatchOptions.SharedMemory"/>): when set, it
    /// replaces <see cref="MemoryBudget"/> and every open cursor leases its buffers from it. Null (the default): each
    /// cursor has <see cref="MemoryBudget"/> to itself.
    /// </summary>
    public MemoryAccountant? SharedMemory { get; init; }

    /// <summary>Rows a cursor takes from its stream at a time (the batch size of the stream). Default 1024.</summary>
    public int BatchRows { get; init; } = 1024;

    /// <summary>Row blocks read ahead in the background while the trainer consumes rows (<see cref="BatchOptions.Prefetch"/>). Default 2.</summary>
    public int Prefetch { get; init; } = 2;

    /// <summary>
    /// Rows of the shuffle buffer of a shuffled cursor (<see cref="BatchOptions.ShuffleBufferRows"/>): null (the
    /// default) means twice the largest row block, 0 shuffles only the order of the row blocks.
    /// </summary>
    public int? ShuffleBufferRows { get; init; }

    /// <summary>Tasks the engine runs at once while reading a block. Default: the number of cores.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;
}
