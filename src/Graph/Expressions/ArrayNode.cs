namespace ChunkCompute.Graph;

/// <summary>
/// A node of the immutable array expression graph: parameters only (ImageSharp's processor/executor split). Lowering
/// asks it, per output chunk, which input chunks it needs and how many bytes it will hold, and the scheduler runs its
/// kernel. Nothing runs when a node is built.
/// </summary>
/// <remarks>
/// Contract for implementers: <see cref="Dependencies"/> and <see cref="Execute"/> must be pure functions of the chunk
/// index and input data; <see cref="Execute"/> must write every byte of the output it is responsible for; it may run
/// on any thread, concurrently with other chunks of the same node.
/// </remarks>
public abstract class ArrayNode
{
    private static long _nextId;

    /// <summary>Creates a node producing <paramref name="dataType"/> elements on <paramref name="grid"/>.</summary>
    protected ArrayNode(ChunkCompute.Storage.DataType dataType, ChunkGrid grid, IReadOnlyList<ArrayNode> inputs)
    {
        DataType = dataType ?? throw new ArgumentNullException(nameof(dataType));
        Grid = grid ?? throw new ArgumentNullException(nameof(grid));
        Inputs = inputs ?? throw new ArgumentNullException(nameof(inputs));
        Id = Interlocked.Increment(ref _nextId);
    }

    /// <summary>A process-wide unique id (task keys are (Id, chunk index), like Dask's (name, i, j)).</summary>
    public long Id { get; }

    /// <summary>The element type of the output.</summary>
    public ChunkCompute.Storage.DataType DataType { get; }

    /// <summary>The output's chunk grid (and so its shape).</summary>
    public ChunkGrid Grid { get; }

    /// <summary>The nodes this one reads.</summary>
    public IReadOnlyList<ArrayNode> Inputs { get; }

    /// <summary>A short name of the operation for plans, graphs and errors, e.g. <c>add</c>, <c>sum-partial</c>.</summary>
    public abstract string Label { get; }

    /// <summary>Lists the input chunks needed for output chunk <paramref name="chunkIndex"/>, in kernel order.</summary>
    public abstract void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies);

    /// <summary>Computes one output chunk.</summary>
    public abstract void Execute(ChunkKernelContext context);

    /// <summary>
    /// Bytes of the output chunk at <paramref name="chunkIndex"/>. Default: its elements × the element size; nodes
    /// whose output is an intermediate state (e.g. a reduction's partial sums and counts) override it.
    /// </summary>
    public virtual long OutputBytes(ReadOnlySpan<long> chunkIndex) => Grid.ChunkElements(chunkIndex) * DataType.Size;

    /// <summary>Scratch bytes the kernel needs besides inputs and output (counted against the budget). Default 0.</summary>
    public virtual long ScratchBytes(ReadOnlySpan<long> chunkIndex) => 0;

    /// <summary>
    /// Bytes the kernel holds while it runs in memory it gets itself rather than from the scheduler (the storage
    /// layer's read, decode and encode buffers; a managed library's matrices): counted against the budget like scratch,
    /// but not allocated, so the chunk pool keeps that much less. Default 0.
    /// </summary>
    public virtual long HeldBytes(ReadOnlySpan<long> chunkIndex) => 0;

    /// <summary>
    /// A view of output chunk <paramref name="chunkIndex"/> that already exists in memory (an in-memory source's
    /// contiguous chunk), or null to have <see cref="Execute"/> compute it into a new buffer. A node that lends a chunk
    /// should report 0 <see cref="OutputBytes"/> for it: lent memory is not the computation's.
    /// </summary>
    public virtual ChunkBuffer? BorrowOutput(ReadOnlySpan<long> chunkIndex) => null;

    /// <summary>
    /// True when output chunk <paramref name="chunkIndex"/> can be produced as a <see cref="ChunkStream"/> by
    /// <see cref="OpenStream"/>, from nothing (a source) or from the stream of the node's single input at the same
    /// chunk index. Lowering then fuses the task into its only consumer when that consumer
    /// <see cref="ConsumesStream"/>. Default false.
    /// </summary>
    public virtual bool CanStream(ReadOnlySpan<long> chunkIndex) => false;

    /// <summary>Bytes the stream of chunk <paramref name="chunkIndex"/> may hold (counted against the budget). Default: what the task would hold (output and scratch).</summary>
    public virtual long StreamBytes(ReadOnlySpan<long> chunkIndex) => OutputBytes(chunkIndex) + ScratchBytes(chunkIndex);

    /// <summary>Opens the stream of a chunk (only called when <see cref="CanStream"/> is true for it).</summary>
    public virtual ChunkStream OpenStream(ChunkStreamContext context) =>
        throw new NotSupportedException($"{Label} does not stream its chunks");

    /// <summary>
    /// True when <see cref="Execute"/> accepts its single input as <see cref="ChunkKernelContext.InputStream"/>
    /// instead of a buffer for output chunk <paramref name="chunkIndex"/>. Default false.
    /// </summary>
    public virtual bool ConsumesStream(ReadOnlySpan<long> chunkIndex) => false;

    /// <summary>
    /// True when this node's tasks wait on requests over a network (reading or writing a store with
    /// <see cref="ChunkCompute.Storage.Stores.StoreCapabilities.RemoteRequests"/>): the executor then keeps more tasks in
    /// flight than there are cores (<c>ComputeOptions.MaxRequestsInFlight</c>), each within the memory budget. Default false.
    /// </summary>
    public virtual bool IsRemote => false;

    /// <summary>
    /// True when the task of chunk <paramref name="chunkIndex"/> begins with a request that is better made ahead, without
    /// a thread (a chunk read from an object store): the executor calls <see cref="FetchAsync"/> once the task's memory
    /// is reserved, with many such requests in flight, and hands the result to <see cref="Execute"/> or
    /// <see cref="OpenStream"/> as <c>Fetched</c>. What it holds counts in <see cref="HeldBytes"/>. Default false.
    /// </summary>
    public virtual bool FetchesAhead(ReadOnlySpan<long> chunkIndex) => false;

    /// <summary>
    /// Makes the task's request ahead (only called when <see cref="FetchesAhead"/> is true); the result is handed to the
    /// task and disposed after it ran, or when the computation ends first. Cancelled with the computation.
    /// </summary>
    public virtual ValueTask<IDisposable?> FetchAsync(long[] chunkIndex, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IDisposable?>(null);

    /// <summary>
    /// Computes one output chunk as <see cref="Execute"/> does, but may end with an asynchronous request (a chunk written
    /// to an object store) during which no thread is held; the task's inputs and memory stay reserved until it
    /// completes. Default: <see cref="Execute"/>, completed.
    /// </summary>
    public virtual ValueTask ExecuteAsync(ChunkKernelContext context)
    {
        Execute(context);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// True for nodes whose tasks have side effects and must run even though nothing consumes them (store writers).
    /// </summary>
    public virtual bool IsSink => false;

    /// <summary>
    /// True for steps that merge small partial results (a reduction's combine and finalize steps): when the computation
    /// runs on a cluster (<c>ComputeOptions.Cluster</c>), the coordinator runs them itself over the partials its workers
    /// return, and the workers run the nodes below. Default false.
    /// </summary>
    public virtual bool IsMergeStep => false;

    /// <summary>
    /// The names of the dimensions (xarray's convention: v3 <c>dimension_names</c>, v2 <c>_ARRAY_DIMENSIONS</c>), or
    /// null when unnamed: a stored array's, kept by operations that keep the dimensions (elementwise, rechunk).
    /// </summary>
    public virtual IReadOnlyList<string?>? DimensionNames => null;

    /// <summary>The dimension names of the first input of the same shape, for operations that keep the dimensions.</summary>
    protected IReadOnlyList<string?>? NamesOfSameShapedInput() =>
        Inputs.FirstOrDefault(i => i.DimensionNames is not null && i.Grid.Shape.SequenceEqual(Grid.Shape))?.DimensionNames;

    /// <inheritdoc/>
    public override string ToString() => $"{Label}#{Id} {DataType.Name} {Grid}";
}
