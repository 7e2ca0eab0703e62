using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Scheduler;

/// <summary>
/// A pending write of a lazy array into a store (from <see cref="StoreWriteExtensions.ToStore{T}"/>): nothing is
/// written until <see cref="Compute"/>. On a transactional store the write is one transaction: chunks are staged and
/// published with the metadata in one commit, and a failure or cancellation aborts it, leaving the store as it was
/// (including any array the write was to overwrite). On other stores the metadata is written after every chunk and
/// the chunks written so far are deleted on failure. Dispose a write that will never be computed.
/// </summary>
public sealed class StoreWrite : IDisposable
{
    private readonly Transaction? _transaction;
    private readonly StagedArray _staged;

    internal StoreWrite(Transaction? transaction, StagedArray staged, ArrayNode source)
    {
        _transaction = transaction;
        _staged = staged;
        Node = new StoreWriteNode(source, staged.Array);
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
            ComputeStatistics statistics;
            if (options?.Cluster is null)
            {
                statistics = await Computation.RunAsync([new Computation.DiscardingSink(Node)], options, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // The workers stage the chunks in this write's transaction; it is committed here, once, as always.
                var tx = _transaction ?? throw new ChunkComputeException(
                    $"writing '{Node.Target.Path}' on a cluster needs a transactional store (workers stage their chunks in the write's transaction): '{_staged.Store.Name}' is not one");
                // Its metadata is staged first (the transaction hides it until the commit): workers open the array from it.
                _staged.Publish();
                statistics = await ClusterRun.RunAsync([new Computation.DiscardingSink(Node)], options, cancellationToken, [new ClusterWrite(Node, tx)]).ConfigureAwait(false);
            }

            _staged.Publish();
            _transaction?.Commit(cancellationToken);
            return statistics;
        }
        catch
        {
            if (_transaction is not null)
            {
                _transaction.Abort();
            }
            else
            {
                _staged.Store.Delete(_staged.Path);
            }

            throw;
        }
    }

    /// <summary>Discards the write's transaction if it was never computed (nothing was published).</summary>
    public void Dispose() => _transaction?.Abort();
}
