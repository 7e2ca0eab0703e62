using System.Net;
using System.Web;
using ChunkCompute.Storage;
using ChunkCompute.Storage.S3;
using ChunkCompute.Storage.Stores;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Storage.Stores.S3;

/// <summary>
/// Large values against s3rver: written as multipart uploads (parts in parallel, exact round trips, a failed or
/// cancelled upload aborted without leaving an object or disturbing the one already there) and read by parallel ranged
/// GETs held to the first part's ETag.
/// </summary>
public sealed class S3StoreMultipartTests(S3rverServer server) : IClassFixture<S3rverServer>, IDisposable
{
    private const int MiB = 1 << 20;
    private readonly List<S3Store> _stores = [];

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }
    }

    [Fact]
    public async Task LargeValue_IsUploadedInParts_AndReadsBackExactly()
    {
        var (store, requests) = Store();
        var value = Bytes((6 * MiB) + 12_345, seed: 1);
        await store.SetAsync("big", value);
        Assert.Equal(1, requests.Count((m, u) => m == HttpMethod.Post && Query(u, "uploads") is not null));
        Assert.Equal(["1", "2"], requests.Seen.Where(s => s.Method == HttpMethod.Put).Select(s => Query(s.Uri, "partNumber")).Order());
        Assert.Equal(1, requests.Count((m, u) => m == HttpMethod.Post && Query(u, "uploadId") is not null));
        Assert.Equal(value.Length, await store.GetSizeAsync("big"));
        using (var back = await store.GetPooledAsync("big"))
        {
            Assert.Equal(value, back!.Memory.ToArray());
        }

        // Replacing it in parts again, and with a small value by one PutObject.
        var other = Bytes((5 * MiB) + 7 + (6 * MiB), seed: 2);
        ((IStore)store).Set("big", other);
        Assert.Equal(other, ((IStore)store).Get("big"));
        var small = Bytes((6 * MiB) - 1, seed: 3);
        int putsBefore = requests.Count((m, u) => m == HttpMethod.Put);
        await store.SetAsync("big", small);
        Assert.Equal(putsBefore + 1, requests.Count((m, u) => m == HttpMethod.Put));
        Assert.Null(Query(requests.Seen[^1].Uri, "partNumber"));
        Assert.Equal(small, ((IStore)store).Get("big"));
    }

    [Fact]
    public async Task PartFailing_AbortsTheUpload_AndLeavesNoObject()
    {
        var (store, requests) = Store(maxRetries: 1);
        var old = Bytes(1000, seed: 4);
        await store.SetAsync("kept", old);
        requests.Fail(FaultInjectingHandler.Always, HttpStatusCode.InternalServerError, "InternalError", r => r.Method == HttpMethod.Put && Query(r.RequestUri!, "partNumber") == "2");
        var value = Bytes((6 * MiB) + 1, seed: 5);

        var ex = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.SetAsync("big", value).AsTask());
        Assert.Contains(store.Name, ex.Message, StringComparison.Ordinal);
        Assert.Contains("500", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, requests.Count((m, u) => m == HttpMethod.Put && Query(u, "partNumber") == "2")); // tried and retried once
        Assert.Equal(1, requests.Count((m, u) => m == HttpMethod.Delete && Query(u, "uploadId") is not null)); // aborted
        Assert.Equal(0, requests.Count((m, u) => m == HttpMethod.Post && Query(u, "uploadId") is not null)); // never completed
        Assert.False(await ((IStore)store).ExistsAsync("big"));

        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.SetAsync("kept", value).AsTask());
        Assert.Equal(old, await ((IStore)store).GetAsync("kept"));
    }

    [Fact]
    public async Task CancellingAnUpload_AbortsIt()
    {
        var (store, requests) = Store();
        requests.Stall(FaultInjectingHandler.Always, r => r.Method == HttpMethod.Put && Query(r.RequestUri!, "partNumber") == "2");
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.SetAsync("big", Bytes(6 * MiB, seed: 6), cts.Token).AsTask());
        Assert.Equal(1, requests.Count((m, u) => m == HttpMethod.Delete && Query(u, "uploadId") is not null));
        Assert.False(await ((IStore)store).ExistsAsync("big"));
    }

    [Fact]
    public async Task LargeValue_IsReadInParallelRanges_Exactly()
    {
        var (store, requests) = Store(readPartSize: 64 << 10);
        IStore s = store;
        var value = Bytes(MiB + 3, seed: 7);
        await store.SetAsync("big", value);
        using (var back = await store.GetPooledAsync("big"))
        {
            Assert.Equal(value, back!.Memory.ToArray());
        }

        var gets = requests.Seen.Where(r => r.Method == HttpMethod.Get).ToList();
        Assert.Equal(17, gets.Count); // 1 MiB + 3 bytes in 64 KiB parts: the first, then 16 more
        Assert.All(gets, g => Assert.Contains("Range: bytes=", g.Headers, StringComparison.Ordinal));
        Assert.Equal(16, gets.Count(g => g.Headers.Contains("If-Match: ", StringComparison.Ordinal))); // the ETag of the first

        var small = Bytes(1000, seed: 8);
        s.Set("small", small);
        int before = requests.Count((m, _) => m == HttpMethod.Get);
        Assert.Equal(small, s.Get("small"));
        Assert.Equal(before + 1, requests.Count((m, _) => m == HttpMethod.Get));
        s.Set("empty", []);
        Assert.Empty(s.Get("empty")!);
    }

    [Fact]
    public async Task ValueReplacedDuringAPartedRead_IsReadAgainNotTorn()
    {
        var (store, requests) = Store(readPartSize: 64 << 10);
        var value = Bytes(MiB, seed: 9);
        await store.SetAsync("big", value);
        requests.Fail(1, HttpStatusCode.PreconditionFailed, "PreconditionFailed", r => r.Method == HttpMethod.Get && r.Headers.IfMatch.Count > 0);
        using (var back = await store.GetPooledAsync("big"))
        {
            Assert.Equal(value, back!.Memory.ToArray());
        }

        Assert.Equal(1, requests.Seen.Count(r => r.Fault is not null));
        Assert.Equal(2, requests.Seen.Count(r => r.Method == HttpMethod.Get && !r.Headers.Contains("If-Match", StringComparison.Ordinal))); // started over
    }

    [Fact]
    public void PartSize_BelowTheS3Minimum_IsRefused()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new S3Store("s3://b", new S3StoreOptions { ServiceUrl = "http://127.0.0.1:1", PartSize = MiB }));
        Assert.Contains("PartSize", ex.Message, StringComparison.Ordinal);
    }

    internal static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static string? Query(Uri uri, string name)
    {
        var query = HttpUtility.ParseQueryString(uri.Query);
        return query[name] ?? (query.GetValues(null)?.Contains(name) == true ? string.Empty : null);
    }

    private (S3Store Store, FaultInjectingHandler Requests) Store(int maxRetries = 3, int readPartSize = 8 << 20)
    {
        var requests = new FaultInjectingHandler();
        var options = server.Options;
        var store = new S3Store(server.NewBucket(), new S3StoreOptions
        {
            ServiceUrl = options.ServiceUrl,
            AccessKeyId = options.AccessKeyId,
            SecretAccessKey = options.SecretAccessKey,
            MaxRetries = maxRetries,
            RequestTimeout = options.RequestTimeout,
            MultipartThreshold = 6 * MiB,
            PartSize = 5 * MiB,
            MaxConcurrentParts = 4,
            ReadPartSize = readPartSize,
            WrapHttpHandler = inner =>
            {
                requests.InnerHandler = inner;
                return requests;
            },
        });
        _stores.Add(store);
        return (store, requests);
    }
}
