using System.Text.Json.Nodes;

namespace ChunkCompute.Storage;

/// <summary>A group in a Zarr hierarchy: a path with attributes that holds arrays and groups.</summary>
public sealed class ZarrGroup
{
    internal ZarrGroup(ZarrStore store, string path, ZarrFormat format, JsonObject attributes)
    {
        Store = store;
        Path = path;
        Format = format;
        AttributesCore = attributes;
    }

    /// <summary>The store that holds the group.</summary>
    public ZarrStore Store { get; }

    /// <summary>The group's path ("" for the root).</summary>
    public string Path { get; }

    /// <summary>Zarr v2 or v3.</summary>
    public ZarrFormat Format { get; }

    /// <summary>User attributes (a copy).</summary>
    public JsonObject Attributes => AttributesCore.DeepClone().AsObject();

    internal JsonObject AttributesCore { get; }

    /// <summary>The arrays and groups directly below this group.</summary>
    public IReadOnlyList<NodeInfo> Children() => Store.ListNodes(Path, recursive: false);

    /// <summary>Replaces the group's attributes and returns the updated handle.</summary>
    public ZarrGroup SetAttributes(JsonObject attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        Store.WriteGroupMetadata(Path, Format, attributes);
        return new ZarrGroup(Store, Path, Format, attributes.DeepClone().AsObject());
    }

    /// <inheritdoc/>
    public override string ToString() => $"ZarrGroup '{Path}' (v{(int)Format})";
}
