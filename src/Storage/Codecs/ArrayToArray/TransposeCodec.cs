using System.Text.Json.Nodes;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// Zarr v3 <c>transpose</c> codec: permutes a chunk's axes so that encoded shape[i] = decoded shape[order[i]]
/// (https://zarr-specs.readthedocs.io/en/latest/v3/codecs/transpose/index.html).
/// Example: <c>{"name": "transpose", "configuration": {"order": [1, 0]}}</c>. Zarr v2's <c>"order": "F"</c> is the
/// reversed permutation.
/// </summary>
public sealed class TransposeCodec : IArrayToArrayCodec
{
    private readonly int[] _order;

    /// <summary>Creates the codec for a permutation of <c>0 … n-1</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="order"/> is not a permutation.</exception>
    public TransposeCodec(int[] order, int elementSize)
    {
        ArgumentNullException.ThrowIfNull(order);
        var seen = new bool[order.Length];
        foreach (var o in order)
        {
            if (o < 0 || o >= order.Length || seen[o])
            {
                throw new ArgumentException($"transpose order [{string.Join(", ", order)}] is not a permutation of 0..{order.Length - 1}", nameof(order));
            }

            seen[o] = true;
        }

        _order = (int[])order.Clone();
        ElementSize = elementSize;
    }

    /// <summary>The codec equivalent to Zarr v2 <c>order: "F"</c> for <paramref name="rank"/> dimensions.</summary>
    public static TransposeCodec FortranOrder(int rank, int elementSize) =>
        new(Enumerable.Range(0, rank).Reverse().ToArray(), elementSize);

    /// <inheritdoc/>
    public string Name => "transpose";

    /// <summary>The permutation.</summary>
    public IReadOnlyList<int> Order => _order;

    /// <summary>Bytes per element.</summary>
    public int ElementSize { get; }

    /// <summary>True when the permutation is the identity (the codec does nothing).</summary>
    public bool IsIdentity => _order.Select((o, i) => o == i).All(x => x);

    /// <inheritdoc/>
    public int[] EncodedShape(int[] decodedShape)
    {
        CheckRank(decodedShape);
        return _order.Select(o => decodedShape[o]).ToArray();
    }

    /// <inheritdoc/>
    public void Encode(ReadOnlySpan<byte> decoded, int[] decodedShape, Span<byte> encoded)
    {
        // encoded[j] = decoded[p(j)] where j walks the encoded shape in C order.
        var encodedShape = EncodedShape(decodedShape);
        var srcStrides = Strides(decodedShape);
        var permutedStrides = _order.Select(o => srcStrides[o]).ToArray();
        Gather(decoded, encoded, encodedShape, permutedStrides);
    }

    /// <inheritdoc/>
    public void Decode(ReadOnlySpan<byte> encoded, int[] decodedShape, Span<byte> decoded)
    {
        // decoded[i] = encoded[q(i)]: walking the decoded shape, axis k of decoded is axis inv[k] of encoded.
        var encodedShape = EncodedShape(decodedShape);
        var encStrides = Strides(encodedShape);
        var inverse = new int[_order.Length];
        for (int i = 0; i < _order.Length; i++)
        {
            inverse[_order[i]] = i;
        }

        var strides = inverse.Select(i => encStrides[i]).ToArray();
        Gather(encoded, decoded, decodedShape, strides);
    }

    private void Gather(ReadOnlySpan<byte> src, Span<byte> dst, int[] walkShape, long[] srcStrides)
    {
        int rank = walkShape.Length;
        long count = BytesCodec.ElementCount(walkShape);
        if ((long)src.Length != count * ElementSize || (long)dst.Length != count * ElementSize)
        {
            throw new CodecException(Name, $"expected {count * ElementSize} bytes, got {src.Length} and {dst.Length}");
        }

        if (count == 0)
        {
            return;
        }

        var index = new int[rank];
        long srcOffset = 0;
        int es = ElementSize;
        for (long n = 0; n < count; n++)
        {
            src.Slice((int)(srcOffset * es), es).CopyTo(dst.Slice((int)(n * es), es));

            // Odometer increment over walkShape, updating the source offset incrementally.
            for (int d = rank - 1; d >= 0; d--)
            {
                index[d]++;
                srcOffset += srcStrides[d];
                if (index[d] < walkShape[d])
                {
                    break;
                }

                srcOffset -= srcStrides[d] * walkShape[d];
                index[d] = 0;
            }
        }
    }

    private static long[] Strides(int[] shape)
    {
        var strides = new long[shape.Length];
        long s = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = s;
            s *= shape[d];
        }

        return strides;
    }

    private void CheckRank(int[] shape)
    {
        if (shape.Length != _order.Length)
        {
            throw new CodecException(Name, $"order has {_order.Length} axes but the chunk has {shape.Length}");
        }
    }

    /// <inheritdoc/>
    public JsonObject ToV3Json() => new()
    {
        ["name"] = Name,
        ["configuration"] = new JsonObject { ["order"] = new JsonArray(_order.Select(o => (JsonNode)o).ToArray()) },
    };

    /// <inheritdoc/>
    public JsonObject? ToV2Json() => null;
}
