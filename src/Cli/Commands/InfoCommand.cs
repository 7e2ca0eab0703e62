using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChunkCompute.Storage;

namespace ChunkCompute.Cli.Commands;

/// <summary><c>chunkcompute info STORE [--array PATH] [--json] [--svg FILE]</c>: the hierarchy, or one array in detail.</summary>
internal static class InfoCommand
{
    public static Command Create(CliContext context)
    {
        var store = new Argument<string>("STORE") { Description = "Path of the Zarr store (a directory)." };
        var array = new Option<string?>("--array") { Description = "Show only the node at this path." };
        var memory = CliOptions.MemoryUnused();
        var json = CliOptions.Json("store, nodes (path, kind, format, dtype, shape, chunks, fill_value, codecs, logical_bytes, stored_bytes, chunks_stored, chunks_total, attributes)");
        var svg = new Option<string?>("--svg") { Description = "Also draw the array's chunk grid (with --array) into this SVG file." };
        var command = new Command("info", "Show a store's groups and arrays: shape, dtype, chunks, codecs, bytes stored vs logical.") { store, memory, array, json, svg };
        command.SetAction(parse =>
        {
            _ = CliParsing.ParseSize(parse.GetValue(memory)!, "--memory");
            string path = parse.GetValue(store)!;
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
                var doc = new JsonObject { ["store"] = zarr.Name, ["nodes"] = new JsonArray(described.ToArray<JsonNode?>()) };
                context.Out.WriteLine(doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                context.Out.WriteLine(zarr.Name);
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

        var a = store.OpenArray(node.Path);
        long logical = a.ElementCount * a.DataType.Size;
        long stored = a.StoredBytes();
        o["dtype"] = a.DataType.Name;
        o["shape"] = new JsonArray(a.Shape.Select(s => (JsonNode)s).ToArray());
        o["chunks"] = new JsonArray(a.ChunkShape.Select(s => (JsonNode)s).ToArray());
        o["fill_value"] = a.Metadata.FillValueIsNull ? null : a.DataType.FormatFillValue(a.Metadata.FillValue);
        o["codecs"] = a.Metadata.Codecs.ToV3Json();
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

        long logical = node["logical_bytes"]!.GetValue<long>();
        long stored = node["stored_bytes"]!.GetValue<long>();
        string ratio = stored > 0 ? ((double)logical / stored).ToString("0.00", CultureInfo.InvariantCulture) + "x" : "-";
        var codecs = node["codecs"]!.AsArray().Select(c => CodecLabel(c!.AsObject()));
        w.WriteLine($"{indent}{name}  array {node["dtype"]} shape [{Join(node["shape"])}] chunks [{Join(node["chunks"])}] (zarr v{node["format"]})");
        w.WriteLine($"{indent}  codecs: {string.Join(" -> ", codecs)}; fill_value {node["fill_value"]?.ToJsonString() ?? "null"}");
        w.WriteLine($"{indent}  bytes: {ByteSize.Format(logical)} logical, {ByteSize.Format(stored)} stored (ratio {ratio}); chunks stored {node["chunks_stored"]} of {node["chunks_total"]}");
    }

    private static string CodecLabel(JsonObject codec)
    {
        string name = codec["name"]!.GetValue<string>();
        if (codec["configuration"] is not JsonObject cfg || cfg.Count == 0)
        {
            return name;
        }

        return name + "(" + string.Join(", ", cfg.Where(kv => kv.Value is JsonValue).Select(kv => $"{kv.Key}={kv.Value!.ToJsonString().Trim('"')}")) + ")";
    }

    private static string Join(JsonNode? array) => string.Join(", ", array!.AsArray().Select(x => x!.ToJsonString()));
}
