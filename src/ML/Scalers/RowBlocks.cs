using System.Runtime.InteropServices;
using ChunkCompute.Graph;

namespace ChunkCompute.ML;

/// <summary>
/// The rows of one 2-D input chunk in blocks of at most a given number of whole rows: straight from the chunk buffer
/// when the partial got one, or gathered from a <see cref="ChunkStream"/>'s pieces (which may end inside a row) into a
/// small row buffer when lowering streamed the chunk into the partial, so the decoded chunk never exists whole.
/// </summary>
internal ref struct RowBlocks<T>
    where T : unmanaged
{
    private readonly ChunkStream? _stream;
    private readonly Span<T> _buffer;
    private readonly int _rowLength;
    private readonly int _blockElements;
    private ReadOnlySpan<T> _pending;
    private bool _ended;

    /// <summary>
    /// Reads the single input of a partial's context (rows × rowLength elements) in blocks of up to blockRows rows;
    /// buffer (at least blockRows × rowLength elements) is used only for a streamed input.
    /// </summary>
    public unsafe RowBlocks(ChunkKernelContext context, int rows, int rowLength, int blockRows, Span<T> buffer)
    {
        _rowLength = Math.Max(1, rowLength);
        _blockElements = checked(Math.Max(1, blockRows) * _rowLength);
        _stream = context.InputStream;
        _buffer = buffer;
        _pending = _stream is null ? new ReadOnlySpan<T>(context.Inputs[0].Pointer, checked(rows * rowLength)) : default;
        _ended = _stream is null;
    }

    /// <summary>Bytes of the row buffer a streamed read needs.</summary>
    public static unsafe long BufferBytes(int rowLength, int blockRows) => (long)rowLength * blockRows * sizeof(T);

    /// <summary>The next block of whole rows (C order); false after the last.</summary>
    /// <exception cref="InvalidOperationException">The stream ended inside a row.</exception>
    public bool Next(out ReadOnlySpan<T> rows)
    {
        if (_stream is null)
        {
            int take = Math.Min(_blockElements, _pending.Length);
            rows = _pending[..take];
            _pending = _pending[take..];
            return take > 0;
        }

        var buffer = _buffer[.._blockElements];
        int filled = 0;
        while (filled < buffer.Length)
        {
            if (_pending.IsEmpty)
            {
                if (_ended || !_stream.TryRead(out var bytes, out _))
                {
                    _ended = true;
                    break;
                }

                _pending = MemoryMarshal.Cast<byte, T>(bytes);
                continue;
            }

            int take = Math.Min(buffer.Length - filled, _pending.Length);
            _pending[..take].CopyTo(buffer[filled..]);
            filled += take;
            _pending = _pending[take..];
        }

        if (filled % _rowLength != 0)
        {
            throw new InvalidOperationException($"a streamed chunk ended inside a row ({filled % _rowLength} of {_rowLength} values)");
        }

        rows = buffer[..filled];
        return filled > 0;
    }
}
