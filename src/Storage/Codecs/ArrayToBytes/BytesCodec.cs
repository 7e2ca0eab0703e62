using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// Zarr v3 <c>bytes</c> codec: elements in C order, little- or big-endian
/// (https://zarr-specs.readthedocs.io/en/latest/v3/codecs/bytes/index.html).
/// Configuration example: <c>{"name": "bytes", "configuration": {"endian": "little"}}</c>.
/// In Zarr v2 the byte order lives in the dtype string (<c>&gt;f8</c>) instead.
/// </summary>
public sealed class BytesCodec : IArrayToBytesCodec
{
    /// <summary>Creates the codec for elements of <paramref name="elementSize"/> bytes.</summary>
    /// <param name="elementSize">Bytes per element.</param>
    /// <param name="bigEndian">True when elements are stored big-endian.</param>
    /// <param name="byteOrderUnit">The size of the scalars whose bytes big-endian reverses (half the element for
    /// complex numbers); 0 means the element size.</param>
    public BytesCodec(int elementSize, bool bigEndian = false, int byteOrderUnit = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(elementSize);
        ElementSize = elementSize;
        ByteOrderUnit = byteOrderUnit > 0 ? byteOrderUnit : elementSize;
        BigEndian = bigEndian && ByteOrderUnit > 1;
    }

    /// <summary>The size of the scalars whose byte order <see cref="BigEndian"/> reverses.</summary>
    public int ByteOrderUnit { get; }

    /// <inheritdoc/>
    public string Name => "bytes";

    /// <summary>Bytes per element.</summary>
    public int ElementSize { get; }

    /// <summary>True when elements are stored big-endian.</summary>
    public bool BigEndian { get; }

    /// <inheritdoc/>
    public long EncodedLength(int[] shape) => ElementCount(shape) * ElementSize;

    /// <inheritdoc/>
    public byte[] Encode(ReadOnlySpan<byte> chunk, int[] shape)
    {
        var result = chunk.ToArray();
        if (BigEndian)
        {
            ReverseEndianness(result, ByteOrderUnit);
        }

        return result;
    }

    /// <inheritdoc/>
    public void Decode(ReadOnlySpan<byte> encoded, int[] shape, Span<byte> chunk)
    {
        if (encoded.Length != chunk.Length)
        {
            throw new CodecException(Name, $"expected {chunk.Length} bytes for a chunk of shape [{string.Join(", ", shape)}], got {encoded.Length}");
        }

        encoded.CopyTo(chunk);
        if (BigEndian)
        {
            ReverseEndianness(chunk, ByteOrderUnit);
        }
    }

    /// <summary>Swaps the byte order of every element in place.</summary>
    public static void ReverseEndianness(Span<byte> data, int elementSize)
    {
        switch (elementSize)
        {
            case 1:
                break;
            case 2:
                var s = MemoryMarshal.Cast<byte, ushort>(data);
                BinaryPrimitives.ReverseEndianness(s, s);
                break;
            case 4:
                var i = MemoryMarshal.Cast<byte, uint>(data);
                BinaryPrimitives.ReverseEndianness(i, i);
                break;
            case 8:
                var l = MemoryMarshal.Cast<byte, ulong>(data);
                BinaryPrimitives.ReverseEndianness(l, l);
                break;
            default:
                for (int off = 0; off + elementSize <= data.Length; off += elementSize)
                {
                    data.Slice(off, elementSize).Reverse();
                }

                break;
        }
    }

    /// <inheritdoc/>
    public JsonObject ToV3Json() => ElementSize == 1
        ? new JsonObject { ["name"] = Name }
        : new JsonObject { ["name"] = Name, ["configuration"] = new JsonObject { ["endian"] = BigEndian ? "big" : "little" } };

    /// <inheritdoc/>
    public JsonObject? ToV2Json() => null;

    internal static long ElementCount(int[] shape)
    {
        long n = 1;
        foreach (var d in shape)
        {
            n *= d;
        }

        return n;
    }
}
