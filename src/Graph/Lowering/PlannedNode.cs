namespace ChunkCompute.Graph;

/// <summary>
/// A node whose implementation is chosen when a computation is planned, not when the expression is built: it records
/// what it produces (its grid and element type) and offers <see cref="Routes"/>, candidate subgraphs producing exactly
/// that. The scheduler's planner, which knows the memory budget and the whole graph (consumers included), picks one
/// route per planned node and lowers through it (<see cref="TaskGraph.Build(IReadOnlyList{ArrayNode}, IReadOnlyDictionary{ArrayNode, ArrayNode}?)"/>).
/// A rechunk is one: in memory, in several stages, or through a temporary on-disk array.
/// </summary>
public abstract class PlannedNode : ArrayNode
{
    /// <summary>Creates a planned node producing <paramref name="dataType"/> elements on <paramref name="grid"/>.</summary>
    protected PlannedNode(ChunkCompute.Storage.DataType dataType, ChunkGrid grid, IReadOnlyList<ArrayNode> inputs)
        : base(dataType, grid, inputs)
    {
    }

    /// <summary>
    /// The candidate implementations for <paramref name="context"/>, most preferred first (e.g. in memory before on
    /// disk). Each must produce this node's grid and element type; it may read this node's inputs, planned or not
    /// (the planner resolves them too). The planner takes the first whose whole plan fits the budget.
    /// </summary>
    /// <exception cref="ChunkCompute.Storage.ChunkComputeException">No route can fit the budget at all (a subclass says why).</exception>
    public abstract IReadOnlyList<ArrayNode> Routes(PlanningContext context);

    /// <summary>Never called: lowering runs the chosen route instead.</summary>
    /// <exception cref="InvalidOperationException">Always: the node was lowered without being planned.</exception>
    public sealed override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies) => throw NotPlanned();

    /// <summary>Never called: lowering runs the chosen route instead.</summary>
    /// <exception cref="InvalidOperationException">Always: the node was lowered without being planned.</exception>
    public sealed override void Execute(ChunkKernelContext context) => throw NotPlanned();

    private InvalidOperationException NotPlanned() => new(
        $"'{Label}' ({this}) is chosen when a computation is planned: lower it through the scheduler (Compute, ToStore, Explain or ExecutionPlan.Create), which picks its route within the memory budget.");
}

/// <summary>What a <see cref="PlannedNode"/> is planned for.</summary>
/// <param name="MemoryBudget">The computation's memory budget, in bytes (the hard limit on everything it holds at once).</param>
/// <param name="TemporaryDirectory">Where on-disk routes put temporary arrays; null for the system temp directory.</param>
public sealed record PlanningContext(long MemoryBudget, string? TemporaryDirectory)
{
    /// <summary>
    /// Runs passes over the data while the computation is planned, for a node whose route depends on the data (exact
    /// quantiles of lanes larger than the budget narrow a histogram pass by pass); each pass runs alone, within
    /// <see cref="MemoryBudget"/>. Null when the plan is only described (<c>Explain</c>), not run.
    /// </summary>
    public IChunkRunner? Runner { get; init; }

    /// <summary>Cancels the passes <see cref="Runner"/> runs.</summary>
    public CancellationToken CancellationToken { get; init; }
}

/// <summary>Runs a pass over the data for a <see cref="PlannedNode"/> being planned (see <see cref="PlanningContext.Runner"/>).</summary>
public interface IChunkRunner
{
    /// <summary>
    /// Computes every chunk of <paramref name="output"/> within the budget and hands each to <paramref name="receive"/>
    /// (called from several threads at once; the data is only valid during the call).
    /// </summary>
    void Run(ArrayNode output, ChunkReceiver receive, CancellationToken cancellationToken);
}

/// <summary>Receives one computed chunk: its index and its bytes (valid only during the call).</summary>
/// <param name="chunkIndex">The chunk's index in the output's grid.</param>
/// <param name="data">The chunk's bytes (its <see cref="ArrayNode.OutputBytes"/>).</param>
public delegate void ChunkReceiver(ReadOnlySpan<long> chunkIndex, ReadOnlySpan<byte> data);
