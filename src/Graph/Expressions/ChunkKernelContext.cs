namespace ChunkCompute.Graph;

/// <summary>What a node's kernel gets for one output chunk: its index, the input chunks it asked for, its output.</summary>
public sealed class ChunkKernelContext
{
    /// <summary>Creates a context.</summary>
    public ChunkKernelContext(long[] chunkIndex, IReadOnlyList<ChunkDependency> dependencies, IReadOnlyList<ChunkBuffer> inputs, ChunkBuffer output, ChunkBuffer? scratch, CancellationToken cancellationToken)
    {
        ChunkIndex = chunkIndex;
        Dependencies = dependencies;
        Inputs = inputs;
        Output = output;
        Scratch = scratch;
        CancellationToken = cancellationToken;
    }

    /// <summary>Creates a context whose single input arrives as a stream (a producer fused into the task).</summary>
    public ChunkKernelContext(long[] chunkIndex, IReadOnlyList<ChunkDependency> dependencies, ChunkStream inputStream, ChunkBuffer output, ChunkBuffer? scratch, CancellationToken cancellationToken)
        : this(chunkIndex, dependencies, [], output, scratch, cancellationToken)
    {
        InputStream = inputStream;
    }

    /// <summary>
    /// The single input as a stream of pieces when lowering fused its producer into this task (only for nodes whose
    /// <see cref="ArrayNode.ConsumesStream"/> is true); <see cref="Inputs"/> is empty then. Null otherwise.
    /// </summary>
    public ChunkStream? InputStream { get; }

    /// <summary>What the node's <see cref="ArrayNode.FetchAsync"/> fetched ahead for this task, or null.</summary>
    public IDisposable? Fetched { get; init; }

    /// <summary>The output chunk's index in the node's grid.</summary>
    public long[] ChunkIndex { get; }

    /// <summary>The dependencies, in the order the node listed them.</summary>
    public IReadOnlyList<ChunkDependency> Dependencies { get; }

    /// <summary>The input chunks, one per dependency, in the same order.</summary>
    public IReadOnlyList<ChunkBuffer> Inputs { get; }

    /// <summary>The output chunk to fill (allocated with the node's <see cref="ArrayNode.OutputBytes"/>).</summary>
    public ChunkBuffer Output { get; }

    /// <summary>Scratch memory of <see cref="ArrayNode.ScratchBytes"/> bytes, or null when none was asked for.</summary>
    public ChunkBuffer? Scratch { get; }

    /// <summary>Cancelled when the computation is.</summary>
    public CancellationToken CancellationToken { get; }
}
