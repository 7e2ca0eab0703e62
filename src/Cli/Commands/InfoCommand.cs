using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChunkCompute.Storage;

namespace ChunkCompute.Cli.Commands;

/// <summary>
/// <c>chunkcompute info STORE [--array PATH] [--json] [--svg FILE]</c>: the hierarchy, or one array in detail. v2
/// arrays are shown in v2 terms (compressor, filters, order, dimension_separator), v3 arrays by their codec chain;
/// an array of a data type ChunkCompute cannot read (strings, structured) is listed as unsupported. Reading never writes.
/// </summary>
internal static class InfoCommand
{
    public static Command Create(CliContext context)
    {
        var store = new Argument<string>("STORE") { Description = "The Zarr store: a directory, or an s3://, az:// or http(s):// URL." };
        var array = new Option<string?>("--array") { Description = "Show only the node at this path." };
        var memory = CliOptions.MemoryUnused();
        var json = CliOptions.Json("store, snapshot_pinned, nodes (path, kind, format, supported, dtype, shape, chunks, fill_value, codecs, v2: compressor, filters, order, dimension_separator; dimension_names, logical_bytes, stored_bytes, chunks_stored, chunks_total, attributes)");
        var svg = new Option<string?>("--svg") { Description = "Also draw the array's chunk grid (with --array) into this SVG file." };
        var command = new Command("info", "Show a store's groups and arrays: shape, dtype, chunks, codecs, bytes stored vs logical.") { store, memory, array, json, svg };
        command.SetAction(parse =>
        {
            _ = CliParsing.ParseSize(parse.GetValue(memory)!, "--memory");
            string path = parse.GetValue(store)!;
            CliPaths.RequireStore("info", "info STORE", "STORE", path);
            using var zarr = ZarrStore.OpenExisting(path);
            var nodes = zarr.ListNodes(parse.GetValue(array) ?? string.Empty);
            if (nodes.Count == 0)
            {
                throw new NodeNotFoundException(zarr.Name, parse.GetValue(array) ?? string.Empty, "array or group");
            }

            if (parse.GetValue(svg) is string svgFile)
            {
                ChunkGridSvg.Save(zarr, parse.GetValue(array), svgFile);
            }

            var described = nodes.Select(n => Describe(zarr, n)).ToList();
            if (parse.GetValue(json))
            {
                var doc = new JsonObject { ["store"] = zarr.Name, ["snapshot_pinned"] = zarr.IsSnapshotPinned, ["nodes"] = new JsonArray(described.ToArray<JsonNode?>()) };
                context.Out.WriteLine(doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                context.Out.WriteLine(zarr.Name);
                if (parse.GetValue(CliOptions.Verbose) && !zarr.IsSnapshotPinned)
                {
                    string why = zarr.IsReadOnly ? "its transaction log is read-only for this process"
                        : zarr.Version is null or 0 ? "the store has no transaction log yet: another tool wrote it"
                        : "snapshot pins are unavailable";
                    context.Out.WriteLine($"note: read without a snapshot pin ({why}): a concurrent writer could change what is read");
                }

                foreach (var node in described)
                {
                    WriteText(context.Out, node);
                }
            }

            return 0;
        });
        return command;
    }

    private static JsonObject Describe(ZarrStore store, NodeInfo node)
    {
        var o = new JsonObject
        {
            ["path"] = node.Path,
            ["kind"] = node.Kind == NodeKind.Array ? "array" : "group",
            ["format"] = (int)node.Format,
        };
        if (node.Kind == NodeKind.Group)
        {
            o["attributes"] = store.OpenGroup(node.Path).Attributes;
            return o;
        }

        ZarrArray a;
        try
        {
            a = store.OpenArray(node.Path);
        }
        catch (UnsupportedDataTypeException ex)
        {
            o["supported"] = false;
            o["dtype"] = ex.DataType;
            o["reason"] = ex.Message;
            return o;
        }

        o["supported"] = true;
        // Variable-length strings have no fixed logical size: null (text: "variable").
        long? logical = a.DataType.IsVariableLength ? null : a.ElementCount * a.DataType.Size;
        long stored = a.StoredBytes();
        o["dtype"] = a.DataType.Name;
        o["shape"] = new JsonArray(a.Shape.Select(s => (JsonNode)s).ToArray());
        o["chunks"] = new JsonArray(a.ChunkShape.Select(s => (JsonNode)s).ToArray());
        o["fill_value"] = a.Metadata.FillValueIsNull ? null : a.DataType.FormatFillValue(a.Metadata.FillValue);
        o["codecs"] = a.Metadata.Codecs.ToV3Json();
        if (a.Metadata.Format == ZarrFormat.V2)
        {
            var v2 = a.Metadata.ToV2Json();
            o["compressor"] = v2["compressor"]?.DeepClone();
            o["filters"] = v2["filters"]?.DeepClone();
            o["order"] = v2["order"]?.DeepClone();
            o["dimension_separator"] = v2["dimension_separator"]?.DeepClone();
        }

        o["dimension_names"] = a.Metadata.DimensionNames is { } names ? new JsonArray(names.Select(n => (JsonNode?)n).ToArray()) : null;
        o["logical_bytes"] = logical;
        o["stored_bytes"] = stored;
        o["chunks_stored"] = a.StoredChunkCount();
        o["chunks_total"] = a.GridShape.Aggregate(1L, (x, y) => x * y);
        o["attributes"] = a.Attributes;
        return o;
    }

    private static void WriteText(TextWriter w, JsonObject node)
    {
        string path = node["path"]!.GetValue<string>();
        string name = path.Length == 0 ? "/" : "/" + path;
        int depth = path.Length == 0 ? 0 : path.Count(c => c == '/') + 1;
        string indent = new(' ', depth * 2);
        if (node["kind"]!.GetValue<string>() == "group")
        {
            w.WriteLine($"{indent}{name}  group (zarr v{node["format"]})");
            return;
        }

        if (node["supported"]?.GetValue<bool>() == false)
        {
            w.WriteLine($"{indent}{name}  array (zarr v{node["format"]}) unsupported{(node["dtype"] is { } dt ? $": dtype {dt.GetValue<string>()}" : string.Empty)} ({node["reason"]})");
            return;
        }

        long? logical = node["logical_bytes"]?.GetValue<long>();
        long stored = node["stored_bytes"]!.GetValue<long>();
        string ratio = stored > 0 && logical is { } l ? ((double)l / stored).ToString("0.00", CultureInfo.InvariantCulture) + "x" : "-";
        w.WriteLine($"{indent}{name}  array {node["dtype"]} shape [{Join(node["shape"])}] chunks [{Join(node["chunks"])}] (zarr v{node["format"]})");
        if (node["dimension_names"] is JsonArray dims)
        {
            w.WriteLine($"{indent}  dims: ({string.Join(", ", dims.Select(d => d?.GetValue<string>() ?? "-"))})");
        }

        string fill = node["fill_value"]?.ToJsonString() ?? "null";
        if (node["format"]!.GetValue<int>() == 2)
        {
            string compressor = node["compressor"] is JsonObject c ? CodecLabel(c, "id") : "none";
            string filters = node["filters"] is JsonArray f && f.Count > 0 ? string.Join(", ", f.Select(x => CodecLabel(x!.AsObject(), "id"))) : "none";
            w.WriteLine($"{indent}  compressor: {compressor}; filters: {filters}; order {node["order"]}; dimension_separator '{node["dimension_separator"]}'; fill_value {fill}");
        }
        else
        {
            var codecs = node["codecs"]!.AsArray().Select(c => CodecLabel(c!.AsObject(), "name"));
            w.WriteLine($"{indent}  codecs: {string.Join(" -> ", codecs)}; fill_value {fill}");
        }

        w.WriteLine($"{indent}  bytes: {(logical is { } lb ? ByteSize.Format(lb) : "variable")} logical, {ByteSize.Format(stored)} stored (ratio {ratio}); chunks stored {node["chunks_stored"]} of {node["chunks_total"]}");
    }

    // A v3 codec ("name" and "configuration") or a numcodecs config ("id" and the other keys) as name(key=value, ...).
    private static string CodecLabel(JsonObject codec, string nameKey)
    {
        string name = codec[nameKey]?.ToString() ?? "?";
        var cfg = nameKey == "id" ? codec.Where(kv => kv.Key != "id") : (codec["configuration"] as JsonObject)?.AsEnumerable() ?? [];
        var pairs = cfg.Where(kv => kv.Value is JsonValue).Select(kv => $"{kv.Key}={kv.Value!.ToJsonString().Trim('"')}").ToList();
        return pairs.Count == 0 ? name : name + "(" + string.Join(", ", pairs) + ")";
    }

    private static string Join(JsonNode? array) => string.Join(", ", array!.AsArray().Select(x => x!.ToJsonString()));
}
