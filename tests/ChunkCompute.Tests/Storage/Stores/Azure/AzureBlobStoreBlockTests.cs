using System.Net;
using System.Web;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Azure;
using ChunkCompute.Storage.Stores;
using ChunkCompute.Tests.Storage.Stores.S3;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Storage.Stores.Azure;

/// <summary>
/// Large values against Azurite: written as staged blocks (blocks in parallel, one commit, exact round trips, a failed
/// upload committing nothing: no blob appears, the one already there stays) and read by parallel ranged GETs held to
/// the first part's ETag.
/// </summary>
public sealed class AzureBlobStoreBlockTests(AzuriteServer server) : IClassFixture<AzuriteServer>, IDisposable
{
    private const int KiB = 1 << 10;
    private const int Threshold = 1024 * KiB, Block = 256 * KiB;
    private readonly List<AzureBlobStore> _stores = [];

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }
    }

    [Fact]
    public async Task LargeValue_IsStagedInBlocks_AndReadsBackExactly()
    {
        var (store, requests) = Store();
        var value = S3StoreMultipartTests.Bytes(Threshold + 100_003, seed: 1); // four whole blocks and one of 100,003 bytes
        await store.SetAsync("big", value);
        Assert.Equal(5, requests.Count((m, u) => m == HttpMethod.Put && Comp(u) == "block"));
        Assert.Equal(0, requests.Count((m, u) => m == HttpMethod.Put && Comp(u) is null));
        Assert.Equal(1, requests.Count((m, u) => m == HttpMethod.Put && Comp(u) == "blocklist"));
        Assert.Equal(value.Length, await store.GetSizeAsync("big"));
        using (var back = await store.GetPooledAsync("big"))
        {
            Assert.Equal(value, back!.Memory.ToArray());
        }

        var other = S3StoreMultipartTests.Bytes(3 * Threshold, seed: 2);
        ((IStore)store).Set("big", other);
        Assert.Equal(other, ((IStore)store).Get("big"));

        var small = S3StoreMultipartTests.Bytes(Threshold - 1, seed: 3);
        int putsBefore = requests.Count((m, u) => m == HttpMethod.Put);
        await store.SetAsync("big", small);
        Assert.Equal(putsBefore + 1, requests.Count((m, u) => m == HttpMethod.Put));
        Assert.Null(Comp(requests.Seen[^1].Uri)); // one Put Blob
        Assert.Equal(small, ((IStore)store).Get("big"));
    }

    [Fact]
    public async Task BlockFailing_CommitsNothing_AndLeavesNoBlob()
    {
        var (store, requests) = Store(maxRetries: 1);
        var old = S3StoreMultipartTests.Bytes(1000, seed: 4);
        await store.SetAsync("kept", old);
        requests.Fail(FaultInjectingHandler.Always, HttpStatusCode.InternalServerError, "InternalError", r => r.Method == HttpMethod.Put && Comp(r.RequestUri!) == "block" && r.Content?.Headers.ContentLength == 100_003);
        var value = S3StoreMultipartTests.Bytes(Threshold + 100_003, seed: 5);

        var ex = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.SetAsync("big", value).AsTask());
        Assert.Contains(store.Name, ex.Message, StringComparison.Ordinal);
        Assert.Contains("500", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, requests.Seen.Count(s => s.Fault is not null)); // the last block, tried and retried once
        Assert.Equal(0, requests.Count((m, u) => m == HttpMethod.Put && Comp(u) == "blocklist"));
        Assert.False(await ((IStore)store).ExistsAsync("big"));

        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.SetAsync("kept", value).AsTask());
        Assert.Equal(old, await ((IStore)store).GetAsync("kept"));
    }

    [Fact]
    public async Task ConditionalWrites_OfLargeValues_AreCheckedWhenTheBlocksAreCommitted()
    {
        var (store, requests) = Store();
        IStore s = store;
        var first = S3StoreMultipartTests.Bytes(Threshold + 5, seed: 6);
        Assert.True(await s.SetIfAbsentAsync("big", first));
        var commit = requests.Seen.Last(r => r.Method == HttpMethod.Put && Comp(r.Uri) == "blocklist");
        Assert.Contains("If-None-Match: *", commit.Headers, StringComparison.Ordinal);
        Assert.False(await s.SetIfAbsentAsync("big", S3StoreMultipartTests.Bytes(Threshold + 5, seed: 7)));
        Assert.Equal(first, s.Get("big"));

        var v1 = s.GetVersioned("big")!;
        Assert.Equal(first, v1.Value.ToArray());
        var second = S3StoreMultipartTests.Bytes(2 * Threshold, seed: 8);
        string? v2 = await s.SetIfVersionAsync("big", second, v1.Version);
        Assert.NotNull(v2);
        Assert.Null(await s.SetIfVersionAsync("big", first, v1.Version)); // stale: refused at the commit
        Assert.Equal(second, s.Get("big"));
        Assert.Equal(v2, s.GetVersioned("big")!.Version);
    }

    [Fact]
    public async Task LargeValue_IsReadInParallelRanges_Exactly()
    {
        var (store, requests) = Store(readPartSize: 64 * KiB);
        IStore s = store;
        var value = S3StoreMultipartTests.Bytes((1024 * KiB) + 3, seed: 9);
        await store.SetAsync("big", value);
        using (var back = await store.GetPooledAsync("big"))
        {
            Assert.Equal(value, back!.Memory.ToArray());
        }

        var gets = requests.Seen.Where(r => r.Method == HttpMethod.Get).ToList();
        Assert.Equal(17, gets.Count); // 1 MiB + 3 bytes in 64 KiB parts: the first, then 16 more
        Assert.All(gets, g => Assert.Contains("Range: bytes=", g.Headers, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(16, gets.Count(g => g.Headers.Contains("If-Match: ", StringComparison.Ordinal))); // the ETag of the first

        var versioned = s.GetVersioned("big")!;
        Assert.Equal(value, versioned.Value.ToArray());
        var small = S3StoreMultipartTests.Bytes(1000, seed: 10);
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
        var (store, requests) = Store(readPartSize: 64 * KiB);
        var value = S3StoreMultipartTests.Bytes(1024 * KiB, seed: 11);
        await store.SetAsync("big", value);
        requests.Fail(1, HttpStatusCode.PreconditionFailed, "ConditionNotMet", r => r.Method == HttpMethod.Get && r.Headers.IfMatch.Count > 0);
        using (var back = await store.GetPooledAsync("big"))
        {
            Assert.Equal(value, back!.Memory.ToArray());
        }

        Assert.Equal(1, requests.Seen.Count(r => r.Fault is not null));
        Assert.Equal(2, requests.Seen.Count(r => r.Method == HttpMethod.Get && !r.Headers.Contains("If-Match", StringComparison.Ordinal))); // started over
    }

    private static string? Comp(Uri uri) => HttpUtility.ParseQueryString(uri.Query)["comp"];

    private (AzureBlobStore Store, FaultInjectingHandler Requests) Store(int maxRetries = 3, int readPartSize = 8 << 20)
    {
        var requests = new FaultInjectingHandler();
        var store = new AzureBlobStore(server.NewContainer(), new AzureBlobStoreOptions
        {
            ConnectionString = server.ConnectionString,
            MaxRetries = maxRetries,
            RequestTimeout = TimeSpan.FromSeconds(20),
            BlockUploadThreshold = Threshold,
            BlockSize = Block,
            MaxConcurrentBlocks = 4,
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
