using System.Text.Json.Nodes;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.ML;

// The three arrays of a ragged array as one handle set, all opened from one store handle (so at one version).
internal sealed record RaggedParts(ZarrArray Values, ZarrArray Offsets, ZarrArray? Shapes)
{
    public long Count => Offsets.Shape[0] - 1;
}

// The on-disk layout: a group with attributes {"chunkcompute_ragged": {"version": 1, "dtype": …, "record_rank": …}}
// holding "values" (1-D, the records' values back to back in C order), "offsets" (int64, records + 1, offsets[0] = 0)
// and, when record_rank > 1, "shapes" (int64, records × record_rank).
internal static class RaggedLayout
{
    public const string AttributeKey = "chunkcompute_ragged";
    public const int Version = 1;
    public const string ValuesName = "values";
    public const string OffsetsName = "offsets";
    public const string ShapesName = "shapes";

    public static (DataType DataType, int RecordRank) ReadAttributes(ZarrStore store, string path)
    {
        var kind = store.GetNodeKind(path);
        if (kind is null)
        {
            throw new NodeNotFoundException(store.Name, path, "ragged array");
        }

        if (kind == NodeKind.Array)
        {
            throw new InvalidRaggedArrayException(store.Name, path, "an array is there (a ragged array is a group holding 'values' and 'offsets' arrays)");
        }

        var attrs = store.OpenGroup(path).Attributes;
        if (attrs[AttributeKey] is not JsonObject layout)
        {
            throw new InvalidRaggedArrayException(store.Name, path, $"the group has no '{AttributeKey}' attribute");
        }

        try
        {
            int version = layout["version"]?.GetValue<int>() ?? throw new FormatException("'version' is missing");
            if (version != Version)
            {
                throw new FormatException($"layout version {version} is not supported (this library reads version {Version})");
            }

            string dtype = layout["dtype"]?.GetValue<string>() ?? throw new FormatException("'dtype' is missing");
            int rank = layout["record_rank"]?.GetValue<int>() ?? throw new FormatException("'record_rank' is missing");
            if (rank < 1)
            {
                throw new FormatException($"'record_rank' is {rank}; it must be at least 1");
            }

            return (DataType.FromV3Name(dtype), rank);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException)
        {
            throw new InvalidRaggedArrayException(store.Name, path, $"attribute '{AttributeKey}': {ex.Message}", ex);
        }
    }

    public static JsonObject Attributes(DataType dataType, int recordRank) => new()
    {
        [AttributeKey] = new JsonObject
        {
            ["version"] = Version,
            ["dtype"] = dataType.Name,
            ["record_rank"] = recordRank,
        },
    };

    public static RaggedParts Open(ZarrStore store, string path, DataType dataType, int recordRank)
    {
        var values = OpenPart(store, path, ValuesName);
        var offsets = OpenPart(store, path, OffsetsName);
        var shapes = recordRank > 1 ? OpenPart(store, path, ShapesName) : null;
        if (values.DataType != dataType || values.Rank != 1)
        {
            throw new InvalidRaggedArrayException(store.Name, path, $"'values' must be a 1-D {dataType.Name} array (the layout's dtype), but is {values.DataType.Name} [{string.Join(", ", values.Shape)}]");
        }

        if (offsets.DataType != DataType.Int64 || offsets.Rank != 1 || offsets.Shape[0] < 1)
        {
            throw new InvalidRaggedArrayException(store.Name, path, $"'offsets' must be a 1-D int64 array of length records + 1, but is {offsets.DataType.Name} [{string.Join(", ", offsets.Shape)}]");
        }

        long count = offsets.Shape[0] - 1;
        if (shapes is not null && (shapes.DataType != DataType.Int64 || shapes.Rank != 2 || shapes.Shape[1] != recordRank || shapes.Shape[0] < count))
        {
            throw new InvalidRaggedArrayException(store.Name, path, $"'shapes' must be an int64 array of shape [records ({count}), {recordRank}], but is {shapes.DataType.Name} [{string.Join(", ", shapes.Shape)}]");
        }

        long end = offsets.Read<long>(new ArraySubset([count], [1]))[0];
        if (end > values.Shape[0])
        {
            throw new InvalidRaggedArrayException(store.Name, path, $"the last offset ({end}) is beyond the end of 'values' ({values.Shape[0]})");
        }

        return new RaggedParts(values, offsets, shapes);
    }

    private static ZarrArray OpenPart(ZarrStore store, string path, string name)
    {
        try
        {
            return store.OpenArray(StoreKeys.Join(path, name));
        }
        catch (NodeNotFoundException ex)
        {
            throw new InvalidRaggedArrayException(store.Name, path, $"its '{name}' array is missing", ex);
        }
    }

    // Creates the group and its arrays on a handle that writes in place (a transaction's, or a plain store);
    // the layout attribute is written last, so an interrupted creation is not mistaken for a ragged array.
    public static void Create(ZarrStore store, string path, DataType dataType, int recordRank, int valuesChunk, RaggedArrayOptions options)
    {
        if (store.GetNodeKind(path) is { } existing)
        {
            if (!options.Overwrite)
            {
                throw new InvalidOperationException($"a{(existing == NodeKind.Array ? "n array" : " group")} already exists at '{path}' in store '{store.Name}'; pass Overwrite = true to replace it");
            }

            store.Delete(path);
        }

        var group = store.CreateGroup(path, format: options.Format);
        var arrayOptions = new ArrayOptions { Format = group.Format, Compression = options.Compression };
        store.CreateArray(StoreKeys.Join(path, ValuesName), dataType, [0], [valuesChunk], arrayOptions);
        store.CreateArray(StoreKeys.Join(path, OffsetsName), DataType.Int64, [1], [options.OffsetsChunk], arrayOptions); // fill 0: offsets[0] = 0
        if (recordRank > 1)
        {
            store.CreateArray(StoreKeys.Join(path, ShapesName), DataType.Int64, [0, recordRank], [options.OffsetsChunk, recordRank], arrayOptions);
        }

        group.SetAttributes(Attributes(dataType, recordRank));
    }
}
