using System.Text.Json;
using System.Text.Json.Nodes;
using ChunkCompute.Storage.Codecs;

namespace ChunkCompute.Storage;

/// <summary>
/// An array's metadata in a format-neutral form: shape, regular chunk grid, data type, fill value, chunk keys and the
/// codec chain. Parsed from and written back to Zarr v2 (<c>.zarray</c> + <c>.zattrs</c>) or v3 (<c>zarr.json</c>).
/// Immutable; <see cref="WithShape"/> and <see cref="WithAttributes"/> return changed copies.
/// </summary>
public sealed class ArrayMetadata
{
    private readonly long[] _shape;
    private readonly int[] _chunkShape;
    private readonly byte[] _fillValue;

    private ArrayMetadata(
        ZarrFormat format, long[] shape, int[] chunkShape, DataType dataType, byte[] fillValue, bool fillValueIsNull,
        ChunkKeyEncoding keyEncoding, CodecPipeline codecs, JsonObject attributes, string?[]? dimensionNames,
        JsonObject? v2Compressor, JsonArray? v2Filters, char v2Order, bool v2BigEndian)
    {
        Format = format;
        _shape = shape;
        _chunkShape = chunkShape;
        DataType = dataType;
        _fillValue = fillValue;
        FillValueIsNull = fillValueIsNull;
        ChunkKeyEncoding = keyEncoding;
        Codecs = codecs;
        Attributes = attributes;
        DimensionNames = dimensionNames;
        V2Compressor = v2Compressor;
        V2Filters = v2Filters;
        V2Order = v2Order;
        V2BigEndian = v2BigEndian;
    }

    /// <summary>Zarr v2 or v3.</summary>
    public ZarrFormat Format { get; }

    /// <summary>The array's shape in elements.</summary>
    public IReadOnlyList<long> Shape => _shape;

    /// <summary>The regular chunk shape in elements (for a sharded array: the shard shape).</summary>
    public IReadOnlyList<int> ChunkShape => _chunkShape;

    /// <summary>The element type.</summary>
    public DataType DataType { get; }

    /// <summary>The fill value as one little-endian element.</summary>
    public ReadOnlySpan<byte> FillValue => _fillValue;

    /// <summary>True when a Zarr v2 <c>fill_value</c> is JSON null (missing chunks then read as zeros).</summary>
    public bool FillValueIsNull { get; }

    /// <summary>How chunk indices become keys.</summary>
    public ChunkKeyEncoding ChunkKeyEncoding { get; }

    /// <summary>The bound codec chain.</summary>
    public CodecPipeline Codecs { get; }

    /// <summary>User attributes (<c>.zattrs</c> or <c>attributes</c>). Do not mutate; use <see cref="WithAttributes"/>.</summary>
    public JsonObject Attributes { get; }

    /// <summary>Zarr v3 <c>dimension_names</c>, or null.</summary>
    public IReadOnlyList<string?>? DimensionNames { get; }

    /// <summary>Zarr v2 compressor object as stored, or null.</summary>
    public JsonObject? V2Compressor { get; }

    /// <summary>Zarr v2 filters as stored, or null.</summary>
    public JsonArray? V2Filters { get; }

    /// <summary>Zarr v2 <c>order</c>: 'C' or 'F'.</summary>
    public char V2Order { get; }

    /// <summary>True when the Zarr v2 dtype is big-endian (<c>&gt;</c>).</summary>
    public bool V2BigEndian { get; }

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Elements in the array.</summary>
    public long ElementCount => _shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Elements in one (full) chunk.</summary>
    public long ChunkElementCount => _chunkShape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Chunks per dimension (ceil(shape / chunk)).</summary>
    public long[] GridShape() => _shape.Select((s, d) => (s + _chunkShape[d] - 1) / _chunkShape[d]).ToArray();

    internal long[] ShapeArray => _shape;

    internal int[] ChunkShapeArray => _chunkShape;

    internal long[] ChunkShapeLong => Array.ConvertAll(_chunkShape, c => (long)c);

    internal byte[] FillValueArray => _fillValue;

    /// <summary>Creates metadata for a new array.</summary>
    public static ArrayMetadata Create(ZarrFormat format, DataType dataType, long[] shape, int[] chunks, ArrayOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataType);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(chunks);
        ArgumentNullException.ThrowIfNull(options);
        ValidateGrid(shape, chunks);
        var fill = dataType.ParseFillValue(options.FillValue);
        var attributes = options.Attributes?.DeepClone().AsObject() ?? [];
        var compression = options.Compression ?? Compression.Default;
        if (format == ZarrFormat.V2)
        {
            if (options.ShardShape is not null || options.Checksum || options.DimensionNames is not null)
            {
                throw new ArgumentException("ShardShape, Checksum and DimensionNames are Zarr v3 features; use Format = ZarrFormat.V3", nameof(options));
            }

            var sep = options.Separator ?? '.';
            var compressor = compression.ToV2Json(dataType.Size);
            char order = options.FortranOrder ? 'F' : 'C';
            var pipeline = CodecPipeline.FromV2(compressor, null, order, dataType, false, shape.Length);
            return new ArrayMetadata(format, shape, chunks, dataType, fill, false, new ChunkKeyEncoding(true, sep), pipeline, attributes, null, compressor, null, order, false);
        }

        var codecs = new JsonArray();
        if (options.FortranOrder && shape.Length > 1)
        {
            codecs.Add(TransposeCodec.FortranOrder(shape.Length, dataType.Size).ToV3Json());
        }

        var bytes = new BytesCodec(dataType.Size).ToV3Json();
        var innerCodecs = new JsonArray { bytes };
        foreach (var c in compression.ToV3Json(dataType.Size))
        {
            innerCodecs.Add(c);
        }

        if (options.Checksum)
        {
            innerCodecs.Add(new JsonObject { ["name"] = "crc32c" });
        }

        if (options.ShardShape is { } shard)
        {
            ValidateGrid(shape, shard);
            for (int d = 0; d < shard.Length; d++)
            {
                if (shard[d] % chunks[d] != 0)
                {
                    throw new ArgumentException($"shard shape [{string.Join(", ", shard)}] must be a multiple of the chunk shape [{string.Join(", ", chunks)}]", nameof(options));
                }
            }

            codecs.Add(new JsonObject
            {
                ["name"] = "sharding_indexed",
                ["configuration"] = new JsonObject
                {
                    ["chunk_shape"] = new JsonArray(chunks.Select(c => (JsonNode)c).ToArray()),
                    ["codecs"] = innerCodecs,
                    ["index_codecs"] = new JsonArray(new BytesCodec(8).ToV3Json(), new JsonObject { ["name"] = "crc32c" }),
                    ["index_location"] = "end",
                },
            });
            chunks = shard;
        }
        else
        {
            foreach (var c in innerCodecs.ToArray())
            {
                innerCodecs.Remove(c);
                codecs.Add(c);
            }
        }

        var v3pipeline = CodecPipeline.FromV3(codecs, dataType, fill);
        var key = options.Separator is '.' ? new ChunkKeyEncoding(false, '.') : ChunkKeyEncoding.Default;
        return new ArrayMetadata(format, shape, chunks, dataType, fill, false, key, v3pipeline, attributes, options.DimensionNames?.ToArray(), null, null, 'C', false);
    }

    private static void ValidateGrid(long[] shape, int[] chunks)
    {
        if (shape.Length != chunks.Length)
        {
            throw new ArgumentException($"shape [{string.Join(", ", shape)}] has {shape.Length} dimensions but chunks [{string.Join(", ", chunks)}] has {chunks.Length}");
        }

        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(shape), $"shape [{string.Join(", ", shape)}] has a negative dimension");
            }

            if (chunks[d] <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(chunks), $"chunks [{string.Join(", ", chunks)}] must be positive");
            }
        }

        long chunkBytes = chunks.Aggregate(1L, (a, b) => a * b);
        if (chunkBytes > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(chunks), $"a chunk of [{string.Join(", ", chunks)}] holds {chunkBytes} elements; the limit is {Array.MaxLength} bytes per chunk");
        }
    }

    /// <summary>A copy with a new shape (chunks and codecs unchanged).</summary>
    public ArrayMetadata WithShape(long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ValidateGrid(shape, _chunkShape);
        return new ArrayMetadata(Format, (long[])shape.Clone(), _chunkShape, DataType, _fillValue, FillValueIsNull, ChunkKeyEncoding, Codecs, Attributes, DimensionNames?.ToArray(), V2Compressor, V2Filters, V2Order, V2BigEndian);
    }

    /// <summary>A copy with new attributes.</summary>
    public ArrayMetadata WithAttributes(JsonObject attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        return new ArrayMetadata(Format, _shape, _chunkShape, DataType, _fillValue, FillValueIsNull, ChunkKeyEncoding, Codecs, attributes.DeepClone().AsObject(), DimensionNames?.ToArray(), V2Compressor, V2Filters, V2Order, V2BigEndian);
    }

    /// <summary>Parses a Zarr v3 array <c>zarr.json</c>.</summary>
    /// <exception cref="FormatException">A field is missing or malformed.</exception>
    public static ArrayMetadata ParseV3(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json["zarr_format"]?.GetValue<int>() != 3 || json["node_type"]?.GetValue<string>() != "array")
        {
            throw new FormatException("not a Zarr v3 array document (zarr_format 3, node_type \"array\")");
        }

        var shape = ReadLongs(json, "shape");
        var dataTypeNode = json["data_type"] ?? throw new FormatException("missing data_type");
        string dtName = dataTypeNode is JsonValue ? dataTypeNode.GetValue<string>() : dataTypeNode["name"]?.GetValue<string>() ?? throw new FormatException("data_type has no name");
        var dataType = DataType.FromV3Name(dtName);
        var grid = json["chunk_grid"] as JsonObject ?? throw new FormatException("missing chunk_grid");
        string gridName = grid["name"]?.GetValue<string>() ?? throw new FormatException("chunk_grid has no name");
        if (gridName != "regular")
        {
            throw new UnsupportedCodecException(gridName, "only the 'regular' chunk grid is supported");
        }

        var chunks = ReadLongs(grid["configuration"] as JsonObject ?? throw new FormatException("chunk_grid has no configuration"), "chunk_shape").Select(c => checked((int)c)).ToArray();
        ValidateGrid(shape, chunks);
        if (!json.ContainsKey("fill_value"))
        {
            throw new FormatException("missing fill_value");
        }

        var fill = dataType.ParseFillValue(json["fill_value"]);
        var key = ChunkKeyEncoding.FromV3(json["chunk_key_encoding"]);
        if (json["storage_transformers"] is JsonArray st && st.Count > 0)
        {
            throw new UnsupportedCodecException(st[0]?["name"]?.ToString() ?? "storage_transformer", "storage transformers are not supported");
        }

        var codecs = json["codecs"] as JsonArray ?? throw new FormatException("missing codecs");
        var pipeline = CodecPipeline.FromV3(codecs, dataType, fill);
        var attributes = json["attributes"] is JsonObject a ? a.DeepClone().AsObject() : [];
        string?[]? names = json["dimension_names"] is JsonArray dn ? dn.Select(n => n?.GetValue<string>()).ToArray() : null;
        return new ArrayMetadata(ZarrFormat.V3, shape, chunks, dataType, fill, false, key, pipeline, attributes, names, null, null, 'C', false);
    }

    /// <summary>Parses a Zarr v2 <c>.zarray</c> and its optional <c>.zattrs</c>.</summary>
    /// <exception cref="FormatException">A field is missing or malformed.</exception>
    public static ArrayMetadata ParseV2(JsonObject zarray, JsonObject? zattrs)
    {
        ArgumentNullException.ThrowIfNull(zarray);
        if (zarray["zarr_format"]?.GetValue<int>() != 2)
        {
            throw new FormatException("zarr_format is not 2");
        }

        var shape = ReadLongs(zarray, "shape");
        var chunks = ReadLongs(zarray, "chunks").Select(c => checked((int)c)).ToArray();
        ValidateGrid(shape, chunks);
        var dtypeNode = zarray["dtype"] ?? throw new FormatException("missing dtype");
        if (dtypeNode is not JsonValue)
        {
            throw new UnsupportedDataTypeException(dtypeNode.ToJsonString(), "structured dtypes are not supported");
        }

        var dataType = DataType.FromNumpyTypestr(dtypeNode.GetValue<string>(), out bool bigEndian);
        var fillNode = zarray["fill_value"];
        var fill = dataType.ParseFillValue(fillNode);
        string order = zarray["order"]?.GetValue<string>() ?? "C";
        if (order is not ("C" or "F"))
        {
            throw new FormatException($"order '{order}' is not 'C' or 'F'");
        }

        string sep = zarray["dimension_separator"]?.GetValue<string>() ?? ".";
        if (sep is not ("." or "/"))
        {
            throw new FormatException($"dimension_separator '{sep}' is not '.' or '/'");
        }

        var compressor = zarray["compressor"] as JsonObject;
        var filters = zarray["filters"] as JsonArray;
        var pipeline = CodecPipeline.FromV2(zarray["compressor"], zarray["filters"], order[0], dataType, bigEndian, shape.Length);
        return new ArrayMetadata(
            ZarrFormat.V2, shape, chunks, dataType, fill, fillNode is null, new ChunkKeyEncoding(true, sep[0]), pipeline,
            zattrs?.DeepClone().AsObject() ?? [], null,
            compressor?.DeepClone().AsObject(), filters?.DeepClone().AsArray(), order[0], bigEndian);
    }

    /// <summary>The Zarr v3 <c>zarr.json</c> document.</summary>
    public JsonObject ToV3Json()
    {
        var json = new JsonObject
        {
            ["zarr_format"] = 3,
            ["node_type"] = "array",
            ["shape"] = new JsonArray(_shape.Select(s => (JsonNode)s).ToArray()),
            ["data_type"] = DataType.Name,
            ["chunk_grid"] = new JsonObject
            {
                ["name"] = "regular",
                ["configuration"] = new JsonObject { ["chunk_shape"] = new JsonArray(_chunkShape.Select(s => (JsonNode)s).ToArray()) },
            },
            ["chunk_key_encoding"] = ChunkKeyEncoding.ToV3Json(),
            ["fill_value"] = DataType.FormatFillValue(_fillValue),
            ["codecs"] = Codecs.ToV3Json(),
            ["attributes"] = Attributes.DeepClone(),
        };
        if (DimensionNames is not null)
        {
            json["dimension_names"] = new JsonArray(DimensionNames.Select(n => n is null ? null : (JsonNode)n).ToArray());
        }

        return json;
    }

    /// <summary>The Zarr v2 <c>.zarray</c> document, keys sorted as zarr-python writes them.</summary>
    public JsonObject ToV2Json()
    {
        return new JsonObject
        {
            ["chunks"] = new JsonArray(_chunkShape.Select(s => (JsonNode)s).ToArray()),
            ["compressor"] = V2Compressor?.DeepClone(),
            ["dimension_separator"] = ChunkKeyEncoding.Separator.ToString(),
            ["dtype"] = DataType.ToNumpyTypestr(V2BigEndian),
            ["fill_value"] = FillValueIsNull ? null : DataType.FormatFillValue(_fillValue),
            ["filters"] = V2Filters?.DeepClone(),
            ["order"] = V2Order.ToString(),
            ["shape"] = new JsonArray(_shape.Select(s => (JsonNode)s).ToArray()),
            ["zarr_format"] = 2,
        };
    }

    private static long[] ReadLongs(JsonObject json, string name)
    {
        if (json[name] is not JsonArray a)
        {
            throw new FormatException($"missing or non-list '{name}'");
        }

        return a.Select(x => x is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.GetValue<long>() : throw new FormatException($"'{name}' holds a non-integer {x?.ToJsonString() ?? "null"}")).ToArray();
    }
}
