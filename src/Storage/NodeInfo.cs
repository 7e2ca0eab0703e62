namespace ChunkCompute.Storage;

/// <summary>Whether a node is an array or a group.</summary>
public enum NodeKind
{
    /// <summary>A group (holds other nodes and attributes).</summary>
    Group,

    /// <summary>An array.</summary>
    Array,
}

/// <summary>A node found in a hierarchy walk.</summary>
/// <param name="Path">The node's path ("" for the root).</param>
/// <param name="Kind">Array or group.</param>
/// <param name="Format">Zarr v2 or v3.</param>
public sealed record NodeInfo(string Path, NodeKind Kind, ZarrFormat Format);
