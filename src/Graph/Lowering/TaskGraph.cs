namespace ChunkCompute.Graph;

/// <summary>
/// The chunk tasks needed for a set of output arrays: built by walking back from every output chunk, so chunks no
/// output needs are never created (culling). Shared inputs are one task, however many consumers they have.
/// </summary>
public sealed class TaskGraph
{
    private TaskGraph(IReadOnlyList<ArrayNode> outputs, List<ChunkTask> tasks)
    {
        Outputs = outputs;
        Tasks = tasks;
    }

    /// <summary>The requested output nodes.</summary>
    public IReadOnlyList<ArrayNode> Outputs { get; }

    /// <summary>Every task, dependencies before dependents.</summary>
    public IReadOnlyList<ChunkTask> Tasks { get; }

    /// <summary>
    /// Lowers <paramref name="outputs"/> to chunk tasks, running each <see cref="PlannedNode"/> as the route
    /// <paramref name="routes"/> maps it to (the scheduler's planner chooses them).
    /// </summary>
    /// <exception cref="InvalidOperationException">A planned node has no route, or its route's grid or type differs.</exception>
    public static TaskGraph Build(IReadOnlyList<ArrayNode> outputs, IReadOnlyDictionary<ArrayNode, ArrayNode>? routes = null)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        outputs = outputs.Select(n => Resolve(n, routes)).ToArray();
        var byKey = new Dictionary<(long Node, long Chunk), ChunkTask>();
        var order = new List<ChunkTask>();
        var deps = new List<ChunkDependency>();
        var stack = new Stack<(ChunkTask Task, bool Expanded)>();

        ChunkTask GetOrCreate(ArrayNode node, long[] index, out bool created)
        {
            long linear = node.Grid.Linear(index);
            if (byKey.TryGetValue((node.Id, linear), out var existing))
            {
                created = false;
                return existing;
            }

            var task = new ChunkTask(node, index, linear);
            byKey[(node.Id, linear)] = task;
            created = true;
            return task;
        }

        for (int o = 0; o < outputs.Count; o++)
        {
            var node = outputs[o];
            var index = new long[node.Grid.Rank];
            for (long k = 0; k < node.Grid.ChunkCount; k++)
            {
                node.Grid.Unravel(k, index);
                var root = GetOrCreate(node, (long[])index.Clone(), out bool created);
                if (!root.IsOutput)
                {
                    root.IsOutput = true;
                    root.OutputNumber = o;
                }

                if (created)
                {
                    stack.Push((root, false));
                }

                // Iterative post-order: a task is appended after all its dependencies.
                while (stack.Count > 0)
                {
                    var (task, expanded) = stack.Pop();
                    if (expanded)
                    {
                        Finish(task);
                        task.State = 2;
                        order.Add(task);
                        continue;
                    }

                    if (task.State != 0)
                    {
                        continue; // a stale entry: the task was expanded through another consumer
                    }

                    task.State = 1;
                    deps.Clear();
                    task.Node.Dependencies(task.ChunkIndex, deps);
                    task.DependencyRefs = deps.ToArray();
                    var producers = new ChunkTask[deps.Count];
                    stack.Push((task, true));
                    for (int i = 0; i < deps.Count; i++)
                    {
                        var d = deps[i];
                        if ((uint)d.Input >= (uint)task.Node.Inputs.Count)
                        {
                            throw new InvalidOperationException($"{task} lists input {d.Input}, but {task.Node.Label} has {task.Node.Inputs.Count} inputs");
                        }

                        producers[i] = GetOrCreate(Resolve(task.Node.Inputs[d.Input], routes), d.ChunkIndex, out _);
                        producers[i].ConsumerCount++;
                        if (producers[i].State == 0)
                        {
                            // New, or created earlier but not yet walked: walk it now, before this task finishes.
                            stack.Push((producers[i], false));
                        }
                    }

                    task.Dependencies = producers;
                }
            }
        }

        return new TaskGraph(outputs, FuseStreams(order));
    }

    // A planned node lowers as its route (which may read planned nodes itself: they are resolved when reached).
    private static ArrayNode Resolve(ArrayNode node, IReadOnlyDictionary<ArrayNode, ArrayNode>? routes)
    {
        // A renaming of dimensions is a view: its chunks are its input's.
        while (node is NamedDimensionsNode named)
        {
            node = named.Inputs[0];
        }

        if (node is not PlannedNode planned)
        {
            // Any node may be substituted (a cluster's coordinator serves the chunks its workers computed).
            if (routes is not null && routes.TryGetValue(node, out var substitute))
            {
                if (!substitute.Grid.Equals(node.Grid) || substitute.DataType != node.DataType || substitute is PlannedNode)
                {
                    throw new InvalidOperationException($"the substitute {substitute} of '{node.Label}' ({node}) must be an unplanned node of the same grid and type");
                }

                return substitute;
            }

            return node;
        }

        if (routes is null || !routes.TryGetValue(planned, out var route))
        {
            throw new InvalidOperationException(
                $"'{planned.Label}' ({planned}) has no route: plan the computation through the scheduler (Compute, ToStore, Explain or ExecutionPlan.Create), which chooses one within the memory budget.");
        }

        if (!route.Grid.Equals(planned.Grid) || route.DataType != planned.DataType || route is PlannedNode)
        {
            throw new InvalidOperationException($"the route {route} of '{planned.Label}' ({planned}) must be an unplanned node of the same grid and type");
        }

        return route;
    }

    // Streaming fusion: a task whose node takes its single input as a stream absorbs the chain of producers below it
    // when every link can stream, is needed by no other task, is not a requested result, and the chain ends in a node
    // that reads no input (a source). A reduction over a stored array then decodes and reduces each chunk piece by
    // piece in one task (no decoded chunk in memory); a shared input keeps its own task, so it is still read once.
    private static List<ChunkTask> FuseStreams(List<ChunkTask> order)
    {
        var absorbed = new HashSet<ChunkTask>(ReferenceEqualityComparer.Instance);
        var chain = new List<ChunkTask>();
        foreach (var task in order)
        {
            if (task.Dependencies.Length != 1 || !task.Node.ConsumesStream(task.ChunkIndex))
            {
                continue;
            }

            chain.Clear();
            var producer = task.Dependencies[0];
            while (!producer.IsOutput && producer.ConsumerCount == 1 && producer.Node.CanStream(producer.ChunkIndex))
            {
                chain.Add(producer);
                if (producer.Dependencies.Length == 0)
                {
                    task.FuseStream([.. chain]);
                    absorbed.UnionWith(chain);
                    break;
                }

                if (producer.Dependencies.Length != 1)
                {
                    break;
                }

                producer = producer.Dependencies[0];
            }
        }

        return absorbed.Count == 0 ? order : order.Where(t => !absorbed.Contains(t)).ToList();
    }

    private static void Finish(ChunkTask task)
    {
        if (task.Dependencies.Length == 0)
        {
            task.Position = (task.Linear + 0.5) / Math.Max(1, task.Node.Grid.ChunkCount);
            task.Level = 0;
            return;
        }

        double position = 0;
        int level = 0;
        foreach (var d in task.Dependencies)
        {
            position = Math.Max(position, d.Position);
            level = Math.Max(level, d.Level + 1);
        }

        task.Position = position;
        task.Level = level;
    }

    /// <summary>The node graph in Graphviz DOT: one box per node, with its label, shape and chunk count.</summary>
    public static string ToDot(IReadOnlyList<ArrayNode> outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        var sb = new System.Text.StringBuilder("digraph chunkcompute {\n  rankdir=BT;\n  node [shape=box, fontname=\"Helvetica\"];\n");
        var seen = new HashSet<long>();
        var stack = new Stack<ArrayNode>(outputs);
        while (stack.Count > 0)
        {
            var n = stack.Pop();
            if (!seen.Add(n.Id))
            {
                continue;
            }

            string label = $"{n.Label}\\n{n.DataType.Name} [{string.Join(", ", n.Grid.Shape)}]\\n{n.Grid.ChunkCount} chunks";
            sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"  n{n.Id} [label=\"{label.Replace("\"", "'", StringComparison.Ordinal)}\"{(outputs.Contains(n) ? ", style=bold" : string.Empty)}];\n");
            foreach (var input in n.Inputs)
            {
                sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"  n{input.Id} -> n{n.Id};\n");
                stack.Push(input);
            }
        }

        return sb.Append("}\n").ToString();
    }
}
