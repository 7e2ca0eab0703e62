using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage;

public sealed partial class ZarrStore
{
    /// <summary>Whether an array, a group or nothing is at <paramref name="path"/>.</summary>
    public NodeKind? GetNodeKind(string path)
    {
        path = StoreKeys.NormalizePath(path);
        string v3Key = StoreKeys.Join(path, "zarr.json");
        var v3 = ReadJson(v3Key);
        if (v3 is not null)
        {
            return NodeType(v3, v3Key) == "array" ? NodeKind.Array : NodeKind.Group;
        }

        if (Store.Exists(StoreKeys.Join(path, ".zarray")))
        {
            return NodeKind.Array;
        }

        return Store.Exists(StoreKeys.Join(path, ".zgroup")) ? NodeKind.Group : null;
    }

    /// <summary>
    /// The arrays and groups below <paramref name="path"/> (the node itself included when it exists), depth first in
    /// name order. Array contents (chunks) are never listed, so this is fast on large stores.
    /// </summary>
    public IReadOnlyList<NodeInfo> ListNodes(string path = "", bool recursive = true) => ListNodes(path, recursive, onError: null);

    // With onError, a node whose metadata cannot be read is reported there (and walked into like a group) instead of
    // ending the listing: verification lists every bad node and checks the rest.
    internal IReadOnlyList<NodeInfo> ListNodes(string path, bool recursive, Action<string, ChunkComputeException>? onError)
    {
        path = StoreKeys.NormalizePath(path);
        var result = new List<NodeInfo>();
        var self = Describe(path, onError);
        if (self is not null)
        {
            result.Add(self);
            if (self.Kind == NodeKind.Array)
            {
                return result;
            }
        }

        Walk(path, recursive, result, onError);
        return result;
    }

    private void Walk(string path, bool recursive, List<NodeInfo> result, Action<string, ChunkComputeException>? onError)
    {
        foreach (var name in Store.ListDirectory(path).Order(StringComparer.Ordinal))
        {
            if (name.StartsWith('.') || name == "zarr.json")
            {
                continue;
            }

            string child = StoreKeys.Join(path, name);
            var info = Describe(child, onError);
            if (info is not null)
            {
                result.Add(info);
            }

            if (info?.Kind != NodeKind.Array && recursive)
            {
                Walk(child, recursive, result, onError);
            }
        }
    }

    private NodeInfo? Describe(string path, Action<string, ChunkComputeException>? onError)
    {
        if (onError is null)
        {
            return Describe(path);
        }

        try
        {
            return Describe(path);
        }
        catch (ChunkComputeException ex)
        {
            onError(path, ex);
            return null;
        }
    }

    private NodeInfo? Describe(string path)
    {
        string v3Key = StoreKeys.Join(path, "zarr.json");
        var v3 = ReadJson(v3Key);
        if (v3 is not null)
        {
            return new NodeInfo(path, NodeType(v3, v3Key) == "array" ? NodeKind.Array : NodeKind.Group, ZarrFormat.V3);
        }

        if (Store.Exists(StoreKeys.Join(path, ".zarray")))
        {
            return new NodeInfo(path, NodeKind.Array, ZarrFormat.V2);
        }

        return Store.Exists(StoreKeys.Join(path, ".zgroup")) ? new NodeInfo(path, NodeKind.Group, ZarrFormat.V2) : null;
    }
}
