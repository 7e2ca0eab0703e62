using ChunkCompute.Graph;

namespace ChunkCompute.Scheduler;

/// <summary>
/// Chooses a route for every <see cref="PlannedNode"/> of a computation, knowing the budget and the whole graph: a
/// route is judged by the plan of everything (its consumers' memory included), not by itself.
/// </summary>
/// <remarks>
/// If every node's preferred route fits, those are taken (one lowering). Otherwise every node starts on its last
/// route (the one that holds least, e.g. on disk) and, inputs first, each is moved to the most preferred route with
/// which the whole plan still fits. So when any combination of last routes fits, the result fits; when none does, the
/// last routes are returned and <see cref="ExecutionPlan"/> refuses them with the operation, the need and the budget.
/// </remarks>
internal static class RoutePlanner
{
    public static Dictionary<ArrayNode, ArrayNode> Choose(IReadOnlyList<ArrayNode> outputs, PlanningContext context, IReadOnlyDictionary<ArrayNode, ArrayNode>? substitutions = null)
    {
        var choice = new Dictionary<ArrayNode, ArrayNode>(ReferenceEqualityComparer.Instance);
        if (substitutions is not null)
        {
            foreach (var (node, substitute) in substitutions)
            {
                choice[node] = substitute;
            }
        }

        var routesOf = new Dictionary<PlannedNode, IReadOnlyList<ArrayNode>>(ReferenceEqualityComparer.Instance);
        var planned = PlannedNodes(outputs, context, routesOf, substitutions);
        if (planned.Count == 0)
        {
            return choice;
        }

        var candidates = planned.Select(p => routesOf[p]).ToList();
        for (int i = 0; i < planned.Count; i++)
        {
            choice[planned[i]] = candidates[i][0];
        }

        if (Need(outputs, choice) <= context.MemoryBudget)
        {
            return choice;
        }

        for (int i = 0; i < planned.Count; i++)
        {
            choice[planned[i]] = candidates[i][^1];
        }

        if (Need(outputs, choice) > context.MemoryBudget)
        {
            return choice;
        }

        for (int i = 0; i < planned.Count; i++)
        {
            for (int r = 0; r < candidates[i].Count - 1; r++)
            {
                choice[planned[i]] = candidates[i][r];
                if (Need(outputs, choice) <= context.MemoryBudget)
                {
                    break;
                }

                choice[planned[i]] = candidates[i][^1];
            }
        }

        return choice;
    }

    /// <summary>The bytes a plan needs: the larger of its projected peak and its largest task.</summary>
    private static long Need(IReadOnlyList<ArrayNode> outputs, Dictionary<ArrayNode, ArrayNode> routes)
    {
        var order = TaskSchedule.Order(TaskGraph.Build(outputs, routes));
        long largest = order.Length == 0 ? 0 : order.Max(TaskSchedule.TaskBytes);
        return Math.Max(largest, TaskSchedule.SimulatePeak(order).PeakBytes);
    }

    /// <summary>
    /// The planned nodes reachable from the outputs, through inputs and through every candidate route (a route may
    /// hold planned nodes of its own, e.g. a quantile's gathering rechunk): each is asked for its routes once, and comes
    /// after the planned nodes it reads or its routes hold.
    /// </summary>
    private static List<PlannedNode> PlannedNodes(IReadOnlyList<ArrayNode> outputs, PlanningContext context, Dictionary<PlannedNode, IReadOnlyList<ArrayNode>> routesOf, IReadOnlyDictionary<ArrayNode, ArrayNode>? substitutions)
    {
        var result = new List<PlannedNode>();
        var seen = new HashSet<ArrayNode>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(ArrayNode Node, int Stage)>();
        foreach (var o in outputs.Reverse())
        {
            stack.Push((o, 0));
        }

        while (stack.Count > 0)
        {
            var (node, stage) = stack.Pop();
            if (stage == 2)
            {
                result.Add((PlannedNode)node);
                continue;
            }

            if (stage == 1)
            {
                // Its inputs are walked: ask for its routes, then walk them before the node itself is added.
                var p = (PlannedNode)node;
                var routes = p.Routes(context);
                if (routes.Count == 0)
                {
                    throw new InvalidOperationException($"'{p.Label}' ({p}) offered no route");
                }

                routesOf[p] = routes;
                stack.Push((p, 2));
                for (int r = routes.Count - 1; r >= 0; r--)
                {
                    stack.Push((routes[r], 0));
                }

                continue;
            }

            if (!seen.Add(node) || (substitutions is not null && substitutions.ContainsKey(node)))
            {
                continue; // walked already, or replaced (with what it reads) by a substitute
            }

            if (node is PlannedNode)
            {
                stack.Push((node, 1));
            }

            for (int i = node.Inputs.Count - 1; i >= 0; i--)
            {
                stack.Push((node.Inputs[i], 0));
            }
        }

        return result;
    }
}
