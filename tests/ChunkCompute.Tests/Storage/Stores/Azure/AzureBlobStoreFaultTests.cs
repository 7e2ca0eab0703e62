using ChunkCompute.Storage.Azure;
using ChunkCompute.Storage.Stores;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Storage.Stores.Azure;

/// <summary>The object-store fault cases against Azurite through the Azure SDK (which resumes a broken download itself).</summary>
public sealed class AzureBlobStoreFaultTests(AzuriteServer server) : ObjectStoreFaultTests, IClassFixture<AzuriteServer>, IDisposable
{
    private readonly List<AzureBlobStore> _stores = [];

    /// <inheritdoc/>
    protected override string BusyCode => "ServerBusy";

    /// <summary>
    /// Measured: the SDK's download stream resumes a broken body up to 5 times, a fixed limit of its own
    /// (Constants.MaxReliabilityRetries), not Retry.MaxRetries.
    /// </summary>
    protected override int GetsWhenEveryBodyIsCut => 6;

    /// <inheritdoc/>
    protected override string TimeoutWording => "timeout";

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }
    }

    /// <inheritdoc/>
    private protected override (IStore Store, FaultInjectingHandler Faults) Faulty(int maxRetries, TimeSpan? timeout = null, string? key = "k")
    {
        var faults = new FaultInjectingHandler();
        var options = server.Options;
        var store = new AzureBlobStore(server.NewContainer(), new AzureBlobStoreOptions
        {
            ConnectionString = options.ConnectionString,
            MaxRetries = maxRetries,
            RequestTimeout = timeout ?? TimeSpan.FromSeconds(20),
            WrapHttpHandler = inner =>
            {
                faults.InnerHandler = inner;
                return faults;
            },
        });
        _stores.Add(store);
        if (key is not null)
        {
            ((IStore)store).Set(key, Value);
        }

        return (store, faults);
    }
}
