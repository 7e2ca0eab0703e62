namespace ChunkCompute.Storage.Arrays;

/// <summary>
/// The chunks a region touches, and for chunk number k (C order over that box of chunks) where its intersection with
/// the region lies in the chunk and in the region.
/// </summary>
internal sealed class RegionPlan
{
    private readonly long[] _regionStart;
    private readonly long[] _arrayShape;
    private readonly long[] _firstChunk;
    private readonly long[] _chunkCounts;

    public RegionPlan(ArrayMetadata metadata, ArraySubset region)
    {
        int rank = metadata.Rank;
        _arrayShape = metadata.ShapeArray;
        ChunkShapeLong = metadata.ChunkShapeArray.Select(c => (long)c).ToArray();
        _regionStart = region.StartArray;
        RegionShape = region.ShapeArray;
        _firstChunk = new long[rank];
        _chunkCounts = new long[rank];
        ChunkCount = 1;
        for (int d = 0; d < rank; d++)
        {
            long first = _regionStart[d] / ChunkShapeLong[d];
            long last = (_regionStart[d] + RegionShape[d] - 1) / ChunkShapeLong[d];
            _firstChunk[d] = first;
            _chunkCounts[d] = last - first + 1;
            ChunkCount *= _chunkCounts[d];
        }
    }

    public long[] ChunkShapeLong { get; }

    public long[] RegionShape { get; }

    public long ChunkCount { get; }

    public void Intersect(long k, Span<long> chunkIndex, Span<long> inChunkStart, Span<long> inRegionStart, Span<long> extent)
    {
        for (int d = _chunkCounts.Length - 1; d >= 0; d--)
        {
            long i = k % _chunkCounts[d];
            k /= _chunkCounts[d];
            long c = _firstChunk[d] + i;
            chunkIndex[d] = c;
            long origin = c * ChunkShapeLong[d];
            long lo = Math.Max(origin, _regionStart[d]);
            long hi = Math.Min(origin + ChunkShapeLong[d], _regionStart[d] + RegionShape[d]);
            inChunkStart[d] = lo - origin;
            inRegionStart[d] = lo - _regionStart[d];
            extent[d] = hi - lo;
        }
    }

    // The decoded chunk maps onto one contiguous run of the destination when it lies wholly inside the region and spans
    // the region's full extent in every dimension but the first.
    public bool IsContiguousInDestination(ReadOnlySpan<long> extent)
    {
        for (int d = 0; d < extent.Length; d++)
        {
            if (extent[d] != ChunkShapeLong[d] || (d > 0 && RegionShape[d] != ChunkShapeLong[d]))
            {
                return false;
            }
        }

        return true;
    }

    // The write covers every in-bounds element of the chunk, so its old content need not be read.
    public bool CoversInBoundsChunk(ReadOnlySpan<long> chunkIndex, ReadOnlySpan<long> inChunkStart, ReadOnlySpan<long> extent)
    {
        for (int d = 0; d < extent.Length; d++)
        {
            long origin = chunkIndex[d] * ChunkShapeLong[d];
            long inBounds = Math.Min(ChunkShapeLong[d], _arrayShape[d] - origin);
            if (inChunkStart[d] != 0 || extent[d] != inBounds)
            {
                return false;
            }
        }

        return true;
    }
}
