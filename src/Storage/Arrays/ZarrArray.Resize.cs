using ChunkCompute.Storage.Arrays;

namespace ChunkCompute.Storage;

public sealed partial class ZarrArray
{
    /// <summary>
    /// Changes the shape (rank and chunks stay). Shrinking writes metadata only (O(1)); the chunks beyond the new shape
    /// stay until <see cref="ZarrStore.CollectGarbage"/>. Growing reads the fill value in the new region, never data
    /// left from before a shrink: stored chunks there are cleared (O(chunks in the grown region)). Outside a
    /// transaction this is one commit; this handle then has the new shape.
    /// </summary>
    /// <exception cref="ArgumentException">The rank differs or a size is negative.</exception>
    public void Resize(ReadOnlySpan<long> newShape, CancellationToken cancellationToken = default)
    {
        long[] shape = newShape.ToArray();
        CheckNewShape(shape);
        Mutate(a => a.ResizeCore(shape, cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Appends a block of values along <paramref name="axis"/>: <paramref name="values"/> holds, in C order, a block
    /// whose extent along the axis is <c>values.Length / (product of the other dimensions)</c> and whose other
    /// dimensions equal the array's. Costs O(appended data) whatever the array's size; outside a transaction it is one
    /// commit (shape and data together).
    /// </summary>
    /// <exception cref="ShapeMismatchException">The values do not fill whole slices across the other dimensions.</exception>
    /// <exception cref="DataTypeMismatchException"><typeparamref name="T"/> is not the element type.</exception>
    public void Append<T>(ReadOnlySpan<T> values, int axis = 0, CancellationToken cancellationToken = default)
        where T : unmanaged
    {
        CheckType<T>();
        CheckAxis(axis);
        long slice = 1;
        for (int d = 0; d < Rank; d++)
        {
            slice *= d == axis ? 1 : Shape[d];
        }

        if (slice == 0 ? values.Length != 0 : values.Length % slice != 0)
        {
            throw new ShapeMismatchException($"cannot append {values.Length} values to array '{Path}' of shape [{string.Join(", ", Shape)}] in store '{_owner.Name}' along axis {axis}: a slice across the other axes holds {slice} values");
        }

        var block = Shape.ToArray();
        block[axis] = slice == 0 ? 0 : values.Length / slice;
        Append(values, block, axis, cancellationToken);
    }

    /// <summary>
    /// Appends a block of shape <paramref name="blockShape"/> (C order) along <paramref name="axis"/>; every other
    /// dimension of the block must equal the array's.
    /// </summary>
    /// <exception cref="ShapeMismatchException">The block's rank or other dimensions do not match, or its length is wrong.</exception>
    /// <exception cref="DataTypeMismatchException"><typeparamref name="T"/> is not the element type.</exception>
    public unsafe void Append<T>(ReadOnlySpan<T> values, ReadOnlySpan<long> blockShape, int axis = 0, CancellationToken cancellationToken = default)
        where T : unmanaged
    {
        CheckType<T>();
        fixed (T* p = values)
        {
            AppendCore((byte*)p, values.Length, blockShape, axis, cancellationToken);
        }
    }

    /// <summary>
    /// Appends a block of shape <paramref name="blockShape"/> given as raw little-endian element bytes (C order) along
    /// <paramref name="axis"/>.
    /// </summary>
    /// <exception cref="ShapeMismatchException">The block does not match the array, or the byte count is not the block's.</exception>
    public unsafe void AppendBytes(ReadOnlySpan<byte> values, ReadOnlySpan<long> blockShape, int axis = 0, CancellationToken cancellationToken = default)
    {
        int es = DataType.Size;
        if (values.Length % es != 0)
        {
            throw new ShapeMismatchException($"{values.Length} bytes are not whole {DataType.Name} elements ({es} bytes each) for array '{Path}' in store '{_owner.Name}'");
        }

        fixed (byte* p = values)
        {
            AppendCore(p, values.Length / es, blockShape, axis, cancellationToken);
        }
    }

    private unsafe void AppendCore(byte* values, long length, ReadOnlySpan<long> blockShape, int axis, CancellationToken cancellationToken)
    {
        CheckAxis(axis);
        long[] block = blockShape.ToArray();
        if (block.Length != Rank)
        {
            throw new ShapeMismatchException($"cannot append a block of rank {block.Length} ([{string.Join(", ", block)}]) to array '{Path}' of rank {Rank} in store '{_owner.Name}'");
        }

        long count = 1;
        for (int d = 0; d < Rank; d++)
        {
            if (block[d] < 0 || (d != axis && block[d] != Shape[d]))
            {
                throw new ShapeMismatchException($"cannot append a block of shape [{string.Join(", ", block)}] to array '{Path}' of shape [{string.Join(", ", Shape)}] in store '{_owner.Name}' along axis {axis}: dimension {d} must be {Shape[d]}");
            }

            count *= block[d];
        }

        if (count != length)
        {
            throw new ShapeMismatchException($"a block of shape [{string.Join(", ", block)}] holds {count} values, but {length} were given to append to array '{Path}' in store '{_owner.Name}'");
        }

        {
            nint source = (nint)values;
            long bytes = length * DataType.Size;
            Mutate(
                a =>
                {
                    var start = new long[a.Rank];
                    start[axis] = a.Shape[axis];
                    var shape = a.Shape.ToArray();
                    shape[axis] += block[axis];
                    a.ResizeCore(shape, cancellationToken);
                    a.WriteCore(new ArraySubset(start, block), (byte*)source, bytes, cancellationToken);
                },
                cancellationToken);
        }
    }

    // Runs a change of this array: directly (a plain store, or inside a transaction), or as one commit.
    private void Mutate(Action<ZarrArray> body, CancellationToken cancellationToken)
    {
        if (_owner.AutoCommits)
        {
            _owner.AutoCommitArray(this, body, cancellationToken);
        }
        else
        {
            body(this);
        }
    }

    private void CheckAxis(int axis)
    {
        if (axis < 0 || axis >= Rank)
        {
            throw new ArgumentOutOfRangeException(nameof(axis), axis, $"array '{Path}' has {Rank} dimensions");
        }
    }

    private void CheckNewShape(long[] shape)
    {
        if (shape.Length != Rank)
        {
            throw new ArgumentException($"cannot resize array '{Path}' of rank {Rank} in store '{_owner.Name}' to [{string.Join(", ", shape)}]: the rank must stay {Rank}", nameof(shape));
        }

        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(shape), $"cannot resize array '{Path}' in store '{_owner.Name}' to [{string.Join(", ", shape)}]: dimension {d} is negative");
            }
        }
    }

    private void ResizeCore(long[] shape, CancellationToken cancellationToken)
    {
        CheckNewShape(shape);
        var old = Metadata.ShapeArray;
        var md = Metadata.WithShape(shape);
        var chunkShape = Metadata.ChunkShapeArray;
        int rank = Rank;

        // Chunks of the grown region (new minus old) must read the fill value: clear what earlier shrinks left there.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var index = new long[rank];
        var lo = new long[rank];
        var hi = new long[rank];
        for (int g = 0; g < rank; g++)
        {
            if (shape[g] <= old[g])
            {
                continue;
            }

            bool empty = false;
            for (int d = 0; d < rank; d++)
            {
                long start = d == g ? old[d] : 0;
                long end = d < g ? Math.Min(old[d], shape[d]) : shape[d];
                empty |= end <= start;
                lo[d] = start / chunkShape[d];
                hi[d] = empty ? 0 : (end - 1) / chunkShape[d];
            }

            if (empty)
            {
                continue;
            }

            lo.CopyTo(index, 0);
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                string key = ChunkKey(index);
                if (seen.Add(key) && _view.Exists(key))
                {
                    ClearBeyond(key, index, old);
                }

                int k = rank - 1;
                while (k >= 0 && ++index[k] > hi[k])
                {
                    index[k] = lo[k];
                    k--;
                }

                if (k < 0)
                {
                    break;
                }
            }
        }

        _owner.WriteArrayMetadata(Path, md);
        _metadata = md;
    }

    // Sets a stored chunk's elements outside the old shape to the fill value (deleting the chunk if nothing is left).
    private void ClearBeyond(string key, long[] chunkIndex, long[] oldShape)
    {
        var chunkShape = Metadata.ChunkShapeArray;
        int rank = Rank;
        bool outside = false;
        for (int d = 0; d < rank; d++)
        {
            outside |= chunkIndex[d] * chunkShape[d] >= oldShape[d];
        }

        lock (LockFor(key))
        {
            if (outside)
            {
                _view.Delete(key);
                return;
            }

            if (DataType.IsVariableLength)
            {
                ClearStringsBeyond(key, chunkIndex, oldShape);
                return;
            }

            var buffer = new byte[ChunkByteCount];
            ReadChunkInto(key, buffer, useCache: false);
            foreach (var (start, extent) in BoxesBeyond(chunkIndex, oldShape))
            {
                NdCopy.FillBox(buffer, Metadata.ChunkShapeLong, start, extent, Metadata.FillValue);
            }

            StoreChunk(key, buffer);
        }
    }

    // The boxes of chunk `chunkIndex` (chunk coordinates) that lie beyond `oldShape`, one per dimension the old shape
    // cuts: what a growing resize must clear to the fill value. The arrays are reused between items.
    private IEnumerable<(long[] Start, long[] Extent)> BoxesBeyond(long[] chunkIndex, long[] oldShape)
    {
        var chunkShape = Metadata.ChunkShapeLong;
        int rank = Rank;
        var start = new long[rank];
        var extent = new long[rank];
        for (int g = 0; g < rank; g++)
        {
            long keep = oldShape[g] - (chunkIndex[g] * chunkShape[g]);
            if (keep >= chunkShape[g])
            {
                continue;
            }

            for (int d = 0; d < rank; d++)
            {
                start[d] = d == g ? keep : 0;
                extent[d] = d == g ? chunkShape[d] - keep : chunkShape[d];
            }

            yield return (start, extent);
        }
    }

    /// <summary>
    /// Deletes stored chunks wholly outside the array's shape (left by shrinking resizes); returns how many. Inside a
    /// transaction or as one commit.
    /// </summary>
    public long DeleteChunksBeyondShape(CancellationToken cancellationToken = default)
    {
        long deleted = 0;
        Mutate(
            a =>
            {
                deleted = 0;
                var grid = a.GridShape;
                foreach (var key in a.EnumerateChunkKeys().ToList())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (!a.Metadata.ChunkKeyEncoding.TryParse(key[a._chunkPrefix.Length..], a.Rank, out var index))
                    {
                        continue;
                    }

                    bool beyond = false;
                    for (int d = 0; d < index.Length; d++)
                    {
                        beyond |= index[d] >= grid[d];
                    }

                    if (beyond)
                    {
                        a._view.Delete(key);
                        deleted++;
                    }
                }
            },
            cancellationToken);
        return deleted;
    }
}
