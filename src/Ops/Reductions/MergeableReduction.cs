using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>
/// A tree reduction over a mergeable state (Dask's chunk / combine / aggregate): a <em>partial</em> step turns input
/// chunks into state chunks, <em>combine</em> steps merge groups of state chunks (fan-in <c>splitEvery</c> along the
/// reduced dimensions of the state grid) until one state chunk is left along them, and an optional <em>finalize</em>
/// step turns the last states into the result. <see cref="ReductionTree.Build"/> makes the nodes; the scheduler plans
/// and bounds them like any other (a state chunk's size is <see cref="StateBytes"/>).
/// </summary>
/// <remarks>
/// <para><b>State grid.</b> The partial step's output grid (<see cref="PartialGrid"/>) has, along every dimension in
/// <see cref="Reduced"/>, one chunk per partial (usually of size 1); a combine level has one chunk per group of
/// <c>fan</c> chunks of the level below along those dimensions and the same chunks along the others
/// (<see cref="CombineGrid"/> may resize them, e.g. when the state of a chunk is read as a result).</para>
/// <para><b>Streaming.</b> When <see cref="ConsumesStream"/> is true for a partial whose single input chunk comes from a
/// source that can stream it (a Blosc array on its stored grid, possibly through fused elementwise operations), lowering
/// fuses them and <see cref="Partial"/> gets the chunk as <see cref="ChunkKernelContext.InputStream"/>: consecutive
/// C-order pieces, so the decoded chunk never exists whole. Otherwise it gets <see cref="ChunkKernelContext.Inputs"/>.</para>
/// <para>Implementations keep the per-element work in their own (ideally generic, struct-specialized) loops: the tree
/// calls them once per chunk task.</para>
/// </remarks>
public abstract class MergeableReduction
{
    private readonly bool[] _reduced;

    /// <summary>Creates a reduction of <paramref name="inputs"/> with the given partial state grid.</summary>
    /// <param name="name">Operation name; node labels are <c>name-partial</c>, <c>name-combine</c> and <c>name</c>.</param>
    /// <param name="inputs">The arrays the partial step reads.</param>
    /// <param name="partialGrid">The grid of the partial step's state chunks.</param>
    /// <param name="reduced">Per dimension of <paramref name="partialGrid"/>, whether combines merge along it.</param>
    /// <param name="stateType">The element type of state chunks (what a state read as a result holds); UInt8 when null.</param>
    /// <exception cref="ArgumentException">No inputs, or <paramref name="reduced"/> does not match the grid's rank.</exception>
    protected MergeableReduction(string name, IReadOnlyList<ArrayNode> inputs, ChunkGrid partialGrid, bool[] reduced, DataType? stateType = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(partialGrid);
        ArgumentNullException.ThrowIfNull(reduced);
        if (inputs.Count == 0)
        {
            throw new ArgumentException($"reduction '{name}' needs at least one input", nameof(inputs));
        }

        if (reduced.Length != partialGrid.Rank)
        {
            throw new ArgumentException($"reduction '{name}': {reduced.Length} reduced flags for a state grid of {partialGrid.Rank} dimensions", nameof(reduced));
        }

        Name = name;
        Inputs = inputs;
        PartialGrid = partialGrid;
        _reduced = (bool[])reduced.Clone();
        StateType = stateType ?? DataType.UInt8;
    }

    /// <summary>The operation's name.</summary>
    public string Name { get; }

    /// <summary>The arrays the partial step reads.</summary>
    public IReadOnlyList<ArrayNode> Inputs { get; }

    /// <summary>The grid of the partial step's state chunks.</summary>
    public ChunkGrid PartialGrid { get; }

    /// <summary>Per state dimension, whether combines merge along it.</summary>
    public IReadOnlyList<bool> Reduced => _reduced;

    /// <summary>The element type of state chunks (UInt8: opaque bytes).</summary>
    public DataType StateType { get; }

    /// <summary>Label of the partial nodes.</summary>
    public virtual string PartialLabel => Name + "-partial";

    /// <summary>Label of the combine nodes.</summary>
    public virtual string CombineLabel => Name + "-combine";

    /// <summary>Label of the finalize node.</summary>
    public virtual string FinalizeLabel => Name;

    /// <summary>The result's dimension names (null: unnamed); a reduction that keeps every dimension keeps its input's.</summary>
    internal virtual IReadOnlyList<string?>? ResultDimensionNames => null;

    /// <summary>
    /// The input chunks partial <paramref name="stateIndex"/> reads, in kernel order. Default: the chunk of
    /// <see cref="Inputs"/>[0] at the same index (the state grid has the input's chunk counts).
    /// </summary>
    public virtual void PartialDependencies(ReadOnlySpan<long> stateIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        dependencies.Add(new ChunkDependency(0, stateIndex.ToArray()));
    }

    /// <summary>
    /// Bytes of state chunk <paramref name="index"/> of <paramref name="level"/> (0: partial) on
    /// <paramref name="grid"/>, that level's grid. Default: its elements × <see cref="StateType"/>'s size.
    /// </summary>
    public virtual long StateBytes(int level, ChunkGrid grid, ReadOnlySpan<long> index)
    {
        ArgumentNullException.ThrowIfNull(grid);
        return grid.ChunkElements(index) * StateType.Size;
    }

    /// <summary>
    /// The grid of combine <paramref name="level"/> (≥ 1), given <paramref name="merged"/>: the level below with each
    /// group of chunks along the reduced dimensions merged into one chunk of size 1. An override may change chunk
    /// sizes, not chunk counts. Default: <paramref name="merged"/>.
    /// </summary>
    public virtual ChunkGrid CombineGrid(int level, ChunkGrid merged) => merged;

    /// <summary>Scratch bytes of partial <paramref name="stateIndex"/> (native, from the scheduler). Default 0.</summary>
    public virtual long PartialScratchBytes(ReadOnlySpan<long> stateIndex) => 0;

    /// <summary>Bytes partial <paramref name="stateIndex"/> holds in memory it allocates itself (managed matrices). Default 0.</summary>
    public virtual long PartialHeldBytes(ReadOnlySpan<long> stateIndex) => 0;

    /// <summary>Bytes combine chunk <paramref name="index"/> of <paramref name="level"/> holds in memory it allocates itself. Default 0.</summary>
    public virtual long CombineHeldBytes(int level, ReadOnlySpan<long> index) => 0;

    /// <summary>
    /// True when partial <paramref name="stateIndex"/> accepts its single input chunk as a stream of pieces (see the
    /// remarks). Default false.
    /// </summary>
    public virtual bool ConsumesStream(ReadOnlySpan<long> stateIndex) => false;

    /// <summary>
    /// Reduces the input chunk(s) of partial <c>context.ChunkIndex</c> (in <c>context.Inputs</c>, or as
    /// <c>context.InputStream</c> when streamed) into the state chunk <c>context.Output</c>, writing all of it.
    /// </summary>
    public abstract void Partial(ChunkKernelContext context);

    /// <summary>
    /// Merges the state chunks <c>context.Inputs</c> (the group below, in C order of their indices) into
    /// <c>context.Output</c>, the state chunk <c>context.ChunkIndex</c> of <paramref name="level"/> (≥ 1) on
    /// <paramref name="grid"/>.
    /// </summary>
    public abstract void Combine(int level, ChunkGrid grid, ChunkKernelContext context);

    /// <summary>The element type of the finished result (only for reductions with a finalize step).</summary>
    public virtual DataType OutputType => throw new NotSupportedException($"reduction '{Name}' has no finalize step");

    /// <summary>The grid of the finished result, given the root state grid (only for reductions with a finalize step).</summary>
    public virtual ChunkGrid OutputGrid(ChunkGrid root) => throw new NotSupportedException($"reduction '{Name}' has no finalize step");

    /// <summary>The root state chunks result chunk <paramref name="outputIndex"/> reads (only for reductions with a finalize step).</summary>
    public virtual void FinalizeDependencies(ReadOnlySpan<long> outputIndex, IList<ChunkDependency> dependencies) =>
        throw new NotSupportedException($"reduction '{Name}' has no finalize step");

    /// <summary>Turns root states (<c>context.Inputs</c>) into result chunk <c>context.ChunkIndex</c> (only for reductions with a finalize step).</summary>
    public virtual void Finalize(ChunkKernelContext context) =>
        throw new NotSupportedException($"reduction '{Name}' has no finalize step");

    /// <summary>True when combines merge along dimension <paramref name="d"/>.</summary>
    internal bool IsReduced(int d) => _reduced[d];
}
