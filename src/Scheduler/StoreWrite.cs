using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Scheduler;

/// <summary>
/// A pending write of a lazy array into a store (from <see cref="StoreWriteExtensions.ToStore{T}"/>): nothing is
/// written until <see cref="Compute"/>. The array's metadata is written only after every chunk is; if the computation
/// fails or is cancelled, the chunks written so far are deleted, so no partial array is published.
/// </summary>
public sealed class StoreWrite
{
    private readonly ZarrStore _store;
    private readonly string _path;
    private readonly ArrayMetadata _metadata;

    internal StoreWrite(ZarrStore store, string path, ArrayMetadata metadata, ArrayNode source, ZarrArray target)
    {
        _store = store;
        _path = path;
        _metadata = metadata;
        Node = new StoreWriteNode(source, target);
    }

    /// <summary>The sink node (to combine with other outputs in one computation).</summary>
    public StoreWriteNode Node { get; }

    /// <summary>Runs the write.</summary>
    public ComputeStatistics Compute(ComputeOptions? options = null, CancellationToken cancellationToken = default) =>
        ComputeAsync(options, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Runs the write asynchronously.</summary>
    public async Task<ComputeStatistics> ComputeAsync(ComputeOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            var (_, statistics) = await Computation.RunAsync([Node], options, cancellationToken).ConfigureAwait(false);
            _store.PublishArrayMetadata(_path, _metadata);
            return statistics;
        }
        catch
        {
            _store.Delete(_path);
            throw;
        }
    }
}
