using ChunkCompute.Storage;
using ChunkCompute.Storage.Codecs;

namespace ChunkCompute.Graph;

/// <summary>
/// A source node that reads an array from a Zarr store; by default its grid is the store's chunk grid, so each task
/// reads and decodes exactly one stored chunk, straight into the task's output buffer.
/// </summary>
public sealed class ZarrSourceNode : ArrayNode
{
    private readonly bool _onStoredGrid;

    /// <summary>Creates the node; <paramref name="grid"/> defaults to the stored chunk grid.</summary>
    public ZarrSourceNode(ZarrArray array, ChunkGrid? grid = null)
        : base(Require(array).DataType, grid ?? ChunkGrid.Regular(array.Shape, array.ChunkShape), [])
    {
        Array = array;
        _onStoredGrid = Grid.Equals(ChunkGrid.Regular(array.Shape, array.ChunkShape));
        if (!Grid.Shape.SequenceEqual(array.Shape))
        {
            throw new ArgumentException($"grid shape [{string.Join(", ", Grid.Shape)}] differs from array '{array.Path}' [{string.Join(", ", array.Shape)}]", nameof(grid));
        }
    }

    /// <summary>The stored array.</summary>
    public ZarrArray Array { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<string?>? DimensionNames => Array.Metadata.DimensionNames;

    /// <inheritdoc/>
    public override string Label => "read " + (Array.Path.Length == 0 ? "/" : Array.Path);

    /// <inheritdoc/>
    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
    }

    /// <summary>
    /// The storage layer's buffers: on the stored grid a chunk decodes straight into the output, so it holds the
    /// compressed bytes read (at most about one chunk) and, streamed, a Blosc block or two; on another grid, what
    /// reading the task's region takes (<see cref="ZarrArray.ReadBufferBytes"/>: a stored chunk covered in part is
    /// decoded into a temporary buffer, or, from a local file in pieces, a few blocks at a time).
    /// </summary>
    public override long HeldBytes(ReadOnlySpan<long> chunkIndex) =>
        _onStoredGrid ? Array.Metadata.ChunkElementCount * DataType.Size
        : Array.ReadBufferBytes(new ArraySubset(Grid.Origin(chunkIndex), Grid.ChunkShape(chunkIndex).Select(s => (long)s).ToArray()));

    /// <summary>True when the array's store answers over a network (an object store or HTTP).</summary>
    public override bool IsRemote => Array.IsRemote;

    /// <summary>On the stored grid of a remote store, each chunk is fetched ahead by one asynchronous request.</summary>
    public override bool FetchesAhead(ReadOnlySpan<long> chunkIndex) => _onStoredGrid && Array.IsRemote;

    /// <inheritdoc/>
    public override async ValueTask<IDisposable?> FetchAsync(long[] chunkIndex, CancellationToken cancellationToken) =>
        await Array.FetchChunkAsync(chunkIndex, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Fetched is EncodedChunk fetched)
        {
            Array.DecodeChunk(fetched, context.Output.Bytes);
            return;
        }

        var origin = Grid.Origin(context.ChunkIndex);
        var extent = context.Output.Shape.Select(s => (long)s).ToArray();
        Array.ReadBytes(new ArraySubset(origin, extent), context.Output.Bytes, useCache: false, context.CancellationToken);
    }

    /// <summary>
    /// On the stored grid, when the array's codecs decode part by part (<see cref="ZarrArray.DecodesInPieces"/>: no
    /// compression, Blosc, or sharding by rows), a chunk is streamed in cache-sized decoded pieces (see <see cref="ChunkStream"/>).
    /// </summary>
    public override bool CanStream(ReadOnlySpan<long> chunkIndex) => _onStoredGrid && Array.DecodesInPieces;

    /// <inheritdoc/>
    public override ChunkStream OpenStream(ChunkStreamContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var shape = Grid.ChunkShape(context.ChunkIndex);
        var stored = Array.ChunkShape;
        bool prefix = true;
        for (int d = 1; d < shape.Length; d++)
        {
            prefix &= shape[d] == stored[d];
        }

        // A chunk cut short along the first axis only is a prefix of the stored chunk: stream it and stop early.
        // Other edge chunks, chunks not stored (fill value) and values that cannot be decoded in pieces are read whole.
        long bytes = Grid.ChunkElements(context.ChunkIndex) * DataType.Size;
        var fetched = context.Fetched as EncodedChunk;
        var reader = !prefix ? null : fetched is null ? Array.OpenChunkPieces(context.ChunkIndex) : Array.OpenChunkPieces(fetched);
        if (reader is null && fetched is not null)
        {
            Array.DecodeChunk(fetched, context.Memory.Bytes[..checked((int)bytes)]);
        }
        else if (reader is null)
        {
            var whole = context.Memory.Bytes[..checked((int)bytes)];
            Array.ReadBytes(new ArraySubset(Grid.Origin(context.ChunkIndex), shape.Select(s => (long)s).ToArray()), whole, useCache: false, context.CancellationToken);
        }

        return new SourceStream(reader, context.Memory, bytes, DataType.Size);
    }

    private sealed class SourceStream : ChunkStream
    {
        private readonly ChunkPieces? _reader;
        private readonly ChunkBuffer _whole;
        private readonly long _bytes;
        private readonly int _elementSize;
        private bool _done;

        public SourceStream(ChunkPieces? reader, ChunkBuffer whole, long bytes, int elementSize)
        {
            _reader = reader;
            _whole = whole;
            _bytes = bytes;
            _elementSize = elementSize;
        }

        public override bool TryRead(out ReadOnlySpan<byte> values, out long firstElement)
        {
            values = default;
            firstElement = 0;
            if (_done)
            {
                return false;
            }

            if (_reader is null)
            {
                _done = true;
                values = _whole.Bytes[..(int)_bytes];
                return _bytes > 0;
            }

            if (!_reader.TryRead(out var piece, out long offset) || offset >= _bytes)
            {
                _done = true;
                return false;
            }

            values = piece[..(int)Math.Min(piece.Length, _bytes - offset)];
            firstElement = offset / _elementSize;
            return true;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _reader?.Dispose();
            }
        }
    }

    private static ZarrArray Require(ZarrArray array) => array ?? throw new ArgumentNullException(nameof(array));
}
