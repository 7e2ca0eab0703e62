using System.Buffers;
using System.Buffers.Binary;
using ChunkCompute.Storage.Arrays;

namespace ChunkCompute.Storage.Codecs;

// Decoding a shard in C-order pieces (IPieceDecodingArrayCodec): when inner chunks are whole rows of the shard (equal to
// it in every dimension but the first), inner chunk k holds the shard's bytes [k·innerBytes, (k+1)·innerBytes), so the
// inner chunks, each decoded in its own pieces or whole, are the shard's pieces in order.
public sealed partial class ShardingCodec
{
    /// <summary>
    /// True when a shard of <paramref name="shape"/> decodes in C-order pieces: its inner chunks span every dimension
    /// but the first (each inner chunk is then a contiguous run of the shard's C-order bytes).
    /// </summary>
    public bool DecodesInPieces(int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length != _innerShape.Length || shape.Length == 0 || shape[0] % _innerShape[0] != 0)
        {
            return false;
        }

        for (int d = 1; d < shape.Length; d++)
        {
            if (shape[d] != _innerShape[d])
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public ChunkPieces? TryOpenPieces(EncodedBytes source, int[] shape, int elementSize)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(shape);
        try
        {
            if (!DecodesInPieces(shape) || elementSize != InnerCodecs.ElementSize)
            {
                source.Dispose();
                return null;
            }

            var perShard = ChunksPerShard(shape);
            int n = checked((int)BytesCodec.ElementCount(perShard));
            int indexLength = IndexLength(perShard);
            if (source.Length < indexLength)
            {
                source.Dispose();
                return null; // decoded whole, which names the problem
            }

            var indexBytes = new byte[indexLength];
            if (!source.TryReadAt(IndexAtEnd ? source.Length - indexLength : 0, indexBytes))
            {
                source.Dispose();
                return null;
            }

            var index = new byte[checked(n * 16)];
            IndexCodecs.Decode(indexBytes, [.. perShard, 2], index);
            return new ShardPieces(this, source, index, n);
        }
        catch (CodecException)
        {
            source.Dispose();
            return null;
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    private sealed class ShardPieces : ChunkPieces
    {
        private readonly ShardingCodec _codec;
        private readonly EncodedBytes _source;
        private readonly byte[] _index;
        private readonly int _count;
        private readonly int _innerBytes;
        private readonly long _maxInnerEncoded;
        private ChunkPieces? _inner;
        private byte[]? _decoded;
        private byte[]? _encoded;
        private int _next;

        public ShardPieces(ShardingCodec codec, EncodedBytes source, byte[] index, int count)
        {
            _codec = codec;
            _source = source;
            _index = index;
            _count = count;
            _innerBytes = checked((int)(BytesCodec.ElementCount(codec._innerShape) * codec.InnerCodecs.ElementSize));
            _maxInnerEncoded = codec.InnerCodecs.MaxEncodedLength(codec._innerShape, InnerStageSlack);
        }

        public override bool TryRead(out ReadOnlySpan<byte> bytes, out long offset)
        {
            while (true)
            {
                if (_inner is not null)
                {
                    if (_inner.TryRead(out bytes, out long within))
                    {
                        offset = ((long)(_next - 1) * _innerBytes) + within;
                        return true;
                    }

                    _inner.Dispose();
                    _inner = null;
                    continue;
                }

                if (_next >= _count)
                {
                    bytes = default;
                    offset = 0;
                    return false;
                }

                int k = _next++;
                offset = (long)k * _innerBytes;
                ulong start = BinaryPrimitives.ReadUInt64LittleEndian(_index.AsSpan(k * 16));
                ulong length = BinaryPrimitives.ReadUInt64LittleEndian(_index.AsSpan((k * 16) + 8));
                _decoded ??= ArrayPool<byte>.Shared.Rent(_innerBytes);
                var decoded = _decoded.AsSpan(0, _innerBytes);
                if (start == Empty && length == Empty)
                {
                    NdCopy.FillPattern(decoded, _codec._fillValue);
                    bytes = decoded;
                    return true;
                }

                if (start > (ulong)_source.Length || length > (ulong)_source.Length - start)
                {
                    throw new CodecException(_codec.Name, $"inner chunk {k} spans bytes [{start}, {start + length}) beyond the {_source.Length}-byte shard");
                }

                if ((long)length > _maxInnerEncoded)
                {
                    throw new CodecException(_codec.Name, $"inner chunk {k} is {length} bytes, more than an inner chunk of [{string.Join(", ", _codec._innerShape)}] can encode to ({_maxInnerEncoded})");
                }

                var slice = _source.Slice((long)start, (long)length);
                _inner = _codec.InnerCodecs.TryOpenPieces(slice, _codec._innerShape);
                if (_inner is not null)
                {
                    continue;
                }

                // The inner chunk's codecs do not decode in pieces: decode it whole into one inner-chunk buffer.
                ReadOnlySpan<byte> encoded;
                if (slice.TryGetMemory(out var memory))
                {
                    encoded = memory.Span;
                }
                else
                {
                    if (_encoded is null || _encoded.Length < (int)length)
                    {
                        ReturnBuffer(ref _encoded);
                        _encoded = ArrayPool<byte>.Shared.Rent((int)length);
                    }

                    if (!slice.TryReadAt(0, _encoded.AsSpan(0, (int)length)))
                    {
                        throw new CodecException(_codec.Name, $"the shard ends before inner chunk {k}'s last byte");
                    }

                    encoded = _encoded.AsSpan(0, (int)length);
                }

                _codec.InnerCodecs.Decode(encoded, _codec._innerShape, decoded);
                bytes = decoded;
                return true;
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner?.Dispose();
                _inner = null;
                _source.Dispose();
                ReturnBuffer(ref _decoded);
                ReturnBuffer(ref _encoded);
            }
        }

        private static void ReturnBuffer(ref byte[]? buffer)
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = null;
            }
        }
    }
}
