using System.Diagnostics;
using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Scheduler;

/// <summary>A write computed on a cluster: its sink, and the transaction the workers stage its chunks in.</summary>
internal sealed record ClusterWrite(StoreWriteNode Node, Transaction Transaction);

/// <summary>
/// The coordinator of a computation on a cluster (<see cref="ComputeOptions.Cluster"/>).
/// </summary>
/// <remarks>
/// <para><b>Cut.</b> Below each output, the nodes that merge small partials (<see cref="ArrayNode.IsMergeStep"/>, and
/// dimension renamings) stay here; the first nodes below them are computed by workers, one remote task per chunk, and
/// come back in replies. A write's data is computed and staged by the workers (each task whole stored chunks, so no two
/// workers share one), and published here in the write's one transaction.</para>
/// <para><b>Naming.</b> The coordinator builds the job too and checks that it is the graph being computed; a node is
/// named to a worker by its position in a depth-first walk of its output, checked by its signature on arrival.</para>
/// <para><b>Budget.</b> Before any task is sent, the plan of a task of every remote node (its first and last chunk) is
/// checked against the worker's budget: a task that cannot fit is refused here, not discovered on a worker.</para>
/// <para><b>Retries.</b> A task whose worker is lost, or that fails with an error that is not the data's, is retried on
/// another worker, up to <see cref="ClusterOptions.MaxAttempts"/>; the first final failure cancels the rest.</para>
/// </remarks>
internal static class ClusterRun
{
    /// <summary>Ends the operation named by a refusal against a worker's budget (not the coordinator's).</summary>
    public const string WorkerSuffix = " on a worker";

    public static async Task<ComputeStatistics> RunAsync(IReadOnlyList<Computation.ChunkSink> sinks, ComputeOptions options, CancellationToken cancellationToken, IReadOnlyList<ClusterWrite>? writes = null)
    {
        var cluster = options.Cluster ?? throw new InvalidOperationException("not a cluster computation");
        var clock = Stopwatch.StartNew();
        var workers = cluster.Workers;
        string jobId = Guid.NewGuid().ToString("N");
        var remote = new List<RemoteNode>();
        using (var context = ClusterJobs.CreateContext(cluster.Job))
        {
            var built = ClusterJobs.Build(cluster.Job, context);
            if (built.Count != sinks.Count)
            {
                throw new ChunkComputeException($"cluster job '{cluster.Job}' builds {built.Count} arrays, but the computation has {sinks.Count} outputs: the computed arrays must be the job's outputs, in order");
            }

            for (int o = 0; o < sinks.Count; o++)
            {
                var root = sinks[o].Node;
                var write = root is StoreWriteNode sink ? writes?.FirstOrDefault(w => ReferenceEquals(w.Node, sink)) : null;
                var value = root is StoreWriteNode ? root.Inputs[0] : root;
                var walk = JobGraph.Walk(value);
                Verify(cluster.Job, o, walk, JobGraph.Walk(built[o]));
                if (root is StoreWriteNode w)
                {
                    if (write is null)
                    {
                        throw new ChunkComputeException($"'{w.Label}': a write runs on a cluster only through StoreWrite (ToStore(...).Compute) on a transactional store");
                    }

                    CheckWholeStoredChunks(w);
                    remote.Add(new RemoteNode(o, 0, value, RemoteTaskKind.Stage, write));
                }
                else
                {
                    foreach (var cut in Cuts(value))
                    {
                        remote.Add(new RemoteNode(o, walk.IndexOf(cut), cut, RemoteTaskKind.Return, null));
                    }
                }
            }
        }

        foreach (var r in remote)
        {
            CheckWorkerBudget(r, workers.WorkerMemoryBudget, options.TemporaryDirectory);
        }

        var dispatcher = new Dispatcher(cluster, jobId, options, remote);
        await dispatcher.RunAsync(cancellationToken).ConfigureAwait(false);

        // What is left runs here, over the replies: the merge steps of reductions, the copies of results.
        var local = sinks.Where(s => s.Node is not StoreWriteNode).ToArray();
        ComputeStatistics? statistics = null;
        if (local.Length > 0)
        {
            var substitutions = new Dictionary<ArrayNode, ArrayNode>(ReferenceEqualityComparer.Instance);
            foreach (var r in remote.Where(r => r.Kind == RemoteTaskKind.Return))
            {
                substitutions[r.Node] = new RepliedChunksNode(r.Node, r.Replies);
            }

            statistics = await Computation.RunLocalAsync(local, options, cancellationToken, substitutions).ConfigureAwait(false);
        }

        return new ComputeStatistics(dispatcher.TaskCount + (statistics?.Tasks ?? 0), statistics?.PeakMemoryBytes ?? 0, statistics?.ProjectedPeakBytes ?? 0, clock.Elapsed)
        {
            Workers = dispatcher.WorkerStatistics(),
        };
    }

    // The nodes the workers compute for an output: the first below its merge steps and local sinks (or the output itself).
    private static List<ArrayNode> Cuts(ArrayNode value)
    {
        var cuts = new List<ArrayNode>();
        var seen = new HashSet<ArrayNode>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<ArrayNode>();
        stack.Push(value);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (!seen.Add(n))
            {
                continue;
            }

            // Merge steps and renamings run here, and so do sinks other than store writes (an .npy file written by
            // the coordinator): the workers compute what they read.
            if (n.IsMergeStep || n is NamedDimensionsNode || (n.IsSink && n is not StoreWriteNode))
            {
                for (int i = n.Inputs.Count - 1; i >= 0; i--)
                {
                    stack.Push(n.Inputs[i]);
                }
            }
            else
            {
                cuts.Add(n);
            }
        }

        return cuts;
    }

    private static void Verify(ClusterJob job, int output, List<ArrayNode> computed, List<ArrayNode> built)
    {
        for (int i = 0; i < Math.Max(computed.Count, built.Count); i++)
        {
            string? a = i < computed.Count ? JobGraph.Signature(computed[i]) : null;
            string? b = i < built.Count ? JobGraph.Signature(built[i]) : null;
            if (a != b)
            {
                throw new ChunkComputeException(
                    $"output {output} of the computation is not what cluster job '{job}' builds: node {i} is {a ?? "missing"} in the computation, {b ?? "missing"} in the job (build the computed arrays with ClusterJobs.Build, or register the builder that makes them)");
            }
        }
    }

    // Each remote task of a write must cover whole stored chunks (or run to the array's end): no two workers may write
    // parts of one stored chunk, which would need a read-modify-write across processes.
    private static void CheckWholeStoredChunks(StoreWriteNode write)
    {
        var grid = write.Grid;
        var stored = write.Target.ChunkShape;
        for (int d = 0; d < grid.Rank; d++)
        {
            for (int c = 0; c < grid.Sizes(d).Count; c++)
            {
                long offset = grid.Offset(d, c);
                long end = offset + grid.Size(d, c);
                if (offset % stored[d] != 0 || (end % stored[d] != 0 && end != grid.Shape[d]))
                {
                    throw new ChunkComputeException(
                        $"'{write.Label}' on a cluster: the data's chunks {grid} are not whole stored chunks [{string.Join(", ", stored)}] (dimension {d}, chunk {c} spans {offset}..{end}): rechunk to the stored chunks first, so that no two workers write one stored chunk");
                }
            }
        }
    }

    private static void CheckWorkerBudget(RemoteNode r, long budget, string? temporaryDirectory)
    {
        var grid = r.Node.Grid;
        if (grid.ChunkCount == 0)
        {
            return;
        }

        var options = new ComputeOptions { MemoryBudget = budget, TemporaryDirectory = temporaryDirectory };
        foreach (long linear in new[] { 0, grid.ChunkCount - 1 }.Distinct())
        {
            var index = new long[grid.Rank];
            grid.Unravel(linear, index);
            ArrayNode sink = r.Kind == RemoteTaskKind.Stage
                ? new StageChunkSink(r.Node, index, r.Write!.Node.Target)
                : new CaptureChunkSink(r.Node, index);
            try
            {
                ExecutionPlan.Create([sink], options);
            }
            catch (MemoryPlanRefusedException ex)
            {
                throw new MemoryPlanRefusedException(ex.Operation + WorkerSuffix, ex.RequiredBytes, budget,
                    $"A task of '{r.Node.Label}' (chunk [{string.Join(", ", index)}]) cannot fit a worker's budget: {ex.Message}");
            }
            catch (ChunkCompute.Ops.RechunkBudgetException ex)
            {
                throw new MemoryPlanRefusedException(r.Node.Label + WorkerSuffix, ex.RequiredBytes, budget,
                    $"A task of '{r.Node.Label}' (chunk [{string.Join(", ", index)}]) cannot fit a worker's budget: {ex.Message}");
            }
        }
    }

    /// <summary>A node whose chunks the workers compute.</summary>
    internal sealed class RemoteNode(int output, int ordinal, ArrayNode node, RemoteTaskKind kind, ClusterWrite? write)
    {
        public int Output => output;

        public int Ordinal => ordinal;

        public ArrayNode Node => node;

        public RemoteTaskKind Kind => kind;

        public ClusterWrite? Write => write;

        public string Signature { get; } = JobGraph.Signature(node);

        // Replies by chunk number (Return only); each is taken once by the local run.
        public byte[]?[] Replies { get; } = kind == RemoteTaskKind.Return ? new byte[]?[node.Grid.ChunkCount] : [];
    }

    /// <summary>Serves the chunks the workers returned (each handed out once, then dropped).</summary>
    private sealed class RepliedChunksNode(ArrayNode computed, byte[]?[] replies) : ArrayNode(computed.DataType, computed.Grid, [])
    {
        public override string Label => computed.Label + " (from workers)";

        public override IReadOnlyList<string?>? DimensionNames => computed.DimensionNames;

        public override long OutputBytes(ReadOnlySpan<long> chunkIndex) => computed.OutputBytes(chunkIndex);

        public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
        {
        }

        public override void Execute(ChunkKernelContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            long linear = Grid.Linear(context.ChunkIndex);
            var data = Interlocked.Exchange(ref replies[linear], null)
                ?? throw new InvalidOperationException($"no reply for chunk [{string.Join(", ", context.ChunkIndex)}] of '{computed.Label}'");
            data.CopyTo(context.Output.Bytes);
        }
    }
}
