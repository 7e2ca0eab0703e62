using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Azure;
using ChunkCompute.Storage.Stores;
using ChunkCompute.Tests.Cli;
using ChunkCompute.Tests.Storage.Stores.Http;
using ChunkCompute.Tests.Storage.Stores.S3;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Storage.Stores.Azure;

/// <summary>The store conformance suite against Azure Blob Storage (Azurite on 127.0.0.1).</summary>
public sealed class AzureBlobStoreConformanceTests(AzuriteServer server) : StoreConformanceTests, IClassFixture<AzuriteServer>
{
    private readonly List<AzureBlobStore> _stores = [];

    protected override StoreCapabilities ExpectedCapabilities =>
        StoreCapabilities.Writable | StoreCapabilities.Listable | StoreCapabilities.ByteRanges | StoreCapabilities.RemoteRequests
        | StoreCapabilities.ConditionalCreate | StoreCapabilities.ConditionalUpdate | StoreCapabilities.ConditionalDelete | StoreCapabilities.ServerSideCopy;

    protected override bool IsLocal => false;

    protected override IStore CreateStore(IReadOnlyDictionary<string, byte[]> contents)
    {
        var store = new AzureBlobStore(server.NewContainer(), server.Options);
        _stores.Add(store);
        return MemoryStoreTests.Filled(store, contents);
    }

    public override void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        base.Dispose();
    }
}

/// <summary>Zarr over Azure Blob Storage: arrays written and computed through an az:// store, the CLI converting to and from it, clear errors.</summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class AzureBlobStoreTests(AzuriteServer server) : IClassFixture<AzuriteServer>
{
    [Fact]
    public void Arrays_WrittenToAzure_ReadAndComputeAsLocally()
    {
        using var zarr = new ZarrStore(new AzureBlobStore(server.NewContainer("data.zarr"), server.Options));
        var values = Enumerable.Range(0, 300 * 40).Select(i => Math.Sin(i) * 100).ToArray();
        var x = zarr.CreateArray<double>("g/x", [300, 40], [64, 16]);
        x.Write(values);
        Assert.Equal(values, zarr.OpenArray<double>("g/x").Read(new ArraySubset([0, 0], [300, 40])));
        Assert.Equal(values.Average(), zarr.Open<double>("g/x").Mean().ComputeScalar(), 1e-9);
        Assert.Contains("g", zarr.ListNodes(string.Empty).Select(n => n.Path.Split('/')[0]));
    }

    [Fact]
    public void Cli_ConvertToAndFromAzure_RoundTripsExactly()
    {
        string url = server.NewContainer("copy.zarr");
        using var tmp = new Interop.TempDirectory("cc-az-cli");
        var values = Enumerable.Range(0, 500 * 30).Select(i => Math.Cos(i) * 1e3).ToArray();
        using (var local = ZarrStore.Open(tmp.Combine("src.zarr")))
        {
            local.CreateArray<double>("x", [500, 30], [128, 30]).Write(values);
        }

        using var env = new EnvironmentScope(("AZURE_STORAGE_CONNECTION_STRING", server.ConnectionString));
        CliHarness.Expect(0, ["convert", tmp.Combine("src.zarr"), url, "--array", "x", "--chunks", "100,30"]);
        CliHarness.Expect(0, ["convert", url, tmp.Combine("back.zarr"), "--array", "x"]);
        using (var back = ZarrStore.OpenExisting(tmp.Combine("back.zarr")))
        {
            Assert.Equal(values, back.OpenArray<double>("x").Read(new ArraySubset([0, 0], [500, 30])));
        }

        var stats = System.Text.Json.JsonDocument.Parse(CliHarness.Expect(0, ["stats", url, "--array", "x", "--op", "mean", "--json"]).Stdout).RootElement;
        Assert.Equal(values.Average(), stats.GetProperty("value").GetDouble(), 1e-9);
    }

    [Fact]
    public void Cli_AppendVerifyGc_OnAzure_AreTransactional()
    {
        string url = server.NewContainer("append.zarr");
        using var tmp = new Interop.TempDirectory("cc-az-cli-append");
        var first = Enumerable.Range(0, 40 * 6).Select(i => (double)i).ToArray();
        var more = Enumerable.Range(0, 25 * 6).Select(i => -(double)i).ToArray();
        using (var local = ZarrStore.Open(tmp.Combine("src.zarr")))
        {
            local.CreateArray<double>("x", [40, 6], [16, 6]).Write(first);
        }

        ChunkCompute.Storage.Npy.Npy.Save<double>(tmp.Combine("more.npy"), more, [25, 6]);
        using var env = new EnvironmentScope(("AZURE_STORAGE_CONNECTION_STRING", server.ConnectionString));
        CliHarness.Expect(0, ["convert", tmp.Combine("src.zarr"), url, "--array", "x"]);
        var appended = System.Text.Json.JsonDocument.Parse(CliHarness.Expect(0, ["append", tmp.Combine("more.npy"), url, "--array", "x", "--json"]).Stdout).RootElement;
        Assert.Equal(65, appended.GetProperty("shape")[0].GetInt64());
        Assert.True(appended.GetProperty("version").GetInt64() >= 2); // the convert's commit, then the append's

        using (var check = ZarrStore.OpenExisting(url, new ZarrStoreOptions()))
        {
            Assert.True(check.IsTransactional);
            Assert.Equal(first.Concat(more), check.OpenArray<double>("x").Read());
        }

        var verify = System.Text.Json.JsonDocument.Parse(CliHarness.Expect(0, ["verify", url, "--json"]).Stdout).RootElement;
        Assert.True(verify.GetProperty("sound").GetBoolean(), verify.ToString());
        var gc = System.Text.Json.JsonDocument.Parse(CliHarness.Expect(0, ["gc", url, "--json"]).Stdout).RootElement;
        Assert.True(gc.GetProperty("commit_records").GetInt32() >= 1, gc.ToString());
    }

    [Fact]
    public void MissingContainer_IsAClearError()
    {
        Assert.SkipWhen(server.Unavailable is not null, server.Unavailable ?? string.Empty);
        using var store = new AzureBlobStore("az://no-such-container/x", server.Options);
        var ex = Assert.Throws<StoreUnavailableException>(() => ((IStore)store).Get("zarr.json"));
        Assert.Contains("az://no-such-container/x", ex.Message, StringComparison.Ordinal);
        Assert.Contains("container 'no-such-container' does not exist", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnreachableEndpoint_FailsWithinSeconds()
    {
        int port = LoopbackHttpServer.FreePort();
        var options = new AzureBlobStoreOptions
        {
            ConnectionString = server.ConnectionString.Replace($"127.0.0.1:{server.Port}/", $"127.0.0.1:{port}/", StringComparison.Ordinal),
            MaxRetries = 1,
            RequestTimeout = TimeSpan.FromSeconds(5),
        };
        using var store = new AzureBlobStore("az://container/x", options);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var ex = Assert.Throws<StoreUnavailableException>(() => ((IStore)store).Get("zarr.json"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        Assert.Contains("az://container/x", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Urls_AreRegisteredForTheCli()
    {
        AzureBlobStore.Register();
        using var env = new EnvironmentScope(("AZURE_STORAGE_CONNECTION_STRING", server.ConnectionString));
        using var store = (AzureBlobStore)StoreLocations.Open("az://some-container/a/b/");
        Assert.Equal("az://some-container/a/b", store.Name);
    }
}
