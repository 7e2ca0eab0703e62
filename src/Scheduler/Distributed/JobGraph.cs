using ChunkCompute.Graph;

namespace ChunkCompute.Scheduler;

/// <summary>
/// How the coordinator and a worker name the same node of a job they each built: its position in a depth-first walk
/// of one output (inputs in order, each node once), checked by its signature (label, element type, grid).
/// </summary>
internal static class JobGraph
{
    public static List<ArrayNode> Walk(ArrayNode root)
    {
        var order = new List<ArrayNode>();
        var seen = new HashSet<ArrayNode>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<ArrayNode>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (!seen.Add(node))
            {
                continue;
            }

            order.Add(node);
            for (int i = node.Inputs.Count - 1; i >= 0; i--)
            {
                stack.Push(node.Inputs[i]);
            }
        }

        return order;
    }

    public static string Signature(ArrayNode node) => $"{node.Label}|{node.DataType.Name}|{node.Grid}";
}
