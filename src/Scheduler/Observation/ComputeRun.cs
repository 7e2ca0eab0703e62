using System.Diagnostics;
using ChunkCompute.Graph;

namespace ChunkCompute.Scheduler;

/// <summary>
/// A computation as it runs, handed to an <see cref="IComputeObserver"/>: its plan, summarised per operation, and
/// counters that may be read from any thread while it runs.
/// </summary>
public sealed class ComputeRun
{
    private static int s_lastId;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Dictionary<ArrayNode, int> _operationOf;
    private ChunkExecutor? _executor;
    private long _elapsedTicks = -1;

    internal ComputeRun(ExecutionPlan plan)
    {
        Id = Interlocked.Increment(ref s_lastId);
        Plan = plan;
        StartedAt = DateTimeOffset.UtcNow;
        _operationOf = new Dictionary<ArrayNode, int>(ReferenceEqualityComparer.Instance);
        var groups = plan.Order.GroupBy(t => t.Node, ReferenceEqualityComparer.Instance).OrderBy(g => g.Min(t => t.Level)).ToList();
        foreach (var g in groups)
        {
            _operationOf[(ArrayNode)g.Key!] = _operationOf.Count;
        }

        var operations = new ComputeOperation[groups.Count];
        foreach (var g in groups)
        {
            var node = (ArrayNode)g.Key!;
            int index = _operationOf[node];
            var streamed = g.FirstOrDefault(t => t.Streamed.Count > 0)?.Streamed;
            string label = streamed is null ? node.Label : string.Join(" → ", streamed.Reverse().Select(p => p.Node.Label).Append(node.Label));
            var inputs = g.SelectMany(t => t.Dependencies).Select(d => d.Node).Distinct(ReferenceEqualityComparer.Instance)
                .Select(n => _operationOf.TryGetValue((ArrayNode)n!, out int k) ? k : -1).Where(k => k >= 0 && k != index).Order().ToArray();
            operations[index] = new ComputeOperation(index, label, node.DataType.Name, node.Grid.Shape.ToArray(), g.Count(), inputs, plan.Graph.Outputs.Contains(node));
        }

        Operations = operations;
    }

    /// <summary>A number for the run, unique in the process.</summary>
    public int Id { get; }

    /// <summary>When it started (UTC).</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>The plan it runs.</summary>
    public ExecutionPlan Plan { get; }

    /// <summary>Its operations, sources first: one per node of the lowered graph that has tasks.</summary>
    public IReadOnlyList<ComputeOperation> Operations { get; }

    /// <summary>Tasks in the plan.</summary>
    public long TasksTotal => Plan.Order.Count;

    /// <summary>The memory budget its tasks reserve from.</summary>
    public long BudgetBytes => Plan.BudgetBytes;

    /// <summary>Tasks finished so far.</summary>
    public long TasksDone => _executor?.Done ?? 0;

    /// <summary>Chunk bytes reserved or held now.</summary>
    public long InUseBytes => _executor?.InUseBytes ?? 0;

    /// <summary>The most chunk bytes reserved or held at once so far.</summary>
    public long PeakBytes => _executor?.PeakBytes ?? 0;

    /// <summary>Decoded bytes produced by store reads so far.</summary>
    public long BytesRead => _executor?.BytesRead ?? 0;

    /// <summary>Bytes of task outputs produced so far (decoded and computed chunks alike).</summary>
    public long BytesProduced => _executor?.BytesProduced ?? 0;

    /// <summary>Bytes handed to store writes so far.</summary>
    public long BytesWritten => _executor?.BytesWritten ?? 0;

    /// <summary>Whether it has ended.</summary>
    public bool IsFinished => Volatile.Read(ref _elapsedTicks) >= 0;

    /// <summary>Time since it started; its wall time once it has ended.</summary>
    public TimeSpan Elapsed => Volatile.Read(ref _elapsedTicks) is >= 0 and var ticks ? TimeSpan.FromTicks(ticks) : _clock.Elapsed;

    internal long StartTimestamp { get; } = Stopwatch.GetTimestamp();

    internal int OperationOf(ArrayNode node) => _operationOf[node];

    internal void Attach(ChunkExecutor executor) => _executor = executor;

    internal void Finish() => Volatile.Write(ref _elapsedTicks, _clock.Elapsed.Ticks);
}
