using System.Buffers;
using System.Runtime.CompilerServices;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// Decodes one Blosc frame as consecutive pieces of decoded bytes in C order (<see cref="ChunkPieces"/>): each block is
/// decompressed into a block-sized buffer and handed out in cache-sized, unshuffled pieces. When the frame is read by
/// ranges (a file, a byte-range store), only the header and block table are read up front and each compressed block
/// is read just before it is decoded, into a block-sized buffer that stays in cache.
/// </summary>
internal sealed class BloscPieces : ChunkPieces
{
    // Window of a frame stored uncompressed and read by ranges (rounded down to whole elements).
    private const int MemcpyedWindowBytes = 1 << 20;

    private readonly ReadOnlyMemory<byte> _stored;
    private readonly EncodedBytes _source;
    private readonly bool _ranged;
    private readonly int[]? _blockStarts;
    private readonly int[]? _blockEnds;
    private readonly BloscDecoder.Frame _frame;
    private readonly bool _piecewise;
    private byte[]? _window;
    private int _windowLength;
    private byte[]? _block;
    private byte[]? _piece;
    private int _nextBlock;
    private int _blockElements;
    private readonly int[] _rawSplits = new int[BloscDecoder.Frame.MaxSplitsPerBlock];
    private readonly int _elementSize;
    private readonly int _memcpyedWindow;
    private int _nextElement;
    private int _splits;

    private BloscPieces(BloscDecoder.Frame frame, EncodedBytes source, ReadOnlyMemory<byte> stored, bool ranged, int[]? blockStarts, int[]? blockEnds, int elementSize)
    {
        _elementSize = elementSize;
        _memcpyedWindow = MemcpyedWindowBytes - (MemcpyedWindowBytes % elementSize);
        _source = source;
        _stored = stored;
        _ranged = ranged;
        _blockStarts = blockStarts;
        _blockEnds = blockEnds;
        _frame = frame;

        // Byte-shuffled blocks of whole elements are unshuffled a piece at a time; others a block at a time.
        _piecewise = frame.ByteShuffled && frame.BlockSize % frame.TypeSize == 0 && frame.NBytes % frame.TypeSize == 0;
    }

    /// <summary>
    /// Opens <paramref name="source"/> (taking ownership) when it is a Blosc frame of exactly
    /// <paramref name="decodedLength"/> decoded bytes whose blocks hold whole elements of <paramref name="elementSize"/>
    /// bytes; otherwise disposes it and returns null, and the caller decodes the value whole (which reports any error).
    /// A frame read by ranges has only its header and block table read now; frames stored uncompressed are read whole.
    /// </summary>
    public static ChunkPieces? TryOpen(EncodedBytes source, int decodedLength, int elementSize)
    {
        try
        {
            if (source.TryGetMemory(out var memory))
            {
                var parsed = BloscDecoder.Frame.Parse(memory.Span);
                if (Fits(parsed, decodedLength, elementSize))
                {
                    return new BloscPieces(parsed, source, memory, ranged: false, null, null, elementSize);
                }

                source.Dispose();
                return null;
            }

            long length = source.Length;
            Span<byte> header = stackalloc byte[BloscFormat.HeaderSize];
            if (length < header.Length || !source.TryReadAt(0, header))
            {
                source.Dispose();
                return null;
            }

            var frame = BloscDecoder.Frame.Parse(header, length);
            if (!Fits(frame, decodedLength, elementSize))
            {
                source.Dispose();
                return null;
            }

            if (frame.Memcpyed && frame.NBytes > 0)
            {
                // Stored uncompressed: read in windows of at most MemcpyedWindowBytes, each handed out as a piece.
                if (length < (long)BloscFormat.HeaderSize + frame.NBytes)
                {
                    source.Dispose();
                    return null;
                }

                return new BloscPieces(frame, source, default, ranged: true, null, null, elementSize);
            }

            if (frame.NBytes == 0)
            {
                // Nothing decoded: one empty piece, the whole stored value.
                var whole = new byte[frame.CBytes];
                if (!source.TryReadAt(0, whole))
                {
                    source.Dispose();
                    return null;
                }

                source.Dispose();
                var inMemory = EncodedBytes.FromMemory(whole);
                return new BloscPieces(frame, inMemory, whole, ranged: false, null, null, elementSize);
            }

            var head = new byte[frame.TableEnd];
            if (!source.TryReadAt(0, head))
            {
                source.Dispose();
                return null;
            }

            // Blocks need not lie in order (c-blosc's threads append them as they finish): each ends where the next
            // block in file order starts, the last at cbytes.
            var starts = new int[frame.BlockCount];
            for (int b = 0; b < starts.Length; b++)
            {
                starts[b] = frame.BlockStart(head, b);
            }

            var sorted = (int[])starts.Clone();
            Array.Sort(sorted);
            var ends = new int[starts.Length];
            for (int b = 0; b < starts.Length; b++)
            {
                int next = Array.BinarySearch(sorted, starts[b] + 1);
                next = next >= 0 ? next : ~next;
                ends[b] = next < sorted.Length ? sorted[next] : frame.CBytes;
            }

            return new BloscPieces(frame, source, default, ranged: true, starts, ends, elementSize);
        }
        catch (CodecException)
        {
            source.Dispose();
            return null;
        }
        catch
        {
            source.Dispose(); // an I/O error surfaces, without leaking the handle
            throw;
        }
    }

    private static bool Fits(BloscDecoder.Frame frame, int chunkBytes, int elementSize) =>
        frame.NBytes == chunkBytes && (frame.Memcpyed || frame.BlockSize % elementSize == 0);

    /// <inheritdoc/>
    public override bool TryRead(out ReadOnlySpan<byte> bytes, out long offset) => Next(out bytes, out offset);

    // The frame bytes the current block was decompressed from: the whole stored frame, or the block's window.
    private ReadOnlySpan<byte> Data => _ranged ? _window.AsSpan(0, _windowLength) : _stored.Span[.._frame.CBytes];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool Next(out ReadOnlySpan<byte> bytes, out long offset)
    {
        int ts = _frame.TypeSize;
        if (_frame.Memcpyed && _ranged)
        {
            // Stored uncompressed and read by ranges: the next window of the raw bytes after the header.
            long at = (long)_nextBlock * _memcpyedWindow;
            if (at >= _frame.NBytes)
            {
                bytes = default;
                offset = 0;
                return false;
            }

            int count = (int)Math.Min(_memcpyedWindow, _frame.NBytes - at); // whole elements: so are the window and NBytes
            _nextBlock++;
            ReadWindow(BloscFormat.HeaderSize + (int)at, BloscFormat.HeaderSize + (int)at + count);
            bytes = _window.AsSpan(0, count);
            offset = at;
            return true;
        }

        if (_frame.Memcpyed || _frame.NBytes == 0)
        {
            // Stored uncompressed: one piece, straight from the frame.
            bool first = _nextBlock++ == 0 && _frame.NBytes > 0;
            bytes = first ? _stored.Span.Slice(BloscFormat.HeaderSize, _frame.NBytes) : default;
            offset = 0;
            return first;
        }

        if (_piecewise && _nextElement < _blockElements)
        {
            // The rest of the current shuffled block, one piece at a time, from its byte rows (rows stored raw are
            // read where they lie in the frame: never copied).
            int count = Math.Min(PieceBytes / ts, _blockElements - _nextElement);
            _frame.UnshuffleRows(Data, _block, _rawSplits, _splits, _blockElements, _nextElement, count, _piece);
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
        var block = LoadBlock(b, out int dataStart, out int pos);
        int blockBytes = block.Length;
        offset = (long)b * _frame.BlockSize;
        if (_piecewise)
        {
            DecompressPiecewise(b, block, dataStart, pos);
            return Next(out bytes, out offset);
        }

        _frame.DecompressBlockAt(Data, dataStart, b, pos, block, default);

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

    // Block b's buffer, with its compressed bytes located (and, read by ranges, read into the window): `pos` is where
    // they start in the frame, `dataStart` where the frame bytes held in Data start.
    private Span<byte> LoadBlock(int b, out int dataStart, out int pos)
    {
        int blockBytes = _frame.BlockBytes(b);
        _block ??= ArrayPool<byte>.Shared.Rent(_frame.MaxBlockBytes);
        dataStart = 0;
        if (!_ranged)
        {
            pos = _frame.BlockStart(_stored.Span, b);
        }
        else
        {
            pos = _blockStarts![b]; // validated against the table's bounds when opened
            ReadWindow(pos, _blockEnds![b]);
            dataStart = pos;
        }

        return _block.AsSpan(0, blockBytes);
    }

    // Decompresses byte-shuffled block b for piece-by-piece unshuffling (its raw byte rows stay in the frame).
    private void DecompressPiecewise(int b, Span<byte> block, int dataStart, int pos)
    {
        _splits = _frame.DecompressBlockAt(Data, dataStart, b, pos, block, _rawSplits);
        _piece ??= ArrayPool<byte>.Shared.Rent(PieceBytes);
        _blockElements = block.Length / _frame.TypeSize;
        _nextElement = 0;
    }

    /// <summary>
    /// Byte-shuffled frames skip what the reader does not need: blocks before the one holding <paramref name="from"/>
    /// are neither read nor decompressed, and within a block only the elements asked for are unshuffled.
    /// </summary>
    public override bool TryReadFrom(long from, int maxBytes, out ReadOnlySpan<byte> bytes, out long offset)
    {
        int ts = _frame.TypeSize;
        int current = _nextBlock - 1; // the block decompressed last; its elements from _nextElement on not handed out
        bool behind = current >= 0 && (from < ((long)current * _frame.BlockSize) + ((long)_nextElement * ts));
        if (!_piecewise || _frame.Memcpyed || from < 0 || from % _elementSize != 0 || _elementSize % ts != 0 || behind)
        {
            return Next(out bytes, out offset);
        }

        if (from >= _frame.NBytes)
        {
            bytes = default;
            offset = 0;
            return false;
        }

        int b = (int)(from / _frame.BlockSize);
        if (b != current)
        {
            _nextBlock = b + 1; // the blocks between are skipped: neither read nor decompressed
            DecompressPiecewise(b, LoadBlock(b, out int dataStart, out int pos), dataStart, pos);
        }

        _nextElement = (int)((from - ((long)b * _frame.BlockSize)) / ts);
        int limit = Math.Min(Math.Max(maxBytes, _elementSize), PieceBytes);
        limit = Math.Max(_elementSize, limit - (limit % _elementSize));
        int count = Math.Min(limit / ts, _blockElements - _nextElement);
        _frame.UnshuffleRows(Data, _block, _rawSplits, _splits, _blockElements, _nextElement, count, _piece);
        bytes = _piece!.AsSpan(0, count * ts);
        offset = ((long)b * _frame.BlockSize) + ((long)_nextElement * ts);
        _nextElement += count;
        return true;
    }

    // Reads frame bytes start..end (one block) from the file into the window buffer.
    private void ReadWindow(int start, int end)
    {
        int length = end - start;
        if (_window is null || _window.Length < length)
        {
            if (_window is not null)
            {
                ArrayPool<byte>.Shared.Return(_window);
            }

            _window = ArrayPool<byte>.Shared.Rent(length);
        }

        if (!_source.TryReadAt(start, _window.AsSpan(0, length)))
        {
            throw CodecHelpers.Truncated("blosc", $"the chunk file ends before offset {end} of its {_frame.CBytes}-byte frame");
        }

        _windowLength = length;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        _source.Dispose();
        Return(ref _window);
        Return(ref _block);
        Return(ref _piece);

        static void Return(ref byte[]? buffer)
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = null;
            }
        }
    }
}
