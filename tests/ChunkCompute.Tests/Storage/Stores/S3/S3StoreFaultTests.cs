using ChunkCompute.Storage.S3;
using ChunkCompute.Storage.Stores;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Storage.Stores.S3;

/// <summary>The object-store fault cases against s3rver through the AWS SDK.</summary>
public sealed class S3StoreFaultTests(S3rverServer server) : ObjectStoreFaultTests, IClassFixture<S3rverServer>, IDisposable
{
    private readonly List<S3Store> _stores = [];

    /// <inheritdoc/>
    protected override string BusyCode => "SlowDown";

    /// <summary>The first GET and MaxRetries more: the store reads a cut body again itself.</summary>
    protected override int GetsWhenEveryBodyIsCut => 3;

    /// <inheritdoc/>
    protected override string TimeoutWording => "timed out";

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
        var store = new S3Store(server.NewBucket(), new S3StoreOptions
        {
            ServiceUrl = options.ServiceUrl,
            AccessKeyId = options.AccessKeyId,
            SecretAccessKey = options.SecretAccessKey,
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
