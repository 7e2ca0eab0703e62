namespace ChunkCompute.Graph;

/// <summary>One unit of work: output chunk <see cref="ChunkIndex"/> of <see cref="Node"/>, keyed like Dask's (name, i, j).</summary>
public sealed class ChunkTask
{
    internal ChunkTask(ArrayNode node, long[] chunkIndex, long linear)
    {
        Node = node;
        ChunkIndex = chunkIndex;
        Linear = linear;
        OutputBytes = node.OutputBytes(chunkIndex);
        HeldBytes = node.HeldBytes(chunkIndex);
        ScratchBytes = node.ScratchBytes(chunkIndex) + HeldBytes;
    }

    /// <summary>The node.</summary>
    public ArrayNode Node { get; }

    /// <summary>The chunk index in the node's grid.</summary>
    public long[] ChunkIndex { get; }

    /// <summary>The chunk's C-order number in the node's grid.</summary>
    public long Linear { get; }

    /// <summary>The input chunk references, in kernel order.</summary>
    public ChunkDependency[] DependencyRefs { get; internal set; } = [];

    /// <summary>The tasks producing those inputs (same order; a task may appear twice).</summary>
    public ChunkTask[] Dependencies { get; internal set; } = [];

    /// <summary>How many times other tasks list this one as a dependency.</summary>
    public int ConsumerCount { get; internal set; }

    /// <summary>Bytes of this task's output buffer.</summary>
    public long OutputBytes { get; }

    /// <summary>
    /// Scratch bytes while it runs, as counted against the budget: the node's scratch, the memory of the streams fused
    /// into it, and <see cref="HeldBytes"/>.
    /// </summary>
    public long ScratchBytes { get; private set; }

    /// <summary>The part of <see cref="ScratchBytes"/> the kernels hold in memory of their own (<see cref="ArrayNode.HeldBytes"/>): reserved, not allocated.</summary>
    public long HeldBytes { get; private set; }

    /// <summary>
    /// The producers fused into this task as a stream, nearest first (the last one reads no input), or empty. Their
    /// tasks are not in the graph: this task opens their streams and reads its single input from them.
    /// </summary>
    public IReadOnlyList<ChunkTask> Streamed { get; private set; } = [];

    internal void FuseStream(ChunkTask[] chain)
    {
        Streamed = chain;
        Dependencies = [];
        foreach (var p in chain)
        {
            long held = p.Node.HeldBytes(p.ChunkIndex);
            ScratchBytes += p.Node.StreamBytes(p.ChunkIndex) + held;
            HeldBytes += held;
        }
    }

    /// <summary>1 + the longest dependency chain below this task (0 for sources).</summary>
    public int Level { get; internal set; }

    /// <summary>
    /// Where in the "sweep" over the inputs this task can first run: sources get their chunk's relative position
    /// (0..1) in their own grid, others the maximum of their dependencies. Ordering by it interleaves independent
    /// outputs over shared inputs chunk by chunk, so shared inputs are freed early.
    /// </summary>
    public double Position { get; internal set; }

    /// <summary>True when this task's output is a requested result.</summary>
    public bool IsOutput { get; internal set; }

    /// <summary>Index of the requested output this task belongs to (-1 when not an output).</summary>
    public int OutputNumber { get; internal set; } = -1;

    // Lowering state: 0 created, 1 expanding (dependencies being walked), 2 finished.
    internal int State { get; set; }

    /// <inheritdoc/>
    public override string ToString() => $"{Node.Label}#{Node.Id}[{string.Join(", ", ChunkIndex)}]";
}
