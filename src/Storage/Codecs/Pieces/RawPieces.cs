using System.Buffers;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// Pieces of a value stored without compression: the stored bytes are the chunk. In memory it is one piece (no copy);
/// read by ranges it is read a window at a time into one small buffer.
/// </summary>
internal sealed class RawPieces : ChunkPieces
{
    private const int WindowBytes = 4 * PieceBytes;
    private readonly EncodedBytes _source;
    private readonly int _elementSize;
    private byte[]? _window;
    private long _next;

    private RawPieces(EncodedBytes source, int elementSize)
    {
        _source = source;
        _elementSize = elementSize;
    }

    /// <summary>Opens <paramref name="source"/> (owned) when it is exactly <paramref name="decodedLength"/> bytes.</summary>
    public static ChunkPieces? TryOpen(EncodedBytes source, int decodedLength, int elementSize)
    {
        if (source.Length != decodedLength || elementSize <= 0)
        {
            source.Dispose();
            return null;
        }

        return new RawPieces(source, elementSize);
    }

    public override bool TryRead(out ReadOnlySpan<byte> bytes, out long offset)
    {
        long length = _source.Length;
        offset = _next;
        if (_next >= length)
        {
            bytes = default;
            return false;
        }

        if (_source.TryGetMemory(out var memory))
        {
            bytes = memory.Span;
            _next = length;
            return true;
        }

        int window = WindowBytes - (WindowBytes % _elementSize);
        int count = (int)Math.Min(window, length - _next);
        _window ??= ArrayPool<byte>.Shared.Rent(window);
        if (!_source.TryReadAt(_next, _window.AsSpan(0, count)))
        {
            throw new CodecException("bytes", $"the stored value ends before byte {_next + count} of its {length}");
        }

        bytes = _window.AsSpan(0, count);
        _next += count;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _source.Dispose();
            if (_window is not null)
            {
                ArrayPool<byte>.Shared.Return(_window);
                _window = null;
            }
        }
    }
}
