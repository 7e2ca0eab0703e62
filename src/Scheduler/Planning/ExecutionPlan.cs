using System.Globalization;
using System.Text;
using ChunkCompute.Graph;

namespace ChunkCompute.Scheduler;

/// <summary>
/// A static order for a task graph and its projected memory, checked against the budget before anything runs; for a
/// graph with <see cref="PlannedNode"/>s (rechunks), also the route each of them takes.
/// </summary>
/// <remarks>
/// <para><b>Routes.</b> <see cref="Create(IReadOnlyList{ArrayNode}, ComputeOptions?)"/> asks every planned node for its
/// candidate routes under <see cref="ComputeOptions.MemoryBudget"/> and takes, for each, the most preferred one with
/// which the plan of the whole graph (consumers included) fits: a rechunk stays in memory when the budget allows it
/// next to what its consumers hold, and goes through a temporary on-disk array otherwise.</para>
/// <para><b>Order.</b> Of two candidate orders, the one with the lower simulated peak (<see cref="TaskSchedule.Order"/>).
/// The sweep (<see cref="TaskSchedule.SweepOrder"/>) sorts tasks by <see cref="ChunkTask.Position"/>, then depth-first:
/// every task runs as soon as the last input it needs has been produced, several outputs over shared inputs are
/// interleaved chunk by chunk (the xarray/Dask workload that runs out of memory when one output is finished before the
/// next starts), and a reduction's partials are merged as soon as their group is complete. The depth-first order
/// (<see cref="TaskSchedule.DepthFirstOrder"/>) finishes output chunks one at a time; it wins when a consumer needs a
/// whole column of source chunks (rechunking square chunks into full-height bands), which the sweep, reading sources
/// in C order, only completes in the last chunk row.</para>
/// <para><b>Projection.</b> The plan is simulated in that order: a task adds its output and scratch bytes when it
/// starts, drops its scratch when it ends, and each input is dropped when its last consumer ends; results are copied
/// out and dropped at once. The executor issues reservations in the same order, so its accounted peak never exceeds
/// the budget and it cannot deadlock: whenever nothing is running, the bytes held are exactly the simulation's at
/// that point of the order.</para>
/// </remarks>
public sealed class ExecutionPlan
{
    private ExecutionPlan(TaskGraph graph, ChunkTask[] order, long peak, ChunkTask? peakTask, long budget)
    {
        Routes = new Dictionary<ArrayNode, ArrayNode>();
        Graph = graph;
        Order = order;
        ProjectedPeakBytes = peak;
        PeakTask = peakTask;
        BudgetBytes = budget;
    }

    /// <summary>The task graph.</summary>
    public TaskGraph Graph { get; }

    /// <summary>The tasks in issue order.</summary>
    public IReadOnlyList<ChunkTask> Order { get; }

    /// <summary>Projected peak of accounted bytes.</summary>
    public long ProjectedPeakBytes { get; }

    /// <summary>The task that starts at the projected peak.</summary>
    public ChunkTask? PeakTask { get; }

    /// <summary>The budget the plan was checked against.</summary>
    public long BudgetBytes { get; }

    /// <summary>
    /// The route chosen for each <see cref="PlannedNode"/> of the graph (the node it runs as, e.g. a rechunk's last
    /// stage or its on-disk read-back, labelled <c>rechunk-load</c>); empty when the graph has none.
    /// </summary>
    public IReadOnlyDictionary<ArrayNode, ArrayNode> Routes { get; private init; }

    /// <summary>
    /// Plans <paramref name="outputs"/> under <paramref name="options"/>: chooses the planned nodes' routes
    /// (<see cref="PlannedNode.Routes"/>) knowing the whole graph, lowers, orders and checks it.
    /// </summary>
    /// <exception cref="MemoryPlanRefusedException">No choice of routes fits the budget.</exception>
    /// <exception cref="ChunkCompute.Storage.ChunkComputeException">A planned node cannot fit at all (e.g. <c>RechunkBudgetException</c>).</exception>
    public static ExecutionPlan Create(IReadOnlyList<ArrayNode> outputs, ComputeOptions? options = null) => Create(outputs, options, runner: null, CancellationToken.None);

    /// <summary>
    /// Plans as <see cref="Create(IReadOnlyList{ArrayNode}, ComputeOptions?)"/>, with <paramref name="runner"/> for planned
    /// nodes whose route needs passes over the data first (<see cref="PlanningContext.Runner"/>): a plan about to run.
    /// </summary>
    internal static ExecutionPlan Create(IReadOnlyList<ArrayNode> outputs, ComputeOptions? options, IChunkRunner? runner, CancellationToken cancellationToken, IReadOnlyDictionary<ArrayNode, ArrayNode>? substitutions = null)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        options ??= new ComputeOptions();
        long budget = options.EffectiveBudget;
        var context = new PlanningContext(budget, options.TemporaryDirectory) { Runner = runner, CancellationToken = cancellationToken };
        var routes = RoutePlanner.Choose(outputs, context, substitutions);
        var plan = Create(TaskGraph.Build(outputs, routes), budget);
        return new ExecutionPlan(plan.Graph, (ChunkTask[])plan.Order, plan.ProjectedPeakBytes, plan.PeakTask, plan.BudgetBytes) { Routes = routes };
    }

    /// <summary>Orders and checks a lowered graph.</summary>
    /// <exception cref="MemoryPlanRefusedException">The projected peak exceeds <paramref name="budget"/>.</exception>
    public static ExecutionPlan Create(TaskGraph graph, long budget)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var order = TaskSchedule.Order(graph);
        foreach (var t in order)
        {
            long taskBytes = TaskSchedule.TaskBytes(t);
            if (taskBytes > budget)
            {
                long inputs = taskBytes - t.OutputBytes - t.ScratchBytes;
                throw new MemoryPlanRefusedException(
                    t.Node.Label, taskBytes, budget,
                    $"One task of '{t.Node.Label}' alone holds {MemoryPlanRefusedException.Format(inputs)} of inputs, {MemoryPlanRefusedException.Format(t.OutputBytes)} of output and {MemoryPlanRefusedException.Format(t.ScratchBytes)} of scratch: use smaller chunks (Rechunk) or a larger budget.");
            }
        }

        var (peak, peakTask) = TaskSchedule.SimulatePeak(order);
        if (peak > budget)
        {
            throw new MemoryPlanRefusedException(
                peakTask!.Node.Label, peak, budget,
                "Too many chunks must be held at once (e.g. a rechunk or a transpose across many chunks): use smaller chunks, rechunk in steps, or raise the budget.");
        }

        return new ExecutionPlan(graph, order, peak, peakTask, budget);
    }

    /// <summary>A readable summary: nodes with their task counts, total tasks, projected peak against the budget.</summary>
    public string Explain()
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"plan: {Order.Count} tasks, projected peak {MemoryPlanRefusedException.Format(ProjectedPeakBytes)} of a {MemoryPlanRefusedException.Format(BudgetBytes)} budget");
        foreach (var group in Order.GroupBy(t => t.Node).OrderBy(g => g.Min(t => t.Level)))
        {
            var n = group.Key;
            long bytes = group.Max(t => t.OutputBytes + t.ScratchBytes);
            var streamed = group.FirstOrDefault(t => t.Streamed.Count > 0)?.Streamed;
            string label = streamed is null ? n.Label : string.Join(" → ", streamed.Reverse().Select(p => p.Node.Label).Append(n.Label));
            sb.AppendLine(CultureInfo.InvariantCulture, $"  {label,-28} {n.DataType.Name,-8} [{string.Join(", ", n.Grid.Shape)}] {group.Count(),8} tasks, ≤ {MemoryPlanRefusedException.Format(bytes)} each{(streamed is null ? string.Empty : "  (streamed: read piece by piece, no chunk held)")}{(Graph.Outputs.Contains(n) ? "  (output)" : string.Empty)}");
        }

        foreach (var (planned, route) in Routes)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"route: {planned.Label}#{planned.Id} {planned.Grid} as {Describe(route, planned)}");
        }

        if (PeakTask is not null)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"peak at: {PeakTask}");
        }

        return sb.ToString();
    }

    // The labels from the route's last node down to where it reads the planned node's inputs.
    private static string Describe(ArrayNode route, ArrayNode planned)
    {
        var labels = new List<string>();
        for (var n = route; !planned.Inputs.Contains(n) && labels.Count < 64; n = n.Inputs[0])
        {
            labels.Add(n.Label);
            if (n.Inputs.Count == 0)
            {
                break;
            }
        }

        return string.Join(" ← ", labels);
    }
}
