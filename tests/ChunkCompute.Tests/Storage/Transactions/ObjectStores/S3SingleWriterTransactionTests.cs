using ChunkCompute.Storage;
using ChunkCompute.Storage.S3;
using ChunkCompute.Storage.Stores;
using ChunkCompute.Tests.Storage.Stores.S3;
using Xunit;

namespace ChunkCompute.Tests.Storage.Transactions.ObjectStores;

/// <summary>
/// The object-store transaction suite on s3rver, which has no conditional writes: transactional only with
/// <see cref="ZarrStoreOptions.SingleWriter"/> (conditions checked by reading first), so the test of concurrent writers
/// is left out; readers of other handles, conflicts between transactions committed one after the other, append, resize
/// and collection work as on any store.
/// </summary>
public sealed class S3SingleWriterTransactionTests : ObjectTransactionSuite, IClassFixture<S3rverServer>, IDisposable
{
    private readonly S3rverServer _server;
    private readonly string _url;
    private readonly S3Store _raw;

    public S3SingleWriterTransactionTests(S3rverServer server)
    {
        _server = server;
        _url = server.NewBucket("tx.zarr");
        _raw = new S3Store(_url, server.Options);
    }

    /// <inheritdoc/>
    protected override IStore Raw => _raw;

    /// <inheritdoc/>
    protected override bool ConcurrentWriters => false;

    /// <inheritdoc/>
    protected override bool AtomicWrites => false;

    /// <inheritdoc/>
    protected override ZarrStore OpenHandle() => ZarrStore.Open(new S3Store(_url, _server.Options), new ZarrStoreOptions { SingleWriter = true });

    public void Dispose() => _raw.Dispose();
}
