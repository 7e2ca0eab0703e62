using System.Globalization;
using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>
/// A rechunk plan: the chunkings an array goes through, from its source grid (first) to the target (last), each
/// step a direct rechunk whose largest task (the overlapping inputs plus the output) fits the budget.
/// </summary>
public sealed class RechunkPlan
{
    internal RechunkPlan(IReadOnlyList<ChunkGrid> stages, IReadOnlyList<long> stageTaskBytes, long minimumLiveBytes, long budgetBytes)
    {
        Stages = stages;
        StageTaskBytes = stageTaskBytes;
        MinimumLiveBytes = minimumLiveBytes;
        BudgetBytes = budgetBytes;
    }

    /// <summary>The grids: the source, the intermediates, the target. One grid when nothing changes.</summary>
    public IReadOnlyList<ChunkGrid> Stages { get; }

    /// <summary>The nominal chunk shape of each stage (the first chunk's shape).</summary>
    public IReadOnlyList<int[]> ChunkShapes => Stages.Select(s => s.NominalChunkShape).ToArray();

    /// <summary>Intermediate chunkings inserted between the source and the target.</summary>
    public int IntermediateCount => Math.Max(0, Stages.Count - 2);

    /// <summary>For each step (Stages[i] → Stages[i + 1]), the bytes of its largest task: inputs plus output.</summary>
    public IReadOnlyList<long> StageTaskBytes { get; }

    /// <summary>The largest task of the whole plan, in bytes (0 when nothing changes).</summary>
    public long LargestTaskBytes => StageTaskBytes.Count == 0 ? 0 : StageTaskBytes.Max();

    /// <summary>
    /// A lower bound on the bytes any in-memory rechunk from source to target must hold at once (the inputs of the
    /// cheapest target chunk plus that chunk): the whole computation's peak cannot be below it.
    /// </summary>
    public long MinimumLiveBytes { get; }

    /// <summary>The budget the plan was made for.</summary>
    public long BudgetBytes { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Join(" → ", ChunkShapes.Select(c => "(" + string.Join(", ", c) + ")")) +
        string.Create(CultureInfo.InvariantCulture, $"; largest task {LargestTaskBytes} B of a {BudgetBytes} B budget");
}
