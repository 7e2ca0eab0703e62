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
    public long[] GridShape() => _shape.Select((s, d) => CeilDiv(s, _chunkShape[d])).ToArray();

    // ceil(s / c) without computing s + c - 1 (which overflows for s near long.MaxValue).
    private static long CeilDiv(long s, long c) => (s / c) + (s % c == 0 ? 0 : 1);

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
        ValidateGrid(shape, chunks, dataType.Size);
        var fill = dataType.ParseFillValue(options.FillValue);
        var attributes = options.Attributes?.DeepClone().AsObject() ?? [];
        var compression = options.Compression ?? Compression.Default;
        if (format == ZarrFormat.V2)
        {
            if (options.ShardShape is not null || options.Checksum)
            {
                throw new ArgumentException("ShardShape and Checksum are Zarr v3 features; use Format = ZarrFormat.V3", nameof(options));
            }

            var v2Names = CheckDimensionNames(options.DimensionNames, shape.Length);
            if (v2Names is not null)
            {
                // xarray's convention for v2: the names as the array attribute _ARRAY_DIMENSIONS.
                attributes[ArrayDimensionsAttribute] = new JsonArray(v2Names.Select(n => (JsonNode?)n).ToArray());
            }

            var sep = options.Separator ?? '.';
            int typesize = dataType.IsVariableLength ? 1 : dataType.Size;
            var compressor = compression.ToV2Json(typesize);
            char order = options.FortranOrder ? 'F' : 'C';
            JsonArray? filters = dataType.IsVariableLength ? [(JsonNode)new JsonObject { ["id"] = "vlen-utf8" }] : null;
            var pipeline = CodecPipeline.FromV2(compressor, filters, order, dataType, false, shape.Length);
            return new ArrayMetadata(format, shape, chunks, dataType, fill, false, new ChunkKeyEncoding(true, sep), pipeline, attributes, v2Names, compressor, filters, order, false);
        }

        if (dataType.IsString)
        {
            if (options.ShardShape is not null || options.Checksum || (options.FortranOrder && shape.Length > 1))
            {
                throw new ArgumentException("string arrays support neither ShardShape, Checksum nor FortranOrder", nameof(options));
            }
        }

        var codecs = new JsonArray();
        if (options.FortranOrder && shape.Length > 1)
        {
            codecs.Add((JsonNode)TransposeCodec.FortranOrder(shape.Length, dataType.Size).ToV3Json());
        }

        var bytes = dataType.IsVariableLength ? VlenUtf8Codec.Instance.ToV3Json() : new BytesCodec(dataType.Size).ToV3Json();
        var innerCodecs = new JsonArray { (JsonNode)bytes };
        foreach (var c in compression.ToV3Json(dataType.IsVariableLength ? 1 : dataType.Size))
        {
            innerCodecs.Add((JsonNode?)c);
        }

        if (options.Checksum)
        {
            innerCodecs.Add((JsonNode)new JsonObject { ["name"] = "crc32c" });
        }

        if (options.ShardShape is { } shard)
        {
            ValidateGrid(shape, shard, dataType.Size, "shard shape");
            for (int d = 0; d < shard.Length; d++)
            {
                if (shard[d] % chunks[d] != 0)
                {
                    throw new ArgumentException($"shard shape [{string.Join(", ", shard)}] must be a multiple of the chunk shape [{string.Join(", ", chunks)}]", nameof(options));
                }
            }

            codecs.Add((JsonNode)new JsonObject
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
        return new ArrayMetadata(format, shape, chunks, dataType, fill, false, key, v3pipeline, attributes, CheckDimensionNames(options.DimensionNames, shape.Length), null, null, 'C', false);
    }

    /// <summary>
    /// Checks a shape and a chunk shape: same rank, no negative extent, positive chunks; the array's element count,
    /// byte size, chunk count and chunk-padded extent (grid × chunk per dimension) all fit an Int64; and one chunk's
    /// bytes fit one buffer (<see cref="Array.MaxLength"/>). Overflow is refused here, at parse or create time, so no
    /// later computation (grid, sizes, chunk ends, keys) can wrap. A large array (e.g. [1e15]) with reasonable chunks
    /// is valid.
    /// </summary>
    private static void ValidateGrid(long[] shape, int[] chunks, int elementSize, string chunksField = "chunks")
    {
        string shapeText = $"[{string.Join(", ", shape)}]";
        string chunksText = $"[{string.Join(", ", chunks)}]";
        if (shape.Length != chunks.Length)
        {
            throw new ArgumentException($"shape {shapeText} has {shape.Length} dimensions but {chunksField} {chunksText} has {chunks.Length}");
        }

        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(shape), $"shape {shapeText} has a negative dimension");
            }

            if (chunks[d] <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(chunks), $"{chunksField} {chunksText} must be positive");
            }
        }

        long chunkElements = 1;
        long elements = 1;
        long gridCount = 1;
        for (int d = 0; d < shape.Length; d++)
        {
            if (!TryMultiply(chunkElements, chunks[d], out chunkElements) || !TryMultiply(chunkElements, elementSize, out _)
                || chunkElements * elementSize > Array.MaxLength)
            {
                throw new ArgumentOutOfRangeException(nameof(chunks), $"a chunk of {chunksField} {chunksText} holds more than {Array.MaxLength} bytes of {elementSize}-byte elements: chunks over 2 GiB are not supported (the limit for one chunk buffer)");
            }

            if (!TryMultiply(elements, shape[d], out elements) || !TryMultiply(elements, elementSize, out _))
            {
                throw new ArgumentOutOfRangeException(nameof(shape), $"shape {shapeText} holds more elements or bytes than a 64-bit integer can count");
            }

            long grid = CeilDiv(shape[d], chunks[d]);
            if (!TryMultiply(grid, chunks[d], out _))
            {
                throw new ArgumentOutOfRangeException(nameof(shape), $"shape {shapeText} in dimension {d}, padded to whole chunks of {chunksField} {chunksText}, passes the largest 64-bit integer");
            }

            if (!TryMultiply(gridCount, grid, out gridCount))
            {
                throw new ArgumentOutOfRangeException(nameof(shape), $"shape {shapeText} with {chunksField} {chunksText} has more chunks than a 64-bit integer can count");
            }
        }
    }

    private static bool TryMultiply(long a, long b, out long product)
    {
        try
        {
            product = checked(a * b);
            return true;
        }
        catch (OverflowException)
        {
            product = 0;
            return false;
        }
    }

    /// <summary>A copy with a new shape (chunks and codecs unchanged).</summary>
    public ArrayMetadata WithShape(long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ValidateGrid(shape, _chunkShape, DataType.Size);
        return new ArrayMetadata(Format, (long[])shape.Clone(), _chunkShape, DataType, _fillValue, FillValueIsNull, ChunkKeyEncoding, Codecs, Attributes, DimensionNames?.ToArray(), V2Compressor, V2Filters, V2Order, V2BigEndian);
    }

    /// <summary>A copy with new attributes.</summary>
    public ArrayMetadata WithAttributes(JsonObject attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var names = Format == ZarrFormat.V2 ? V2DimensionNames(attributes, Rank) : DimensionNames?.ToArray();
        return new ArrayMetadata(Format, _shape, _chunkShape, DataType, _fillValue, FillValueIsNull, ChunkKeyEncoding, Codecs, attributes.DeepClone().AsObject(), names, V2Compressor, V2Filters, V2Order, V2BigEndian);
    }

    /// <summary>The v2 array attribute that holds dimension names (xarray's convention).</summary>
    public const string ArrayDimensionsAttribute = "_ARRAY_DIMENSIONS";

    // Dimension names given for a new array: one per dimension (null entries allowed in v3 only when given so).
    private static string?[]? CheckDimensionNames(IReadOnlyList<string?>? names, int rank)
    {
        if (names is null)
        {
            return null;
        }

        if (names.Count != rank)
        {
            throw new ArgumentException($"{names.Count} dimension names given for an array of {rank} dimensions", nameof(names));
        }

        return names.ToArray();
    }

    // Dimension names read from a document: an array of strings (or nulls), one per dimension.
    private static string?[]? ReadDimensionNames(JsonNode? node, int rank, string field)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not JsonArray array || array.Count != rank)
        {
            throw new FormatException($"{field} must be an array of {rank} names, one per dimension (got {node.ToJsonString()})");
        }

        return array.Select(n => n switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out string? name) => name,
            _ => throw new FormatException($"{field} holds {n.ToJsonString()}, not a name"),
        }).ToArray();
    }

    // v2 dimension names from the attributes: an attribute, not a field of the format, so a malformed one (a tool's
    // private use of the name) leaves the array unnamed rather than unreadable.
    private static string?[]? V2DimensionNames(JsonObject? attributes, int rank)
    {
        try
        {
            return ReadDimensionNames(attributes?[ArrayDimensionsAttribute], rank, ArrayDimensionsAttribute);
        }
        catch (FormatException)
        {
            return null;
        }
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
        var dataType = DataType.FromV3Json(dataTypeNode);
        var grid = json["chunk_grid"] as JsonObject ?? throw new FormatException("missing chunk_grid");
        string gridName = grid["name"]?.GetValue<string>() ?? throw new FormatException("chunk_grid has no name");
        if (gridName != "regular")
        {
            throw new UnsupportedCodecException(gridName, "only the 'regular' chunk grid is supported");
        }

        var chunks = ReadInts(grid["configuration"] as JsonObject ?? throw new FormatException("chunk_grid has no configuration"), "chunk_shape", "chunk_grid.configuration.chunk_shape");
        ValidateGrid(shape, chunks, dataType.Size, "chunk_grid.configuration.chunk_shape");
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
        pipeline.Validate(chunks);
        var attributes = json["attributes"] is JsonObject a ? a.DeepClone().AsObject() : [];
        string?[]? names = ReadDimensionNames(json["dimension_names"], shape.Length, "dimension_names");
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
        var chunks = ReadInts(zarray, "chunks", "chunks");
        var dtypeNode = zarray["dtype"] ?? throw new FormatException("missing dtype");
        if (dtypeNode is not JsonValue)
        {
            throw new UnsupportedDataTypeException(dtypeNode.ToJsonString(), "structured dtypes are not supported");
        }

        var dataType = DataType.FromNumpyTypestr(dtypeNode.GetValue<string>(), out bool bigEndian);
        ValidateGrid(shape, chunks, dataType.Size);
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
            zattrs?.DeepClone().AsObject() ?? [], V2DimensionNames(zattrs, shape.Length),
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
            ["data_type"] = DataType.ToV3Json(),
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

    private static int[] ReadInts(JsonObject json, string name, string field) =>
        Array.ConvertAll(ReadLongs(json, name), c => c is >= 1 and <= int.MaxValue ? (int)c : throw new FormatException($"'{field}' holds {c}, not a chunk extent from 1 to {int.MaxValue}"));

    private static long[] ReadLongs(JsonObject json, string name)
    {
        if (json[name] is not JsonArray a)
        {
            throw new FormatException($"missing or non-list '{name}'");
        }

        return a.Select(x => x is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out long n) ? n : throw new FormatException($"'{name}' holds {x?.ToJsonString() ?? "null"}, not a 64-bit integer")).ToArray();
    }
}
