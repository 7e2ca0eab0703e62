using System.Buffers;
using System.Runtime.CompilerServices;
using ChunkCompute.Storage.Codecs;
using ChunkCompute.Storage.Stores;
using Microsoft.Win32.SafeHandles;

namespace ChunkCompute.Storage;

/// <summary>
/// Reads one stored Blosc chunk as consecutive pieces of decoded bytes in C order, without decoding the whole chunk
/// into memory first: each block is decompressed into a block-sized buffer and handed out in cache-sized, unshuffled
/// pieces, so a consumer (a reduction, a fused elementwise chain) reads every value while it is in L1 instead of
/// after the chunk has been written out to memory and read back. When the store hands out the chunk's file
/// (<see cref="Stores.IFileValueStore"/>), only the header and block table are read up front and each compressed block
/// is read just before it is decoded, into a block-sized buffer that stays in cache. Every piece holds whole elements
/// and is valid until the next <see cref="TryRead"/>. Obtained from <see cref="ZarrArray.OpenChunkReader"/>.
/// </summary>
internal sealed class ChunkReader : IDisposable
{
    /// <summary>Bytes of one unshuffled piece: half of a typical 32 KiB L1 data cache.</summary>
    internal const int PieceBytes = 16 * 1024;

    private readonly IMemoryOwner<byte>? _stored;
    private readonly SafeFileHandle? _file;
    private readonly int[]? _blockStarts;
    private readonly int[]? _blockEnds;
    private readonly BloscDecoder.Frame _frame;
    private readonly ZarrArray _array;
    private readonly string _key;
    private readonly bool _piecewise;
    private byte[]? _window;
    private int _windowLength;
    private byte[]? _block;
    private byte[]? _piece;
    private int _nextBlock;
    private int _blockElements;
    private readonly int[] _rawSplits = new int[BloscDecoder.Frame.MaxSplitsPerBlock];
    private int _nextElement;
    private int _splits;

    private ChunkReader(ZarrArray array, string key, BloscDecoder.Frame frame, IMemoryOwner<byte>? stored, SafeFileHandle? file, int[]? blockStarts, int[]? blockEnds)
    {
        _array = array;
        _key = key;
        _stored = stored;
        _file = file;
        _blockStarts = blockStarts;
        _blockEnds = blockEnds;
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
            if (Fits(frame, chunkBytes, elementSize))
            {
                return new ChunkReader(array, key, frame, stored, null, null, null);
            }
        }
        catch (CodecException)
        {
        }

        stored.Dispose();
        return null;
    }

    /// <summary>
    /// As <see cref="TryOpen(ZarrArray, string, IMemoryOwner{byte}, int, int)"/> for a chunk stored in a file (taking
    /// ownership of <paramref name="file"/>): only the header and block table are read now, and each block is read
    /// when it is decoded, into a buffer the size of one compressed block that stays in cache. Frames stored
    /// uncompressed are read whole. Returns null (having closed the file) when the frame does not fit, is corrupt or
    /// truncated: the caller then decodes the chunk whole, which reports the error.
    /// </summary>
    internal static ChunkReader? TryOpen(ZarrArray array, string key, SafeFileHandle file, int chunkBytes, int elementSize)
    {
        try
        {
            long length = RandomAccess.GetLength(file);
            Span<byte> header = stackalloc byte[BloscFormat.HeaderSize];
            if (length < header.Length || RandomAccess.Read(file, header, 0) != header.Length)
            {
                file.Dispose();
                return null;
            }

            var frame = BloscDecoder.Frame.Parse(header, length);
            if (!Fits(frame, chunkBytes, elementSize))
            {
                file.Dispose();
                return null;
            }

            if (frame.Memcpyed || frame.NBytes == 0)
            {
                // One piece, the whole stored value: read it whole.
                var whole = new ArrayPoolOwner(frame.CBytes);
                if (!ReadExactly(file, whole.Memory.Span, 0))
                {
                    whole.Dispose();
                    file.Dispose();
                    return null;
                }

                file.Dispose();
                return new ChunkReader(array, key, frame, whole, null, null, null);
            }

            var head = new byte[frame.TableEnd];
            if (!ReadExactly(file, head, 0))
            {
                file.Dispose();
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

            return new ChunkReader(array, key, frame, null, file, starts, ends);
        }
        catch (CodecException)
        {
            file.Dispose();
            return null;
        }
        catch
        {
            file.Dispose(); // an I/O error surfaces, without leaking the handle
            throw;
        }
    }

    private static bool Fits(BloscDecoder.Frame frame, int chunkBytes, int elementSize) =>
        frame.NBytes == chunkBytes && (frame.Memcpyed || frame.BlockSize % elementSize == 0);

    private static bool ReadExactly(SafeFileHandle file, Span<byte> buffer, long offset)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = RandomAccess.Read(file, buffer[total..], offset + total);
            if (n == 0)
            {
                return false;
            }

            total += n;
        }

        return true;
    }

    /// <summary>The next piece and its byte offset in the chunk; false after the last.</summary>
    /// <exception cref="CorruptChunkException">A block does not decode, or the chunk file ends before a block.</exception>
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

    // The frame bytes the current block was decompressed from: the whole stored frame, or the block's window.
    private ReadOnlySpan<byte> Data => _file is null ? _stored!.Memory.Span[.._frame.CBytes] : _window.AsSpan(0, _windowLength);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool Next(out ReadOnlySpan<byte> bytes, out long offset)
    {
        int ts = _frame.TypeSize;
        if (_frame.Memcpyed || _frame.NBytes == 0)
        {
            // Stored uncompressed: one piece, straight from the frame.
            bool first = _nextBlock++ == 0 && _frame.NBytes > 0;
            bytes = first ? _stored!.Memory.Span.Slice(BloscFormat.HeaderSize, _frame.NBytes) : default;
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
        int blockBytes = _frame.BlockBytes(b);
        _block ??= ArrayPool<byte>.Shared.Rent(_frame.MaxBlockBytes);
        var block = _block.AsSpan(0, blockBytes);
        offset = (long)b * _frame.BlockSize;
        int dataStart = 0, pos;
        if (_file is null)
        {
            pos = _frame.BlockStart(_stored!.Memory.Span, b);
        }
        else
        {
            pos = _blockStarts![b]; // validated against the table's bounds when opened
            ReadWindow(pos, _blockEnds![b]);
            dataStart = pos;
        }

        if (_piecewise)
        {
            _splits = _frame.DecompressBlockAt(Data, dataStart, b, pos, block, _rawSplits);
            _piece ??= ArrayPool<byte>.Shared.Rent(PieceBytes);
            _blockElements = blockBytes / ts;
            _nextElement = 0;
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

        if (!ReadExactly(_file!, _window.AsSpan(0, length), start))
        {
            throw CodecHelpers.Truncated("blosc", $"the chunk file ends before offset {end} of its {_frame.CBytes}-byte frame");
        }

        _windowLength = length;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _stored?.Dispose();
        _file?.Dispose();
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
