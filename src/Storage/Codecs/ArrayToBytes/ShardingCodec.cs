using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ChunkCompute.Storage.Arrays;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// Zarr v3 <c>sharding_indexed</c> codec: one stored object (a shard) holds a grid of inner chunks, each encoded with
/// the inner codecs, plus an index of (offset, nbytes) pairs as uint64, <c>2^64-1</c> twice for an empty inner chunk
/// (https://zarr-specs.readthedocs.io/en/latest/v3/codecs/sharding-indexed/index.html). Example:
/// <c>{"name": "sharding_indexed", "configuration": {"chunk_shape": [32, 32], "codecs": [{"name": "bytes",
/// "configuration": {"endian": "little"}}], "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}},
/// {"name": "crc32c"}], "index_location": "end"}}</c>.
/// Shards are decoded whole; empty inner chunks read as the fill value and are not written.
/// </summary>
public sealed partial class ShardingCodec : IPieceDecodingArrayCodec
{
    private const ulong Empty = ulong.MaxValue;
    private readonly int[] _innerShape;
    private readonly byte[] _fillValue;
    private readonly ConcurrentDictionary<int, int> _indexLengths = new();

    /// <summary>Creates the codec.</summary>
    public ShardingCodec(int[] innerChunkShape, CodecPipeline innerCodecs, CodecPipeline indexCodecs, bool indexAtEnd, byte[] fillValue)
    {
        ArgumentNullException.ThrowIfNull(innerChunkShape);
        ArgumentNullException.ThrowIfNull(fillValue);
        if (innerChunkShape.Any(d => d <= 0))
        {
            throw new ArgumentException($"inner chunk shape [{string.Join(", ", innerChunkShape)}] must be positive", nameof(innerChunkShape));
        }

        _innerShape = (int[])innerChunkShape.Clone();
        InnerCodecs = innerCodecs ?? throw new ArgumentNullException(nameof(innerCodecs));
        IndexCodecs = indexCodecs ?? throw new ArgumentNullException(nameof(indexCodecs));
        IndexAtEnd = indexAtEnd;
        _fillValue = (byte[])fillValue.Clone();
    }

    /// <inheritdoc/>
    public string Name => "sharding_indexed";

    /// <summary>The inner chunk shape.</summary>
    public IReadOnlyList<int> InnerChunkShape => _innerShape;

    /// <summary>The codecs of each inner chunk.</summary>
    public CodecPipeline InnerCodecs { get; }

    /// <summary>The codecs of the index (fixed-size: bytes, optionally crc32c).</summary>
    public CodecPipeline IndexCodecs { get; }

    /// <summary>True when the index follows the chunks (the default), false when it precedes them.</summary>
    public bool IndexAtEnd { get; }

    /// <summary>Parses the v3 configuration.</summary>
    public static ShardingCodec FromV3(JsonObject configuration, DataType dataType, byte[] fillValue)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var shape = configuration["chunk_shape"] as JsonArray ?? throw new FormatException("sharding_indexed needs configuration.chunk_shape");
        var codecs = configuration["codecs"] as JsonArray ?? throw new FormatException("sharding_indexed needs configuration.codecs");
        var indexCodecs = configuration["index_codecs"] as JsonArray
            ?? [(JsonNode)new JsonObject { ["name"] = "bytes", ["configuration"] = new JsonObject { ["endian"] = "little" } }, (JsonNode)new JsonObject { ["name"] = "crc32c" }];
        string location = configuration["index_location"]?.GetValue<string>() ?? "end";
        if (location is not ("end" or "start"))
        {
            throw new FormatException($"sharding index_location '{location}' is not 'start' or 'end'");
        }

        return new ShardingCodec(
            CodecHelpers.ReadInts(shape, "sharding_indexed chunk_shape"),
            CodecPipeline.FromV3(codecs, dataType, fillValue),
            CodecPipeline.FromV3(indexCodecs, DataType.UInt64, new byte[8]),
            location == "end",
            fillValue);
    }

    /// <inheritdoc/>
    public long EncodedLength(int[] shape) => -1;

    /// <summary>
    /// Slack per bytes → bytes stage of each inner chunk (see <see cref="CodecPipeline.StageBound"/>): smaller than a
    /// whole chunk's 64 KiB because a shard may hold thousands of small inner chunks; still well above any codec's
    /// header overhead (bzip2's 600 bytes being the largest).
    /// </summary>
    internal const int InnerStageSlack = 1024;

    /// <summary>
    /// The most bytes a shard of <paramref name="shape"/> can take: its index plus, per inner chunk, the inner
    /// pipeline's bound (each inner bytes → bytes stage adding <c>n/8 + 1 KiB</c>). Bounds the decode of the codecs
    /// that wrap whole shards.
    /// </summary>
    internal long MaxEncodedLength(int[] shape)
    {
        var perShard = ChunksPerShard(shape);
        long n = BytesCodec.ElementCount(perShard);
        long inner = InnerCodecs.MaxEncodedLength(_innerShape, InnerStageSlack);
        long body = inner > 0 && n > (long.MaxValue / 4) / inner ? long.MaxValue / 4 : n * inner;
        return body + IndexLength(perShard);
    }

    /// <summary>
    /// Checks that shards of <paramref name="shardShape"/> can be decoded: the inner chunk shape has the shard's rank
    /// and divides it, the index fits one buffer, and nested sharding codecs are valid too.
    /// </summary>
    /// <exception cref="FormatException">They cannot.</exception>
    internal void Validate(int[] shardShape)
    {
        if (shardShape.Length != _innerShape.Length)
        {
            throw new FormatException($"sharding_indexed chunk_shape [{string.Join(", ", _innerShape)}] has {_innerShape.Length} dimensions but the shard [{string.Join(", ", shardShape)}] has {shardShape.Length}");
        }

        for (int d = 0; d < shardShape.Length; d++)
        {
            if (shardShape[d] % _innerShape[d] != 0)
            {
                throw new FormatException($"sharding_indexed chunk_shape [{string.Join(", ", _innerShape)}] does not divide the shard shape [{string.Join(", ", shardShape)}]");
            }
        }

        long count = BytesCodec.ElementCount(ChunksPerShard(shardShape));
        if (count > Array.MaxLength / 16)
        {
            throw new FormatException($"a shard of [{string.Join(", ", shardShape)}] holds {count} inner chunks of [{string.Join(", ", _innerShape)}]: its index would not fit one buffer");
        }

        InnerCodecs.Validate(_innerShape);
    }

    /// <inheritdoc/>
    public unsafe void Decode(ReadOnlySpan<byte> encoded, int[] shape, Span<byte> chunk)
    {
        var perShard = ChunksPerShard(shape);
        int n = checked((int)BytesCodec.ElementCount(perShard));
        int indexLength = IndexLength(perShard);
        if (encoded.Length < indexLength)
        {
            throw new CodecException(Name, $"shard is {encoded.Length} bytes, shorter than its {indexLength}-byte index");
        }

        var indexBytes = IndexAtEnd ? encoded[^indexLength..] : encoded[..indexLength];
        var index = new byte[checked(n * 16)];
        IndexCodecs.Decode(indexBytes, [.. perShard, 2], index);

        int es = InnerCodecs.ElementSize;
        int innerBytes = checked((int)(BytesCodec.ElementCount(_innerShape) * es));
        var inner = new byte[innerBytes];
        long[] shardShape = shape.Select(d => (long)d).ToArray();
        long[] innerShapeL = _innerShape.Select(d => (long)d).ToArray();
        var zero = new long[shape.Length];
        var position = new long[shape.Length];
        var chunkIndex = new int[shape.Length];
        for (int k = 0; k < n; k++)
        {
            ulong offset = BinaryPrimitives.ReadUInt64LittleEndian(index.AsSpan(k * 16));
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(index.AsSpan((k * 16) + 8));
            if (offset == Empty && length == Empty)
            {
                NdCopy.FillPattern(inner, _fillValue);
            }
            else
            {
                if (offset > (ulong)encoded.Length || length > (ulong)encoded.Length - offset)
                {
                    throw new CodecException(Name, $"inner chunk {k} spans bytes [{offset}, {offset + length}) beyond the {encoded.Length}-byte shard");
                }

                InnerCodecs.Decode(encoded.Slice((int)offset, (int)length), _innerShape, inner);
            }

            for (int d = 0; d < shape.Length; d++)
            {
                position[d] = (long)chunkIndex[d] * _innerShape[d];
            }

            fixed (byte* src = inner)
            fixed (byte* dst = chunk)
            {
                NdCopy.Copy(src, innerShapeL, zero, dst, shardShape, position, innerShapeL, es);
            }

            Increment(chunkIndex, perShard);
        }
    }

    /// <inheritdoc/>
    public unsafe byte[] Encode(ReadOnlySpan<byte> chunk, int[] shape)
    {
        var perShard = ChunksPerShard(shape);
        int n = checked((int)BytesCodec.ElementCount(perShard));
        int indexLength = IndexLength(perShard);
        int es = InnerCodecs.ElementSize;
        int innerBytes = checked((int)(BytesCodec.ElementCount(_innerShape) * es));
        var inner = new byte[innerBytes];
        long[] shardShape = shape.Select(d => (long)d).ToArray();
        long[] innerShapeL = _innerShape.Select(d => (long)d).ToArray();
        var zero = new long[shape.Length];
        var position = new long[shape.Length];
        var chunkIndex = new int[shape.Length];
        var index = new byte[n * 16];
        var body = new MemoryStream();
        long bodyStart = IndexAtEnd ? 0 : indexLength;
        for (int k = 0; k < n; k++)
        {
            for (int d = 0; d < shape.Length; d++)
            {
                position[d] = (long)chunkIndex[d] * _innerShape[d];
            }

            fixed (byte* src = chunk)
            fixed (byte* dst = inner)
            {
                NdCopy.Copy(src, shardShape, position, dst, innerShapeL, zero, innerShapeL, es);
            }

            if (NdCopy.IsAllPattern(inner, _fillValue))
            {
                BinaryPrimitives.WriteUInt64LittleEndian(index.AsSpan(k * 16), Empty);
                BinaryPrimitives.WriteUInt64LittleEndian(index.AsSpan((k * 16) + 8), Empty);
            }
            else
            {
                var encodedInner = InnerCodecs.Encode(inner, _innerShape);
                BinaryPrimitives.WriteUInt64LittleEndian(index.AsSpan(k * 16), (ulong)(bodyStart + body.Length));
                BinaryPrimitives.WriteUInt64LittleEndian(index.AsSpan((k * 16) + 8), (ulong)encodedInner.Length);
                body.Write(encodedInner);
            }

            Increment(chunkIndex, perShard);
        }

        var encodedIndex = IndexCodecs.Encode(index, [.. perShard, 2]);
        var result = new byte[body.Length + encodedIndex.Length];
        if (IndexAtEnd)
        {
            body.GetBuffer().AsSpan(0, (int)body.Length).CopyTo(result);
            encodedIndex.CopyTo(result.AsSpan((int)body.Length));
        }
        else
        {
            encodedIndex.CopyTo(result, 0);
            body.GetBuffer().AsSpan(0, (int)body.Length).CopyTo(result.AsSpan(encodedIndex.Length));
        }

        return result;
    }

    private int[] ChunksPerShard(int[] shape)
    {
        if (shape.Length != _innerShape.Length)
        {
            throw new CodecException(Name, $"inner chunk shape has {_innerShape.Length} dimensions but the shard has {shape.Length}");
        }

        var per = new int[shape.Length];
        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] % _innerShape[d] != 0)
            {
                throw new CodecException(Name, $"inner chunk shape [{string.Join(", ", _innerShape)}] does not divide the shard shape [{string.Join(", ", shape)}]");
            }

            per[d] = shape[d] / _innerShape[d];
        }

        return per;
    }

    // The index has a fixed encoded size for a given inner-chunk count; find it once by encoding an empty index.
    private int IndexLength(int[] perShard)
    {
        int n = checked((int)BytesCodec.ElementCount(perShard));
        return _indexLengths.GetOrAdd(n, count => FixedIndexLength(count) ?? IndexCodecs.Encode(new byte[checked(count * 16)], [.. perShard, 2]).Length);
    }

    // The usual index codecs (bytes, optionally crc32c) give the length without encoding an index-sized buffer, which
    // would hold a second (and third) copy of an index next to the one being decoded.
    private int? FixedIndexLength(int count) =>
        IndexCodecs is { ArrayToArray.Count: 0, ArrayToBytes: BytesCodec } && IndexCodecs.BytesToBytes.All(c => c is Crc32cCodec)
            ? checked((count * 16) + (4 * IndexCodecs.BytesToBytes.Count))
            : null;

    private static void Increment(int[] index, int[] shape)
    {
        for (int d = index.Length - 1; d >= 0; d--)
        {
            if (++index[d] < shape[d])
            {
                return;
            }

            index[d] = 0;
        }
    }

    /// <inheritdoc/>
    public JsonObject ToV3Json() => new()
    {
        ["name"] = Name,
        ["configuration"] = new JsonObject
        {
            ["chunk_shape"] = new JsonArray(_innerShape.Select(d => (JsonNode)d).ToArray()),
            ["codecs"] = InnerCodecs.ToV3Json(),
            ["index_codecs"] = IndexCodecs.ToV3Json(),
            ["index_location"] = IndexAtEnd ? "end" : "start",
        },
    };

    /// <inheritdoc/>
    public JsonObject? ToV2Json() => null;
}
