using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Scheduler;

/// <summary>Lazy writes of computed arrays into stores.</summary>
public static class StoreWriteExtensions
{
    /// <summary>
    /// Prepares writing <paramref name="array"/> to <paramref name="path"/> in <paramref name="store"/>; runs on
    /// <see cref="StoreWrite.Compute"/>. Stored chunks default to the array's (largest) chunk shape; the array's
    /// dimension names are written unless <paramref name="options"/> gives others.
    /// </summary>
    public static StoreWrite ToStore<T>(this ChunkedArray<T> array, ZarrStore store, string path, ArrayOptions? options = null, int[]? chunks = null)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentNullException.ThrowIfNull(store);
        var grid = array.Chunks;
        chunks ??= Enumerable.Range(0, grid.Rank).Select(d => Math.Max(1, grid.Sizes(d).Max())).ToArray();
        options = WithNames(options, array.DimensionNames);
        if (store.AutoCommits)
        {
            // The whole write is one transaction: chunks are staged on disk and published with the metadata at once,
            // so readers see the old node (or none) until the commit, and an overwrite replaces it atomically.
            var tx = store.BeginTransaction();
            try
            {
                return new StoreWrite(tx, tx.Store.StageArray(path, array.DataType, array.Shape.ToArray(), chunks, options), array.Node);
            }
            catch
            {
                tx.Dispose();
                throw;
            }
        }

        return new StoreWrite(null, store.StageArray(path, array.DataType, array.Shape.ToArray(), chunks, options), array.Node);
    }

    // The options with the array's dimension names when they name something and the options name nothing.
    private static ArrayOptions? WithNames(ArrayOptions? options, IReadOnlyList<string?>? names)
    {
        if (names is null || names.All(n => n is null) || options?.DimensionNames is not null)
        {
            return options;
        }

        var o = options ?? new ArrayOptions();
        return new ArrayOptions
        {
            Format = o.Format,
            Compression = o.Compression,
            FillValue = o.FillValue,
            Attributes = o.Attributes,
            FortranOrder = o.FortranOrder,
            Separator = o.Separator,
            Checksum = o.Checksum,
            DimensionNames = names,
            ShardShape = o.ShardShape,
            Overwrite = o.Overwrite,
        };
    }
}
