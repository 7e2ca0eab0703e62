using ChunkCompute.Storage;
using ChunkCompute.Storage.Azure;
using ChunkCompute.Storage.Stores;
using ChunkCompute.Tests.Storage.Stores.Azure;
using Xunit;

namespace ChunkCompute.Tests.Storage.Transactions.ObjectStores;

/// <summary>
/// The object-store transaction suite on Azure Blob Storage (Azurite on 127.0.0.1): conditional create, update and
/// delete by ETag, and server-side copies for pre-images. Each handle has its own client, as separate processes would.
/// </summary>
public sealed class AzuriteObjectTransactionTests : ObjectTransactionSuite, IClassFixture<AzuriteServer>, IDisposable
{
    private readonly AzuriteServer _server;
    private readonly string _url;
    private readonly AzureBlobStore _raw;

    public AzuriteObjectTransactionTests(AzuriteServer server)
    {
        _server = server;
        _url = server.NewContainer("tx.zarr");
        _raw = new AzureBlobStore(_url, server.Options);
    }

    /// <inheritdoc/>
    protected override IStore Raw => _raw;

    /// <inheritdoc/>
    protected override ZarrStore OpenHandle() => ZarrStore.Open(new AzureBlobStore(_url, _server.Options));

    public void Dispose() => _raw.Dispose();
}
