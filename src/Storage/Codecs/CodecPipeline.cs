using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// A bound codec chain: array → array codecs, exactly one array → bytes codec, then bytes → bytes codecs, as in the
/// Zarr v3 spec (and zarrs' CodecChain / zarr-python's BatchedCodecPipeline). Zarr v2 metadata (order, filters,
/// compressor, dtype byte order) is expressed as the same chain. Decoding runs the chain in reverse.
/// Immutable and thread-safe.
/// </summary>
public sealed class CodecPipeline
{
    /// <summary>Creates a pipeline from its parts.</summary>
    public CodecPipeline(IReadOnlyList<IArrayToArrayCodec> arrayToArray, IArrayToBytesCodec arrayToBytes, IReadOnlyList<IBytesToBytesCodec> bytesToBytes, int elementSize)
    {
        ArgumentNullException.ThrowIfNull(arrayToArray);
        ArgumentNullException.ThrowIfNull(arrayToBytes);
        ArgumentNullException.ThrowIfNull(bytesToBytes);
        ArrayToArray = arrayToArray;
        ArrayToBytes = arrayToBytes;
        BytesToBytes = bytesToBytes;
        ElementSize = elementSize;
        IsDirect = arrayToArray.Count == 0 && arrayToBytes is BytesCodec { BigEndian: false };
    }

    /// <summary>The array → array codecs, in encoding order.</summary>
    public IReadOnlyList<IArrayToArrayCodec> ArrayToArray { get; }

    /// <summary>The array → bytes codec.</summary>
    public IArrayToBytesCodec ArrayToBytes { get; }

    /// <summary>The bytes → bytes codecs, in encoding order.</summary>
    public IReadOnlyList<IBytesToBytesCodec> BytesToBytes { get; }

    /// <summary>Bytes per element.</summary>
    public int ElementSize { get; }

    /// <summary>
    /// True when the serialized bytes are the chunk itself (little-endian, C order), so the last bytes → bytes codec
    /// can decode straight into the destination.
    /// </summary>
    public bool IsDirect { get; }

    /// <summary>Every codec in encoding order.</summary>
    public IEnumerable<ICodec> All => ArrayToArray.Cast<ICodec>().Append(ArrayToBytes).Concat(BytesToBytes);

    /// <summary>Encodes a chunk of <paramref name="shape"/> (little-endian C-order elements).</summary>
    public byte[] Encode(ReadOnlySpan<byte> chunk, int[] shape)
    {
        if (IsDirect && BytesToBytes.Count > 0)
        {
            // The serialized bytes are the chunk itself: the first bytes → bytes codec reads it in place (no
            // chunk-sized copy, which for a 64 MiB chunk is a large-object allocation per write).
            byte[] encoded = BytesToBytes[0].Encode(chunk);
            for (int i = 1; i < BytesToBytes.Count; i++)
            {
                encoded = BytesToBytes[i].Encode(encoded);
            }

            return encoded;
        }

        var current = chunk;
        var currentShape = shape;
        foreach (var codec in ArrayToArray)
        {
            var next = new byte[current.Length];
            codec.Encode(current, currentShape, next);
            currentShape = codec.EncodedShape(currentShape);
            current = next;
        }

        byte[] bytes = ArrayToBytes.Encode(current, currentShape);
        foreach (var codec in BytesToBytes)
        {
            bytes = codec.Encode(bytes);
        }

        return bytes;
    }

    /// <summary>
    /// Encodes a chunk like <see cref="Encode"/> (the same bytes), into pooled memory when the pipeline's one
    /// bytes → bytes codec over the chunk's own bytes can (<see cref="IPooledEncodingCodec"/>: the frame is then the
    /// encoder's staging buffer, no frame-sized array is allocated per chunk); otherwise the result wraps
    /// <see cref="Encode"/>'s array. Dispose it after storing.
    /// </summary>
    public IMemoryOwner<byte> EncodePooled(ReadOnlySpan<byte> chunk, int[] shape)
    {
        if (IsDirect && BytesToBytes is [IPooledEncodingCodec pooled])
        {
            return pooled.EncodePooled(chunk);
        }

        var encoded = Encode(chunk, shape);
        return new PooledFrame(encoded, encoded.Length);
    }

    /// <summary>
    /// True when chunks of <paramref name="shape"/> can be decoded in C-order pieces (<see cref="TryOpenPieces"/>): the
    /// serialized bytes are the chunk itself and are stored as they are or through one
    /// <see cref="IPieceDecodingCodec"/> (Blosc), or the array → bytes codec decodes in pieces itself (sharding whose
    /// inner chunks are whole rows of the shard).
    /// </summary>
    public bool DecodesInPieces(int[] shape) =>
        IsDirect ? BytesToBytes is [] or [IPieceDecodingCodec]
        : ArrayToArray.Count == 0 && BytesToBytes.Count == 0 && ArrayToBytes is IPieceDecodingArrayCodec codec && codec.DecodesInPieces(shape);

    /// <summary>
    /// Opens an encoded chunk of <paramref name="shape"/> (taking ownership of <paramref name="source"/>) for decoding in
    /// pieces; null (having disposed it) when this pipeline or this value cannot: decode it whole then, which reports
    /// any error.
    /// </summary>
    public ChunkPieces? TryOpenPieces(EncodedBytes source, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(shape);
        long decoded = BytesCodec.ElementCount(shape) * ElementSize;
        if (!DecodesInPieces(shape) || decoded > Array.MaxLength)
        {
            source.Dispose();
            return null;
        }

        if (!IsDirect)
        {
            return ((IPieceDecodingArrayCodec)ArrayToBytes).TryOpenPieces(source, shape, ElementSize);
        }

        return BytesToBytes is [IPieceDecodingCodec codec]
            ? codec.TryOpenPieces(source, (int)decoded, ElementSize)
            : RawPieces.TryOpen(source, (int)decoded, ElementSize);
    }

    /// <summary>Decodes into <paramref name="chunk"/>, the chunk's exact byte size.</summary>
    /// <exception cref="CodecException">The data is corrupt, truncated or of the wrong size.</exception>
    public void Decode(ReadOnlySpan<byte> encoded, int[] shape, Span<byte> chunk)
    {
        if (IsDirect)
        {
            DecodeBytes(encoded, chunk);
            return;
        }

        var shapes = new int[ArrayToArray.Count + 1][];
        shapes[0] = shape;
        for (int i = 0; i < ArrayToArray.Count; i++)
        {
            shapes[i + 1] = ArrayToArray[i].EncodedShape(shapes[i]);
        }

        var serializedShape = shapes[^1];
        Stores.StorageBuffer? rented = null;
        byte[]? serialized = null;
        try
        {
            ReadOnlySpan<byte> serializedSpan;
            long fixedLength = ArrayToBytes.EncodedLength(serializedShape);
            if (BytesToBytes.Count == 0)
            {
                serializedSpan = encoded;
            }
            else if (fixedLength >= 0)
            {
                rented = Stores.StorageBuffers.RentBuffer((int)fixedLength);
                DecodeBytes(encoded, rented.Span);
                serializedSpan = rented.Span;
            }
            else
            {
                // Sharding: the shard's serialized size varies, but is bounded by its index and inner chunks.
                long bound = ArrayToBytes is ShardingCodec sharding ? sharding.MaxEncodedLength(serializedShape) : StreamDecoding.MaxDecodedLength;
                serialized = DecodeBytesBounded(encoded, bound);
                serializedSpan = serialized;
            }

            if (ArrayToArray.Count == 0)
            {
                ArrayToBytes.Decode(serializedSpan, serializedShape, chunk);
                return;
            }

            var a = new byte[chunk.Length];
            var b = new byte[chunk.Length];
            ArrayToBytes.Decode(serializedSpan, serializedShape, a);
            for (int i = ArrayToArray.Count - 1; i >= 0; i--)
            {
                var target = i == 0 ? chunk : b;
                ArrayToArray[i].Decode(a, shapes[i], target);
                (a, b) = (b, a);
            }
        }
        finally
        {
            ((IDisposable?)rented)?.Dispose();
        }
    }

    /// <summary>Encodes a chunk of strings (C order) through the <c>vlen-utf8</c> codec and the bytes → bytes codecs.</summary>
    /// <exception cref="NotSupportedException">The pipeline does not serialize strings.</exception>
    internal byte[] EncodeStrings(IReadOnlyList<string?> values)
    {
        var vlen = ArrayToBytes as VlenUtf8Codec ?? throw new NotSupportedException($"codec '{ArrayToBytes.Name}' does not serialize strings");
        byte[] bytes = vlen.EncodeStrings(values);
        foreach (var codec in BytesToBytes)
        {
            bytes = codec.Encode(bytes);
        }

        return bytes;
    }

    /// <summary>Decodes a stored chunk of exactly <paramref name="count"/> strings.</summary>
    /// <exception cref="CodecException">The data is corrupt or truncated, or holds another number of strings.</exception>
    internal string[] DecodeStrings(ReadOnlySpan<byte> encoded, long count)
    {
        var vlen = ArrayToBytes as VlenUtf8Codec ?? throw new NotSupportedException($"codec '{ArrayToBytes.Name}' does not serialize strings");
        var serialized = BytesToBytes.Count == 0 ? encoded : DecodeBytesBounded(encoded, StreamDecoding.MaxDecodedLength);
        return vlen.DecodeStrings(serialized, count);
    }

    // Runs the bytes → bytes codecs in reverse so that the first codec (the last to decode) writes into destination.
    private void DecodeBytes(ReadOnlySpan<byte> encoded, Span<byte> destination)
    {
        if (BytesToBytes.Count == 0)
        {
            if (encoded.Length != destination.Length)
            {
                throw new CodecException(ArrayToBytes.Name, $"expected {destination.Length} bytes, got {encoded.Length}");
            }

            encoded.CopyTo(destination);
            return;
        }

        byte[]? intermediate = null;
        var current = encoded;
        for (int i = BytesToBytes.Count - 1; i >= 1; i--)
        {
            intermediate = BytesToBytes[i].Decode(current, StageBound(destination.Length, i));
            current = intermediate;
        }

        BytesToBytes[0].Decode(current, destination);
    }

    // Runs every bytes → bytes codec in reverse when the serialized size is only bounded (sharding): the first codec's
    // output is at most `serializedBound` bytes.
    private byte[] DecodeBytesBounded(ReadOnlySpan<byte> encoded, long serializedBound)
    {
        var input = encoded;
        byte[]? current = null;
        for (int i = BytesToBytes.Count - 1; i >= 0; i--)
        {
            current = BytesToBytes[i].Decode(input, StageBound(serializedBound, i));
            input = current;
        }

        return current ?? encoded.ToArray();
    }

    /// <summary>
    /// Slack per bytes → bytes stage over a whole chunk: covers any codec's headers, block tables and trailers (zstd
    /// frame header ≤ 18 bytes + 3 per block, gzip 18 + 5 per stored block, bzip2 600, Blosc 16, LZ4 4 + 16, a checksum
    /// 4) with a wide margin.
    /// </summary>
    internal const int StageSlack = 64 * 1024;

    /// <summary>
    /// The most bytes that the decode of bytes → bytes stage <paramref name="stage"/> (0 = the first codec, which
    /// decodes last) may produce when the serialized chunk is (at most) <paramref name="serialized"/> bytes. Stage 0
    /// produces the serialized bytes themselves; each later stage's output is an encoded form of the previous one's,
    /// and no codec we read (nor any numcodecs or zarr-python writer) expands its input by more than one eighth plus a
    /// header (incompressible data: LZ4 n/255 + 16, bzip2 1% + 600, deflate 5 bytes per 64 KiB, zstd 3 per 128 KiB,
    /// Blosc 16), so each stage may add <c>n/8 + 64 KiB</c>. A decoder that would pass the bound fails with a
    /// <see cref="CodecException"/> (a <see cref="CorruptChunkException"/> naming the chunk, from the array layer)
    /// before allocating past it. Capped at the largest .NET array.
    /// </summary>
    internal static int StageBound(long serialized, int stage)
    {
        long bound = serialized;
        for (int i = 0; i < stage && bound < StreamDecoding.MaxDecodedLength; i++)
        {
            bound = Grow(bound, StageSlack);
        }

        return (int)Math.Min(bound, StreamDecoding.MaxDecodedLength);
    }

    /// <summary>The largest encoded form of <paramref name="n"/> bytes after one bytes → bytes stage.</summary>
    internal static long Grow(long n, long slack) => n > long.MaxValue / 2 ? long.MaxValue / 2 : n + (n / 8) + slack;

    /// <summary>
    /// The most bytes a chunk of <paramref name="shape"/> can take when stored through this pipeline, each bytes →
    /// bytes stage adding <c>n/8 + slack</c> (see <see cref="StageBound"/>); sharding adds its index and, per inner
    /// chunk, the inner pipeline's own bound.
    /// </summary>
    internal long MaxEncodedLength(int[] shape, long slack)
    {
        long n = ArrayToBytes switch
        {
            ShardingCodec sharding => sharding.MaxEncodedLength(shape),
            _ => ArrayToBytes.EncodedLength(ArrayToArray.Aggregate(shape, (s, c) => c.EncodedShape(s))),
        };
        foreach (var _ in BytesToBytes)
        {
            n = Grow(n, slack);
        }

        return n;
    }

    /// <summary>
    /// Checks that chunks of <paramref name="chunkShape"/> can go through this pipeline: the array → array codecs accept
    /// the chunk's rank, and a sharding codec's inner chunks divide the shard (see <see cref="ShardingCodec.Validate"/>).
    /// </summary>
    /// <exception cref="FormatException">They cannot.</exception>
    internal void Validate(int[] chunkShape)
    {
        var shape = chunkShape;
        foreach (var codec in ArrayToArray)
        {
            if (codec is TransposeCodec transpose && transpose.Order.Count != shape.Length)
            {
                throw new FormatException($"transpose order [{string.Join(", ", transpose.Order)}] has {transpose.Order.Count} entries but chunks have {shape.Length} dimensions");
            }

            shape = codec.EncodedShape(shape);
        }

        if (ArrayToBytes is ShardingCodec sharding)
        {
            sharding.Validate(shape);
        }
    }

    /// <summary>The pipeline as a Zarr v3 <c>codecs</c> array.</summary>
    public JsonArray ToV3Json() => new(All.Select(c => (JsonNode)c.ToV3Json()).ToArray());

    /// <summary>
    /// Builds a pipeline from a Zarr v3 <c>codecs</c> array. Unknown codecs fail with
    /// <see cref="UnsupportedCodecException"/> naming them.
    /// </summary>
    public static CodecPipeline FromV3(JsonArray codecs, DataType dataType, byte[] fillValue)
    {
        ArgumentNullException.ThrowIfNull(codecs);
        ArgumentNullException.ThrowIfNull(dataType);
        var aa = new List<IArrayToArrayCodec>();
        IArrayToBytesCodec? ab = null;
        var bb = new List<IBytesToBytesCodec>();
        foreach (var node in codecs)
        {
            string name;
            JsonObject? config;
            if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String)
            {
                name = v.GetValue<string>();
                config = null;
            }
            else if (node is JsonObject o && o["name"] is JsonValue nv && nv.GetValueKind() == JsonValueKind.String)
            {
                name = nv.GetValue<string>();
                config = o["configuration"] as JsonObject;
            }
            else
            {
                throw new FormatException($"codec entry {node?.ToJsonString() ?? "null"} has no \"name\"");
            }

            switch (name)
            {
                case "transpose":
                    RequireStage(ab, name, "an array → array codec after the array → bytes codec");
                    var order = config?["order"] as JsonArray ?? throw new FormatException("transpose codec needs configuration.order");
                    if (order.Any(x => x?.GetValueKind() != JsonValueKind.Number))
                    {
                        throw new UnsupportedCodecException("transpose", $"order {order.ToJsonString()} must be an explicit permutation (\"C\"/\"F\" are no longer allowed)");
                    }

                    aa.Add(new TransposeCodec(CodecHelpers.ReadInts(order, "transpose order"), dataType.Size));
                    break;
                case "numcodecs.delta":
                    RequireStage(ab, name, "an array → array codec after the array → bytes codec");
                    CheckDeltaTypes(config, dataType);
                    aa.Add(new DeltaCodec(dataType));
                    break;
                case "bytes":
                    if (ab is not null)
                    {
                        throw new FormatException("codecs hold more than one array → bytes codec");
                    }

                    string endian = config?["endian"]?.GetValue<string>() ?? "little";
                    if (endian is not ("little" or "big"))
                    {
                        throw new FormatException($"bytes codec endian '{endian}' is not 'little' or 'big'");
                    }

                    if (config?["endian"] is null && dataType.ByteOrderUnit > 1)
                    {
                        throw new FormatException($"bytes codec needs configuration.endian for {dataType.Name}");
                    }

                    if (dataType.IsVariableLength)
                    {
                        throw new UnsupportedCodecException(name, "the 'string' data type needs the vlen-utf8 codec, not bytes");
                    }

                    ab = new BytesCodec(dataType.Size, endian == "big", dataType.ByteOrderUnit);
                    break;
                case "vlen-utf8":
                    if (ab is not null)
                    {
                        throw new FormatException("codecs hold more than one array → bytes codec");
                    }

                    if (!dataType.IsVariableLength)
                    {
                        throw new UnsupportedCodecException(name, $"the vlen-utf8 codec serializes the 'string' data type, not {dataType.Name}");
                    }

                    ab = VlenUtf8Codec.Instance;
                    break;
                case "sharding_indexed":
                    if (ab is not null)
                    {
                        throw new FormatException("codecs hold more than one array → bytes codec");
                    }

                    ab = ShardingCodec.FromV3(config ?? throw new FormatException("sharding_indexed needs a configuration"), dataType, fillValue);
                    break;
                default:
                    var codec = CodecRegistry.TryCreateBytesToBytesFromV3(name, config, dataType.Size);
                    if (codec is null)
                    {
                        throw new UnsupportedCodecException(name, "ChunkCompute does not implement this codec");
                    }

                    if (ab is null)
                    {
                        throw new FormatException($"bytes → bytes codec '{name}' comes before the array → bytes codec");
                    }

                    bb.Add(codec);
                    break;
            }
        }

        if (ab is null)
        {
            throw new FormatException("codecs hold no array → bytes codec (e.g. {\"name\": \"bytes\"})");
        }

        if (dataType.IsVariableLength && (aa.Count > 0 || ab is not VlenUtf8Codec))
        {
            throw new UnsupportedCodecException(aa.Count > 0 ? aa[0].Name : ab.Name, "the 'string' data type is supported with the vlen-utf8 codec and bytes → bytes codecs only");
        }

        return new CodecPipeline(aa, ab, bb, dataType.Size);
    }

    /// <summary>Builds the pipeline that Zarr v2 metadata describes.</summary>
    public static CodecPipeline FromV2(JsonNode? compressor, JsonNode? filters, char order, DataType dataType, bool bigEndian, int rank)
    {
        ArgumentNullException.ThrowIfNull(dataType);
        if (dataType.IsVariableLength)
        {
            return FromV2Strings(compressor, filters, order, rank);
        }

        var aa = new List<IArrayToArrayCodec>();
        if (order == 'F' && rank > 1)
        {
            aa.Add(TransposeCodec.FortranOrder(rank, dataType.Size));
        }

        if (filters is JsonArray fa)
        {
            foreach (var f in fa)
            {
                if (f is not JsonObject fo)
                {
                    throw new FormatException($"filter {f?.ToJsonString() ?? "null"} is not an object");
                }

                string id = fo["id"]?.GetValue<string>() ?? throw new FormatException("a filter has no \"id\"");
                if (id != "delta")
                {
                    throw new UnsupportedCodecException(id, "ChunkCompute implements the numcodecs filter 'delta' only");
                }

                CheckDeltaTypes(fo, dataType);
                aa.Add(new DeltaCodec(dataType));
            }
        }
        else if (filters is not null)
        {
            throw new FormatException("filters must be a list or null");
        }

        var bb = new List<IBytesToBytesCodec>();
        if (compressor is JsonObject co)
        {
            bb.Add(CodecRegistry.CreateBytesToBytesFromV2(co, dataType.Size));
        }
        else if (compressor is not null)
        {
            throw new FormatException("compressor must be an object or null");
        }

        return new CodecPipeline(aa, new BytesCodec(dataType.Size, bigEndian, dataType.ByteOrderUnit), bb, dataType.Size);
    }

    // An object array: exactly the vlen-utf8 filter (numcodecs' object codec), C order, then the compressor.
    private static CodecPipeline FromV2Strings(JsonNode? compressor, JsonNode? filters, char order, int rank)
    {
        if (filters is not JsonArray { Count: 1 } fa || fa[0] is not JsonObject fo || fo["id"] is not JsonValue idv || !idv.TryGetValue(out string? id))
        {
            throw new UnsupportedDataTypeException("|O", "object arrays are supported with the single filter {\"id\": \"vlen-utf8\"} (variable-length UTF-8 strings) only");
        }

        if (id != "vlen-utf8")
        {
            throw new UnsupportedDataTypeException("|O", $"object arrays are supported with the vlen-utf8 filter only, not '{id}'");
        }

        if (order == 'F' && rank > 1)
        {
            throw new UnsupportedCodecException("order F", "variable-length string arrays are supported in C order only");
        }

        var bb = new List<IBytesToBytesCodec>();
        if (compressor is JsonObject co)
        {
            bb.Add(CodecRegistry.CreateBytesToBytesFromV2(co, 1));
        }
        else if (compressor is not null)
        {
            throw new FormatException("compressor must be an object or null");
        }

        return new CodecPipeline([], VlenUtf8Codec.Instance, bb, DataType.String.Size);
    }

    private static void CheckDeltaTypes(JsonObject? config, DataType dataType)
    {
        foreach (var key in new[] { "dtype", "astype" })
        {
            // zarr-python 3 writes numcodecs.delta's dtype as a v3 name ("int32"); numcodecs writes "<i4".
            if (config?[key]?.GetValue<string>() is string s && (s.Length > 0 && "<>|=".Contains(s[0], StringComparison.Ordinal) ? DataType.FromNumpyTypestr(s, out _) : DataType.FromV3Name(s)) != dataType)
            {
                throw new UnsupportedCodecException("delta", $"{key} '{s}' differs from the array's {dataType.Name}; only same-type deltas are supported");
            }
        }
    }

    private static void RequireStage(IArrayToBytesCodec? ab, string name, string what)
    {
        if (ab is not null)
        {
            throw new FormatException($"codec '{name}' is {what}");
        }
    }
}
