using System.Text;
using ChunkCompute.Storage.Arrays;

namespace ChunkCompute.Storage;

/// <summary>String access (fixed-length <c>|S n</c>/<c>U n</c> and variable-length UTF-8).</summary>
public sealed partial class ZarrArray
{
    /// <summary>Reads the whole array of a string type.</summary>
    /// <exception cref="DataTypeMismatchException">The array's data type is not a string type.</exception>
    public string[] ReadStrings(CancellationToken cancellationToken = default) => ReadStrings(ArraySubset.All(Shape), cancellationToken);

    /// <summary>
    /// Reads a region (C order) of an array of a string type: <c>|S n</c> bytes decoded as Latin-1 (one char per
    /// byte, U+0000–U+00FF, so any bytes round-trip; ASCII text reads as itself), <c>U n</c> as UTF-32, both with
    /// trailing NULs stripped as NumPy does; variable-length strings as stored. Missing chunks read as the fill value.
    /// </summary>
    /// <exception cref="DataTypeMismatchException">The array's data type is not a string type.</exception>
    /// <exception cref="CorruptChunkException">A chunk does not decode (for variable-length strings: a truncated length or body, or another item count than the chunk's element count).</exception>
    public string[] ReadStrings(ArraySubset region, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(region);
        CheckString();
        CheckRegion(region);
        int count = checked((int)region.ElementCount);
        if (!DataType.IsVariableLength)
        {
            int es = DataType.Size;
            var bytes = new byte[checked((long)count * es)];
            ReadBytes(region, bytes, cancellationToken);
            var result = new string[count];
            for (int i = 0; i < count; i++)
            {
                result[i] = DataType.DecodeFixedString(bytes.AsSpan(i * es, es));
            }

            return result;
        }

        var strings = new string[count];
        if (count == 0)
        {
            return strings;
        }

        var plan = new RegionPlan(Metadata, region);
        RunParallel(
            plan.ChunkCount,
            k =>
            {
                int rank = Rank;
                var chunkIndex = new long[rank];
                var srcStart = new long[rank];
                var dstStart = new long[rank];
                var extent = new long[rank];
                plan.Intersect(k, chunkIndex, srcStart, dstStart, extent);
                var chunk = ReadStringChunk(ChunkKey(chunkIndex));
                ManagedNdCopy.Copy(chunk, plan.ChunkShapeLong, srcStart, strings, plan.RegionShape, dstStart, extent);
            },
            cancellationToken);
        return strings;
    }

    /// <summary>Writes the whole array of a string type from <paramref name="values"/> (C order).</summary>
    /// <exception cref="DataTypeMismatchException">The array's data type is not a string type.</exception>
    /// <exception cref="ArgumentException">A value does not fit the type (the message names the array and the index).</exception>
    public void WriteStrings(string[] values, CancellationToken cancellationToken = default) => WriteStrings(ArraySubset.All(Shape), values, cancellationToken);

    /// <summary>
    /// Writes a region (C order, exactly the region's element count) of an array of a string type. A fixed-length
    /// value must fit: at most n chars of U+0000–U+00FF for <c>|S n</c>, at most n code points for <c>U n</c>;
    /// trailing NULs are not kept (NumPy strips them). Partial chunks of variable-length strings are read, modified
    /// and written back.
    /// </summary>
    /// <exception cref="DataTypeMismatchException">The array's data type is not a string type.</exception>
    /// <exception cref="ArgumentException">A value is null or does not fit the type (the message names the array and the index).</exception>
    /// <exception cref="ShapeMismatchException">The region is outside the array or the value count differs from its element count.</exception>
    public void WriteStrings(ArraySubset region, string[] values, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(values);
        CheckString();
        CheckRegion(region);
        if (values.LongLength != region.ElementCount)
        {
            throw new ShapeMismatchException($"Region {region} of array '{Path}' in store '{_owner.Name}' holds {region.ElementCount} elements, but {values.LongLength} values were given");
        }

        for (int i = 0; i < values.Length; i++)
        {
            if (values[i] is null)
            {
                throw new ArgumentException($"value {i} for array '{Path}' in store '{_owner.Name}' is null", nameof(values));
            }
        }

        if (!DataType.IsVariableLength)
        {
            int es = DataType.Size;
            var bytes = new byte[checked((long)values.Length * es)];
            for (int i = 0; i < values.Length; i++)
            {
                if (!DataType.TryEncodeFixedString(values[i], bytes.AsSpan(i * es, es), out string? error))
                {
                    throw new ArgumentException($"value {i} for array '{Path}' in store '{_owner.Name}' does not fit {DataType.ToNumpyTypestr()}: {error}", nameof(values));
                }
            }

            WriteBytes(region, bytes, cancellationToken);
            return;
        }

        var utf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);
        for (int i = 0; i < values.Length; i++)
        {
            try
            {
                _ = utf8.GetByteCount(values[i]);
            }
            catch (ArgumentException)
            {
                throw new ArgumentException($"value {i} for array '{Path}' in store '{_owner.Name}' holds an unpaired surrogate (it has no UTF-8 form)", nameof(values));
            }
        }

        if (values.Length == 0)
        {
            return;
        }

        Mutate(a => a.WriteStringsCore(region, values, cancellationToken), cancellationToken);
    }

    private void WriteStringsCore(ArraySubset region, string[] values, CancellationToken cancellationToken)
    {
        CheckRegion(region);
        var plan = new RegionPlan(Metadata, region);
        RunParallel(
            plan.ChunkCount,
            k =>
            {
                int rank = Rank;
                var chunkIndex = new long[rank];
                var chunkStart = new long[rank];
                var regionStart = new long[rank];
                var extent = new long[rank];
                plan.Intersect(k, chunkIndex, chunkStart, regionStart, extent);
                string key = ChunkKey(chunkIndex);
                bool whole = plan.CoversInBoundsChunk(chunkIndex, chunkStart, extent);
                lock (LockFor(key))
                {
                    string[] chunk;
                    if (whole)
                    {
                        chunk = new string[Metadata.ChunkElementCount];
                        Array.Fill(chunk, StringFillValue);
                    }
                    else
                    {
                        chunk = ReadStringChunk(key);
                    }

                    ManagedNdCopy.Copy(values, plan.RegionShape, regionStart, chunk, plan.ChunkShapeLong, chunkStart, extent);
                    StoreStringChunk(key, chunk);
                }
            },
            cancellationToken);
    }

    // The fill value of a variable-length string array.
    private string StringFillValue => Encoding.UTF8.GetString(Metadata.FillValue);

    private void CheckString()
    {
        if (!DataType.IsString)
        {
            throw new DataTypeMismatchException(_owner.Name, Path, DataType, typeof(string));
        }
    }

    private void CheckNotVariableLength()
    {
        if (DataType.IsVariableLength)
        {
            throw new DataTypeMismatchException(_owner.Name, Path, DataType, typeof(byte), "variable-length strings have no element bytes: use ReadStrings/WriteStrings");
        }
    }

    // Reads and decodes a variable-length string chunk (full chunk shape); a missing chunk is all fill value.
    internal string[] ReadStringChunk(string key)
    {
        using var stored = _view.GetPooled(key);
        if (stored is null)
        {
            var fill = new string[Metadata.ChunkElementCount];
            Array.Fill(fill, StringFillValue);
            return fill;
        }

        try
        {
            return Metadata.Codecs.DecodeStrings(stored.Memory.Span, Metadata.ChunkElementCount);
        }
        catch (Exception ex) when (ex is CodecException or FormatException or ArgumentException or InvalidDataException or IndexOutOfRangeException or OverflowException)
        {
            throw new CorruptChunkException(_owner.Name, Path, key, ex.Message, ex);
        }
        catch (UnsupportedCodecException ex)
        {
            throw new UnsupportedCodecException(ex.Codec, $"{ex.Detail} (chunk '{key}' of array '{Path}' in store '{_owner.Name}')");
        }
    }

    private void StoreStringChunk(string key, string[] chunk)
    {
        _owner.Cache?.Remove(CacheKey(key));
        string fill = StringFillValue;
        if (!_owner.Options.WriteEmptyChunks && Array.TrueForAll(chunk, s => s == fill))
        {
            _view.Delete(key);
            return;
        }

        _view.Set(key, Metadata.Codecs.EncodeStrings(chunk));
    }

    // ClearBeyond for variable-length strings: the elements outside the old shape become the fill value.
    private void ClearStringsBeyond(string key, long[] chunkIndex, long[] oldShape)
    {
        var chunk = ReadStringChunk(key);
        foreach (var (start, extent) in BoxesBeyond(chunkIndex, oldShape))
        {
            ManagedNdCopy.FillBox(chunk, Metadata.ChunkShapeLong, start, extent, StringFillValue);
        }

        StoreStringChunk(key, chunk);
    }
}
