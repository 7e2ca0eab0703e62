namespace ChunkCompute.Graph;

/// <summary>
/// One chunk delivered as consecutive pieces of its elements in C order rather than as one buffer. Lowering fuses a
/// chain of producers into their only consumer this way (see <see cref="ArrayNode.CanStream"/>): a reduction over a
/// Blosc-compressed array then reads every value while the decoder's piece is in cache, and the decoded chunk is
/// never written out to memory.
/// </summary>
public abstract class ChunkStream : IDisposable
{
    /// <summary>
    /// The next piece (whole elements of the producer's type, valid until the next call) and the flat C-order position
    /// of its first element in the chunk; false after the last piece.
    /// </summary>
    public abstract bool TryRead(out ReadOnlySpan<byte> values, out long firstElement);

    /// <inheritdoc/>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the stream holds (and the stream it reads, if any).</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>What <see cref="ArrayNode.OpenStream"/> gets: the chunk, its memory, and the stream of its input.</summary>
public sealed class ChunkStreamContext
{
    /// <summary>Creates a context.</summary>
    public ChunkStreamContext(long[] chunkIndex, ChunkBuffer memory, ChunkStream? input, CancellationToken cancellationToken)
    {
        ChunkIndex = chunkIndex;
        Memory = memory;
        Input = input;
        CancellationToken = cancellationToken;
    }

    /// <summary>The chunk's index in the node's grid.</summary>
    public long[] ChunkIndex { get; }

    /// <summary>What the node's <see cref="ArrayNode.FetchAsync"/> fetched ahead for this chunk, or null.</summary>
    public IDisposable? Fetched { get; init; }

    /// <summary>Memory of <see cref="ArrayNode.StreamBytes"/> bytes, owned by the consumer task (do not dispose).</summary>
    public ChunkBuffer Memory { get; }

    /// <summary>The stream of the node's single input (same chunk), or null for a node without inputs.</summary>
    public ChunkStream? Input { get; }

    /// <summary>Cancelled when the computation is.</summary>
    public CancellationToken CancellationToken { get; }
}
