using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChunkCompute.Storage;

public sealed partial class ZarrStore
{
    private ArrayMetadata ParseMetadata(string path, string key, Func<ArrayMetadata> parse)
    {
        try
        {
            return parse();
        }
        catch (UnsupportedCodecException ex)
        {
            throw new UnsupportedCodecException(ex.Codec, $"{ex.Detail} (array '{path}' in store '{Name}')");
        }
        catch (UnsupportedDataTypeException ex)
        {
            throw new UnsupportedDataTypeException(ex.DataType, $"{ex.Detail} (array '{path}' in store '{Name}')");
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or ArgumentException or OverflowException or JsonException)
        {
            throw new InvalidMetadataException(Name, key, ex.Message, ex);
        }
    }

    // A v3 document's node_type: "array" or "group"; anything else (a number, a missing field) names the document.
    private string NodeType(JsonObject v3, string key) =>
        v3["node_type"] is JsonValue v && v.TryGetValue(out string? type) && type is "array" or "group"
            ? type
            : throw new InvalidMetadataException(Name, key, $"node_type {v3["node_type"]?.ToJsonString() ?? "(missing)"} is not \"array\" or \"group\"");

    private JsonObject? ReadJson(string key)
    {
        var bytes = Store.Get(key);
        if (bytes is null)
        {
            return null;
        }

        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            // System.Text.Json checks string contents lazily: a bad byte would surface later as a raw exception.
            throw new InvalidMetadataException(Name, key, "the document is not valid UTF-8");
        }

        try
        {
            // Duplicate keys are refused while parsing (JsonObject would otherwise throw a raw ArgumentException when
            // first indexed, outside any handler that names the document).
            return JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false, AllowDuplicateProperties = false }) as JsonObject
                ?? throw new InvalidMetadataException(Name, key, "the document is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new InvalidMetadataException(Name, key, "malformed JSON: " + ex.Message, ex);
        }
    }

    private void WriteJson(string key, JsonNode json, JsonSerializerOptions options)
    {
        // JsonNode.ToJsonString writes with the options' writer settings (indent, encoder) like the serializer did,
        // without its reflection-based type resolution (trimming and Native AOT safe).
        var bytes = Encoding.UTF8.GetBytes(json.ToJsonString(options));
        Store.Set(key, ReferenceEquals(options, V2Json) ? EscapeNonAscii(bytes) : bytes);
    }

    // zarr-python 2 decodes .zarray, .zgroup and .zattrs as ASCII (json_loads(ensure_text(s, 'ascii'))) and writes them
    // with ensure_ascii=True, so v2 documents must \u-escape non-ASCII text. It can only occur inside JSON strings.
    private static byte[] EscapeNonAscii(byte[] utf8)
    {
        if (Ascii.IsValid(utf8))
        {
            return utf8;
        }

        var sb = new StringBuilder(utf8.Length + 64);
        foreach (char ch in Encoding.UTF8.GetString(utf8))
        {
            if (ch < 0x80)
            {
                sb.Append(ch);
            }
            else
            {
                sb.Append("\\u").Append(((int)ch).ToString("x4", CultureInfo.InvariantCulture));
            }
        }

        return Encoding.ASCII.GetBytes(sb.ToString());
    }
}
