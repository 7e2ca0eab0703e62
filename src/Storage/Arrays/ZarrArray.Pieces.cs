using ChunkCompute.Storage.Arrays;
using ChunkCompute.Storage.Codecs;

namespace ChunkCompute.Storage;

// Reading stored chunks in decoded pieces (a codec capability: see ChunkPieces).
public sealed partial class ZarrArray
{
    /// <summary>
    /// Opens stored chunk <paramref name="chunkIndex"/> for reading in cache-sized decoded pieces (see
    /// <see cref="ChunkPieces"/>), bypassing the cache; null when the chunk is not stored or cannot be decoded part by
    /// part (<see cref="DecodesInPieces"/> is false, or this value's layout does not allow it): read it whole then,
    /// which reports any error. When the store hands out a value's file, only the parts being decoded are read.
    /// </summary>
    /// <exception cref="CorruptChunkException">A piece does not decode (raised by <see cref="ChunkPieces.TryRead"/>).</exception>
    public ChunkPieces? OpenChunkPieces(ReadOnlySpan<long> chunkIndex)
    {
        CheckChunkIndex(chunkIndex);
        if (!DecodesInPieces)
        {
            return null;
        }

        string key = ChunkKey(chunkIndex);
        EncodedBytes? source;
        if (_view is Stores.IFileValueStore { OpensFiles: true } files)
        {
            // A local file: opened once, each block read at its offset.
            var file = files.OpenValue(key);
            source = file is null ? null : EncodedBytes.FromFile(file);
        }
        else
        {
            // Whole, in one read: a value read by ranges could be replaced between them. (Object stores will read
            // ranges of one version through EncodedBytes.FromStoreRanges with a version condition.)
            var stored = _view.GetPooled(key);
            source = stored is null ? null : EncodedBytes.FromMemory(stored);
        }

        var pieces = source is null ? null : Metadata.Codecs.TryOpenPieces(source, Metadata.ChunkShapeArray);
        return pieces is null ? null : new StoredChunkPieces(this, key, pieces);
    }

    /// <summary>
    /// True when stored chunks can be read in pieces (<see cref="OpenChunkPieces(ReadOnlySpan{long})"/>): the codecs offer it
    /// (<see cref="CodecPipeline.DecodesInPieces"/>: no compression, Blosc, or sharding by rows, over little-endian
    /// C-order bytes).
    /// </summary>
    public bool DecodesInPieces => Metadata.Codecs.DecodesInPieces(Metadata.ChunkShapeArray);

    // A box of a stored chunk copied from its decoded pieces (no whole-chunk temporary); false when the chunk is not
    // stored or its value cannot be read in pieces (then it is read whole).
    private unsafe bool ReadBoxInPieces(ReadOnlySpan<long> chunkIndex, string key, long[] chunkShape, ReadOnlySpan<long> srcStart, ReadOnlySpan<long> extent, byte* destination, long[] regionShape, ReadOnlySpan<long> dstStart)
    {
        using var pieces = OpenChunkPieces(chunkIndex);
        if (pieces is null)
        {
            return false;
        }

        if (!PieceCopy.Copy(pieces, chunkShape, srcStart, extent, destination, regionShape, dstStart, DataType.Size))
        {
            throw new CorruptChunkException(_owner.Name, Path, key, "the decoded pieces end before the chunk does");
        }

        return true;
    }

    // A stored chunk's pieces, whose decoding errors name the store, array and chunk.
    private sealed class StoredChunkPieces(ZarrArray array, string key, ChunkPieces inner) : ChunkPieces
    {
        public override bool TryRead(out ReadOnlySpan<byte> bytes, out long offset)
        {
            try
            {
                return inner.TryRead(out bytes, out offset);
            }
            catch (Exception ex) when (ex is CodecException or ArgumentException or IndexOutOfRangeException)
            {
                throw new CorruptChunkException(array.Store.Name, array.Path, key, ex.Message, ex);
            }
        }

        public override bool TryReadFrom(long from, int maxBytes, out ReadOnlySpan<byte> bytes, out long offset)
        {
            try
            {
                return inner.TryReadFrom(from, maxBytes, out bytes, out offset);
            }
            catch (Exception ex) when (ex is CodecException or ArgumentException or IndexOutOfRangeException)
            {
                throw new CorruptChunkException(array.Store.Name, array.Path, key, ex.Message, ex);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
        }
    }
}
