using ChunkCompute.Graph;

namespace ChunkCompute.Scheduler;

/// <summary>
/// The static order of a task graph and the memory that order needs. <see cref="ExecutionPlan"/> chooses routes,
/// orders and refuses with it, and the executor issues reservations in this order.
/// </summary>
public static class TaskSchedule
{
    /// <summary>
    /// The issue order of a graph: of the two candidate orders, <see cref="SweepOrder"/> and
    /// <see cref="DepthFirstOrder"/>, the one whose simulated peak (<see cref="SimulatePeak"/>) is lower; the sweep on a
    /// tie. Both are topological, so either is a valid order, and the scheduler's bound holds for whichever is chosen.
    /// </summary>
    /// <remarks>
    /// The sweep interleaves several outputs over shared inputs chunk by chunk (the multi-output workload that runs out
    /// of memory when one output is finished before the next starts). It reads the sources in C order of their own
    /// grid, so a consumer that needs a whole column of source chunks (a rechunk from square chunks to full-height
    /// bands) only becomes ready in the last row: every source chunk is read before the first band is written. The
    /// depth-first order finishes each output chunk in turn, reading only what it still lacks, so such a rechunk holds
    /// one column of source chunks at a time.
    /// </remarks>
    public static ChunkTask[] Order(TaskGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var sweep = SweepOrder(graph);
        var depthFirst = DepthFirstOrder(graph);
        return SimulatePeak(depthFirst).PeakBytes < SimulatePeak(sweep).PeakBytes ? depthFirst : sweep;
    }

    /// <summary>
    /// Orders tasks by <see cref="ChunkTask.Position"/>, then by lowering post-order. Position sweeps the inputs so
    /// that outputs over shared inputs interleave chunk by chunk; among tasks of one position (e.g. everything after a
    /// barrier) the post-order is depth-first — each output chunk is finished before the next is started — and it is
    /// topological, so the result is a valid order.
    /// </summary>
    public static ChunkTask[] SweepOrder(TaskGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var order = graph.Tasks.ToArray();
        var rank = new Dictionary<ChunkTask, int>(order.Length, ReferenceEqualityComparer.Instance);
        for (int i = 0; i < order.Length; i++)
        {
            rank[order[i]] = i;
        }

        Array.Sort(order, (a, b) =>
        {
            int c = a.Position.CompareTo(b.Position);
            return c != 0 ? c : rank[a].CompareTo(rank[b]);
        });
        return order;
    }

    /// <summary>
    /// The lowering post-order (<see cref="TaskGraph.Tasks"/>): output chunks in C order, each preceded by whatever of
    /// its inputs no earlier output chunk needed, so every output chunk is finished before the next is started.
    /// </summary>
    public static ChunkTask[] DepthFirstOrder(TaskGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return graph.Tasks.ToArray();
    }

    /// <summary>
    /// Simulates <paramref name="order"/>: a task adds its output and scratch bytes when it starts and drops its scratch
    /// when it ends; an input is dropped when its last consumer ends; outputs nobody consumes (results, sinks) are
    /// dropped at once. Returns the peak and the task that starts at it.
    /// </summary>
    public static (long PeakBytes, ChunkTask? PeakTask) SimulatePeak(IReadOnlyList<ChunkTask> order)
    {
        ArgumentNullException.ThrowIfNull(order);
        var left = new Dictionary<ChunkTask, int>(order.Count, ReferenceEqualityComparer.Instance);
        long used = 0, peak = 0;
        ChunkTask? peakTask = null;
        foreach (var t in order)
        {
            used += t.OutputBytes + t.ScratchBytes;
            if (used > peak)
            {
                peak = used;
                peakTask = t;
            }

            used -= t.ScratchBytes;
            foreach (var d in t.Dependencies)
            {
                int remaining = left.TryGetValue(d, out int r) ? r - 1 : d.ConsumerCount - 1;
                left[d] = remaining;
                if (remaining == 0)
                {
                    used -= d.OutputBytes;
                }
            }

            if (t.ConsumerCount == 0)
            {
                used -= t.OutputBytes;
            }
        }

        return (peak, peakTask);
    }

    /// <summary>The bytes one task holds while it runs: its distinct inputs, its output and its scratch.</summary>
    public static long TaskBytes(ChunkTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.Dependencies.Distinct().Sum(d => d.OutputBytes) + task.OutputBytes + task.ScratchBytes;
    }
}
