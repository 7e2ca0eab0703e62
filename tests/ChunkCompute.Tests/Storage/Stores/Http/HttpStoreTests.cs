using System.Diagnostics;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Stores;
using ChunkCompute.Tests.Interop;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Storage.Stores.Http;

/// <summary>The store conformance suite over HTTP, against a loopback server that honours byte ranges.</summary>
public sealed class HttpStoreConformanceTests : StoreConformanceTests
{
    private readonly List<IDisposable> _owned = [];

    protected override StoreCapabilities ExpectedCapabilities => StoreCapabilities.ByteRanges | StoreCapabilities.RemoteRequests;

    protected override bool IsLocal => false;

    protected override IStore CreateStore(IReadOnlyDictionary<string, byte[]> contents) => Serve(contents, honourRanges: true, _owned);

    internal static HttpStore Serve(IReadOnlyDictionary<string, byte[]> contents, bool honourRanges, List<IDisposable> owned)
    {
        var dir = new TempDirectory("cc-http");
        foreach (var (key, value) in contents)
        {
            string path = dir.Combine(key);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, value);
        }

        var server = new LoopbackHttpServer(dir.Path, honourRanges);
        var store = new HttpStore(server.Url + "/");
        owned.Add(store);
        owned.Add(server);
        owned.Add(dir);
        return store;
    }

    public override void Dispose()
    {
        foreach (var item in _owned)
        {
            item.Dispose();
        }

        base.Dispose();
    }
}

/// <summary>The same suite against a server that ignores <c>Range</c> (Python's http.server does): ranges are cut from the whole value.</summary>
public sealed class HttpStoreWithoutRangeSupportTests : StoreConformanceTests
{
    private readonly List<IDisposable> _owned = [];

    protected override StoreCapabilities ExpectedCapabilities => StoreCapabilities.ByteRanges | StoreCapabilities.RemoteRequests;

    protected override bool IsLocal => false;

    protected override IStore CreateStore(IReadOnlyDictionary<string, byte[]> contents) => HttpStoreConformanceTests.Serve(contents, honourRanges: false, _owned);

    public override void Dispose()
    {
        foreach (var item in _owned)
        {
            item.Dispose();
        }

        base.Dispose();
    }
}

/// <summary>Retries, timeouts, refusals and cancellation, and Zarr arrays read over HTTP equal the local reads.</summary>
public sealed class HttpStoreTests : IDisposable
{
    private static readonly HttpStoreOptions Fast = new() { RetryDelay = TimeSpan.FromMilliseconds(10), MaxRetries = 3, RequestTimeout = TimeSpan.FromSeconds(2) };
    private readonly TempDirectory _dir = new("cc-http");
    private readonly LoopbackHttpServer _server;

    public HttpStoreTests()
    {
        File.WriteAllBytes(_dir.Combine("k"), [1, 2, 3, 4]);
        _server = new LoopbackHttpServer(_dir.Path);
    }

    public void Dispose()
    {
        _server.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void TransientFailures_AreRetried()
    {
        using var store = new HttpStore(_server.Url, Fast);
        _server.Faults.Enqueue(503);
        _server.Faults.Enqueue(429);
        Assert.Equal([1, 2, 3, 4], ((IStore)store).Get("k"));
        Assert.Equal(3, _server.Requests);
    }

    [Fact]
    public async Task PersistentFailures_GiveUpAfterTheRetries_NamingTheUrl()
    {
        using var store = new HttpStore(_server.Url, Fast);
        _server.AlwaysStatus = 500;
        var ex = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.GetAsync("k").AsTask());
        Assert.Equal(_server.Url + "/k", ex.Url);
        Assert.Contains("after 4 attempts", ex.Message, StringComparison.Ordinal);
        Assert.Contains("500", ex.Message, StringComparison.Ordinal);
        Assert.Equal(4, _server.Requests);
    }

    [Fact]
    public void AccessRefused_FailsAtOnce()
    {
        using var store = new HttpStore(_server.Url, Fast);
        _server.AlwaysStatus = 403;
        var ex = Assert.Throws<StoreUnavailableException>(() => store.GetSize("k"));
        Assert.Contains("403", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, _server.Requests);
    }

    [Fact]
    public void UnreachableServer_IsAClearErrorWithinSeconds()
    {
        int port = LoopbackHttpServer.FreePort(); // nothing listens there
        using var store = new HttpStore($"http://127.0.0.1:{port}/data.zarr", Fast);
        var clock = Stopwatch.StartNew();
        var ex = Assert.Throws<StoreUnavailableException>(() => ((IStore)store).Get("zarr.json"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Contains($"127.0.0.1:{port}/data.zarr/zarr.json", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StalledServer_TimesOut_AndCancellationStopsTheRequest()
    {
        _server.Stall = TimeSpan.FromSeconds(30);
        using var store = new HttpStore(_server.Url, new HttpStoreOptions { RequestTimeout = TimeSpan.FromMilliseconds(300), MaxRetries = 1, RetryDelay = TimeSpan.FromMilliseconds(10) });
        var ex = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.GetAsync("k").AsTask());
        Assert.Contains("no answer within", ex.Message, StringComparison.Ordinal);

        using var patient = new HttpStore(_server.Url);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => patient.GetAsync("k", cancel.Token).AsTask());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Writes_AreRefused_AndTheStoreIsReadOnly()
    {
        using var zarr = ZarrStore.OpenExisting(_server.Url);
        Assert.True(zarr.IsReadOnly);
        Assert.Throws<NotSupportedException>(() => zarr.Store.Set("k", [9]));
    }

    [Theory]
    [InlineData("zarr-v2", "be_f8_lz4.zarr")]
    [InlineData("zarr-v2", "be_i4_zlib.zarr")]
    public void FixtureArrays_ReadOverHttp_EqualTheLocalRead(string folder, string name)
    {
        string local = Path.Combine(FixturePaths.Root, folder, name);
        using var server = new LoopbackHttpServer(local);
        using var remote = ZarrStore.OpenExisting(server.Url + "/");
        using var here = ZarrStore.OpenExisting(local);
        var expected = here.OpenArray(string.Empty);
        var served = remote.OpenArray(string.Empty);
        Assert.Equal(expected.Shape.ToArray(), served.Shape.ToArray());
        Assert.Equal(expected.DataType, served.DataType);
        var region = new ArraySubset(new long[expected.Shape.Count], expected.Shape.ToArray());
        var a = new byte[expected.Metadata.ElementCount * expected.DataType.Size];
        var b = new byte[a.Length];
        expected.ReadBytes(region, a);
        served.ReadBytes(region, b);
        Assert.Equal(a, b);
    }
}
