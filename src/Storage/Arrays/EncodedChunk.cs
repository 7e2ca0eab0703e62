using System.Buffers;

namespace ChunkCompute.Storage;

/// <summary>
/// One stored chunk's encoded bytes as fetched by <see cref="ZarrArray.FetchChunkAsync"/>: the request is done, the
/// decoding is not. Decode it with <see cref="ZarrArray.DecodeChunk"/> or read it in pieces with
/// <see cref="ZarrArray.OpenChunkPieces(EncodedChunk)"/>. Holds pooled memory: dispose it.
/// </summary>
public sealed class EncodedChunk : IDisposable
{
    private IMemoryOwner<byte>? _stored;
    private bool _disposed;

    internal EncodedChunk(ZarrArray array, long[] chunkIndex, string key, IMemoryOwner<byte>? stored)
    {
        Array = array;
        ChunkIndex = chunkIndex;
        Key = key;
        _stored = stored;
        IsStored = stored is not null;
        Length = stored?.Memory.Length ?? 0;
    }

    /// <summary>The array the chunk belongs to.</summary>
    public ZarrArray Array { get; }

    /// <summary>The chunk's index in the array's chunk grid.</summary>
    public IReadOnlyList<long> ChunkIndex { get; }

    /// <summary>The chunk's key in the store.</summary>
    public string Key { get; }

    /// <summary>False when the chunk is not stored: it reads as the fill value.</summary>
    public bool IsStored { get; }

    /// <summary>The encoded bytes' length (0 when not stored).</summary>
    public int Length { get; }

    /// <summary>Returns the bytes' memory to the pool.</summary>
    public void Dispose()
    {
        _disposed = true;
        Interlocked.Exchange(ref _stored, null)?.Dispose();
    }

    internal IMemoryOwner<byte>? Stored => _disposed ? throw new ObjectDisposedException(nameof(EncodedChunk), $"chunk '{Key}' was disposed") : _stored;
}
