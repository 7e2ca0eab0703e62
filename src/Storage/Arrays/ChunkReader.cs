using System.Buffers;
using System.Runtime.CompilerServices;
using ChunkCompute.Storage.Codecs;

namespace ChunkCompute.Storage;

/// <summary>
/// Reads one stored Blosc chunk as consecutive pieces of decoded bytes in C order, without decoding the whole chunk
/// into memory first: each block is decompressed into a block-sized buffer and handed out in cache-sized, unshuffled
/// pieces, so a consumer (a reduction, a fused elementwise chain) reads every value while it is in L1 instead of
/// after the chunk has been written out to memory and read back. Every piece holds whole elements and is valid
/// until the next <see cref="TryRead"/>. Obtained from <see cref="ZarrArray.OpenChunkReader"/>.
/// </summary>
internal sealed class ChunkReader : IDisposable
{
    /// <summary>Bytes of one unshuffled piece: half of a typical 32 KiB L1 data cache.</summary>
    internal const int PieceBytes = 16 * 1024;

    private readonly IMemoryOwner<byte> _stored;
    private readonly BloscDecoder.Frame _frame;
    private readonly ZarrArray _array;
    private readonly string _key;
    private readonly bool _piecewise;
    private byte[]? _block;
    private byte[]? _piece;
    private int _nextBlock;
    private int _blockElements;
    private readonly int[] _rawSplits = new int[BloscDecoder.Frame.MaxSplitsPerBlock];
    private int _nextElement;
    private int _splits;

    private ChunkReader(ZarrArray array, string key, IMemoryOwner<byte> stored, BloscDecoder.Frame frame)
    {
        _array = array;
        _key = key;
        _stored = stored;
        _frame = frame;

        // Byte-shuffled blocks of whole elements are unshuffled a piece at a time; others a block at a time.
        _piecewise = frame.ByteShuffled && frame.BlockSize % frame.TypeSize == 0 && frame.NBytes % frame.TypeSize == 0;
    }

    /// <summary>
    /// Opens <paramref name="stored"/> (taking ownership) when it is a Blosc frame of exactly
    /// <paramref name="chunkBytes"/> decoded bytes whose blocks hold whole elements of <paramref name="elementSize"/>
    /// bytes; otherwise disposes it and returns null, and the caller decodes the chunk whole (which reports any error).
    /// </summary>
    internal static ChunkReader? TryOpen(ZarrArray array, string key, IMemoryOwner<byte> stored, int chunkBytes, int elementSize)
    {
        try
        {
            var frame = BloscDecoder.Frame.Parse(stored.Memory.Span);
            if (frame.NBytes == chunkBytes && (frame.Memcpyed || frame.BlockSize % elementSize == 0))
            {
                return new ChunkReader(array, key, stored, frame);
            }
        }
        catch (CodecException)
        {
        }

        stored.Dispose();
        return null;
    }

    /// <summary>The next piece and its byte offset in the chunk; false after the last.</summary>
    /// <exception cref="CorruptChunkException">A block does not decode.</exception>
    public bool TryRead(out ReadOnlySpan<byte> bytes, out long offset)
    {
        try
        {
            return Next(out bytes, out offset);
        }
        catch (Exception ex) when (ex is CodecException or ArgumentException or IndexOutOfRangeException)
        {
            throw new CorruptChunkException(_array.Store.Name, _array.Path, _key, ex.Message, ex);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool Next(out ReadOnlySpan<byte> bytes, out long offset)
    {
        var src = _stored.Memory.Span[.._frame.CBytes];
        int ts = _frame.TypeSize;
        if (_frame.Memcpyed || _frame.NBytes == 0)
        {
            // Stored uncompressed: one piece, straight from the frame.
            bool first = _nextBlock++ == 0 && _frame.NBytes > 0;
            bytes = first ? src.Slice(BloscFormat.HeaderSize, _frame.NBytes) : default;
            offset = 0;
            return first;
        }

        if (_piecewise && _nextElement < _blockElements)
        {
            // The rest of the current shuffled block, one piece at a time, from its byte rows (rows stored raw are
            // read where they lie in the frame: never copied).
            int count = Math.Min(PieceBytes / ts, _blockElements - _nextElement);
            _frame.UnshuffleRows(src, _block, _rawSplits, _splits, _blockElements, _nextElement, count, _piece);
            bytes = _piece!.AsSpan(0, count * ts);
            offset = ((long)(_nextBlock - 1) * _frame.BlockSize) + ((long)_nextElement * ts);
            _nextElement += count;
            return true;
        }

        if (_nextBlock >= _frame.BlockCount)
        {
            bytes = default;
            offset = 0;
            return false;
        }

        int b = _nextBlock++;
        int blockBytes = _frame.BlockBytes(b);
        _block ??= ArrayPool<byte>.Shared.Rent(_frame.MaxBlockBytes);
        var block = _block.AsSpan(0, blockBytes);
        offset = (long)b * _frame.BlockSize;
        if (_piecewise)
        {
            _splits = _frame.DecompressBlock(src, b, block, _rawSplits);
            _piece ??= ArrayPool<byte>.Shared.Rent(PieceBytes);
            _blockElements = blockBytes / ts;
            _nextElement = 0;
            return Next(out bytes, out offset);
        }

        _frame.DecompressBlock(src, b, block);

        if (_frame.Unshuffles)
        {
            _piece ??= ArrayPool<byte>.Shared.Rent(_frame.MaxBlockBytes);
            _frame.Unshuffle(block, _piece.AsSpan(0, blockBytes));
            bytes = _piece.AsSpan(0, blockBytes);
            return true;
        }

        bytes = block;
        return true;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _stored.Dispose();
        if (_block is not null)
        {
            ArrayPool<byte>.Shared.Return(_block);
            _block = null;
        }

        if (_piece is not null)
        {
            ArrayPool<byte>.Shared.Return(_piece);
            _piece = null;
        }
    }
}
