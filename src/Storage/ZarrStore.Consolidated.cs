using System.Text.Json.Nodes;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage;

public sealed partial class ZarrStore
{
    // ---------------------------------------------------------------- consolidated metadata

    private const string V2Consolidated = ".zmetadata";
    private static readonly string[] V2Documents = [".zgroup", ".zarray", ".zattrs"];

    /// <summary>
    /// Writes consolidated metadata for the group at <paramref name="path"/>: every metadata document below it in one
    /// place, as zarr-python's <c>consolidate_metadata</c> does (v2: <c>.zmetadata</c>; v3: <c>consolidated_metadata</c>
    /// inline in the group's <c>zarr.json</c>), so tools such as xarray open the hierarchy with one read. From then on,
    /// every change of metadata below the group rewrites it in the same commit.
    /// </summary>
    /// <exception cref="NodeNotFoundException">No group is at <paramref name="path"/>.</exception>
    public void Consolidate(string path = "")
    {
        if (AutoCommits)
        {
            AutoCommit(z =>
            {
                z.Consolidate(path);
                return 0;
            });
            return;
        }

        path = StoreKeys.NormalizePath(path);
        var group = OpenGroup(path);
        if (group.Format == ZarrFormat.V2)
        {
            WriteJson(StoreKeys.Join(path, V2Consolidated), BuildConsolidated(path, ZarrFormat.V2), V2Json);
            return;
        }

        string key = StoreKeys.Join(path, "zarr.json");
        var doc = ReadJson(key)!;
        doc["consolidated_metadata"] = BuildConsolidated(path, ZarrFormat.V3);
        WriteJson(key, doc, V3Json);
    }

    // What consolidated metadata of the group at `path` should hold now.
    private JsonObject BuildConsolidated(string path, ZarrFormat format, IEnumerable<NodeInfo>? nodes = null)
    {
        var metadata = new JsonObject();
        string below = path.Length == 0 ? string.Empty : path + "/";
        foreach (var node in nodes?.Where(n => n.Path == path || n.Path.StartsWith(below, StringComparison.Ordinal)) ?? ListNodes(path))
        {
            string rel = Relative(node.Path, path);
            if (format == ZarrFormat.V2)
            {
                foreach (var name in V2Documents)
                {
                    if (ReadJson(StoreKeys.Join(node.Path, name)) is { } doc)
                    {
                        metadata[StoreKeys.Join(rel, name)] = doc;
                    }
                }
            }
            else if (rel.Length > 0 && ReadJson(StoreKeys.Join(node.Path, "zarr.json")) is { } doc)
            {
                metadata[rel] = NestedEntry(doc);
            }
        }

        return format == ZarrFormat.V2
            ? new JsonObject { ["metadata"] = metadata, ["zarr_consolidated_format"] = 1 }
            : new JsonObject { ["kind"] = "inline", ["must_understand"] = false, ["metadata"] = metadata };
    }

    // A node's document as a consolidating group holds it (a nested group's own consolidated entries are flattened
    // into the outer group's, as zarr-python does).
    private static JsonObject NestedEntry(JsonObject doc)
    {
        var entry = doc.DeepClone().AsObject();
        if (entry["consolidated_metadata"] is JsonObject)
        {
            entry["consolidated_metadata"] = new JsonObject { ["kind"] = "inline", ["must_understand"] = false, ["metadata"] = new JsonObject() };
        }

        return entry;
    }

    private static string Relative(string path, string group) =>
        group.Length == 0 ? path : path.Length == group.Length ? string.Empty : path[(group.Length + 1)..];

    // The groups whose consolidated metadata could cover `path`: its ancestors, and (v2, where a group's own documents
    // are listed too) the node itself.
    private static IEnumerable<string> Consolidators(string path)
    {
        yield return string.Empty;
        for (int i = path.IndexOf('/', StringComparison.Ordinal); i >= 0; i = path.IndexOf('/', i + 1))
        {
            yield return path[..i];
        }

        if (path.Length > 0)
        {
            yield return path;
        }
    }

    // Keeps consolidated metadata true after node `path`'s documents were written or deleted: each group above it that
    // holds consolidated metadata gets the node's entries replaced (or removed), in the same transaction.
    private void UpdateConsolidated(string path, bool deleted)
    {
        foreach (var group in Consolidators(path))
        {
            string rel = Relative(path, group);
            var zmetadata = ReadJson(StoreKeys.Join(group, V2Consolidated));
            if (zmetadata?["metadata"] is JsonObject v2)
            {
                string prefix = rel.Length == 0 ? string.Empty : rel + "/";
                foreach (var k in v2.Select(kv => kv.Key).Where(k => deleted ? k.StartsWith(prefix, StringComparison.Ordinal) : V2Documents.Any(d => k == prefix + d)).ToList())
                {
                    v2.Remove(k);
                }

                if (!deleted)
                {
                    foreach (var name in V2Documents)
                    {
                        if (ReadJson(StoreKeys.Join(path, name)) is { } doc)
                        {
                            v2[prefix + name] = doc;
                        }
                    }
                }

                WriteJson(StoreKeys.Join(group, V2Consolidated), zmetadata, V2Json);
            }

            if (rel.Length == 0)
            {
                continue; // a v3 group's consolidated metadata lists what is below it, not itself
            }

            string groupKey = StoreKeys.Join(group, "zarr.json");
            var groupDoc = ReadJson(groupKey);
            if (groupDoc?["consolidated_metadata"] is JsonObject { } cm && cm["metadata"] is JsonObject v3)
            {
                foreach (var k in v3.Select(kv => kv.Key).Where(k => k == rel || (deleted && k.StartsWith(rel + "/", StringComparison.Ordinal))).ToList())
                {
                    v3.Remove(k);
                }

                if (!deleted && ReadJson(StoreKeys.Join(path, "zarr.json")) is { } doc)
                {
                    v3[rel] = NestedEntry(doc);
                }

                WriteJson(groupKey, groupDoc, V3Json);
            }
        }
    }

    /// <summary>
    /// Where consolidated metadata disagrees with the documents it stands for (an entry missing, extra or different),
    /// one line each: what <see cref="Verify"/> reports. xarray reading such a store sees the stale shapes.
    /// </summary>
    internal IEnumerable<string> ConsolidatedMismatches(IReadOnlyList<NodeInfo>? nodes = null)
    {
        nodes ??= ListNodes();
        foreach (var node in nodes.Where(n => n.Kind == NodeKind.Group))
        {
            JsonObject? held = null;
            string where;
            if (node.Format == ZarrFormat.V2)
            {
                held = ReadJson(StoreKeys.Join(node.Path, V2Consolidated))?["metadata"] as JsonObject;
                where = StoreKeys.Join(node.Path, V2Consolidated);
            }
            else
            {
                held = (ReadJson(StoreKeys.Join(node.Path, "zarr.json"))?["consolidated_metadata"] as JsonObject)?["metadata"] as JsonObject;
                where = StoreKeys.Join(node.Path, "zarr.json") + " (consolidated_metadata)";
            }

            if (held is null)
            {
                continue;
            }

            var actual = (JsonObject)BuildConsolidated(node.Path, node.Format, nodes)["metadata"]!;
            foreach (var (key, value) in actual)
            {
                if (!held.TryGetPropertyValue(key, out var h))
                {
                    yield return $"store '{Name}': consolidated metadata '{where}' lacks '{key}' (run `chunkcompute` with --consolidate, or zarr.consolidate_metadata)";
                }
                else if (!JsonNode.DeepEquals(Comparable(h), Comparable(value)))
                {
                    yield return $"store '{Name}': consolidated metadata '{where}' disagrees with the document of '{key}' (readers of consolidated metadata, such as xarray, see a stale version)";
                }
            }

            foreach (var (key, _) in held)
            {
                if (!actual.ContainsKey(key))
                {
                    yield return $"store '{Name}': consolidated metadata '{where}' lists '{key}', which does not exist";
                }
            }
        }
    }

    // An entry compared without nested consolidated metadata (tools differ in how they flatten it).
    private static JsonNode? Comparable(JsonNode? entry)
    {
        if (entry is JsonObject o && o.ContainsKey("consolidated_metadata"))
        {
            var copy = o.DeepClone().AsObject();
            copy.Remove("consolidated_metadata");
            return copy;
        }

        return entry;
    }
}
