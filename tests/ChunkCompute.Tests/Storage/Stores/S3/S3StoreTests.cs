using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Storage.S3;
using ChunkCompute.Storage.Stores;
using ChunkCompute.Tests.Cli;
using ChunkCompute.Tests.Storage.Stores.Http;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Storage.Stores.S3;

/// <summary>The store conformance suite against a real S3 server (s3rver on 127.0.0.1).</summary>
public sealed class S3StoreConformanceTests(S3rverServer server) : StoreConformanceTests, IClassFixture<S3rverServer>
{
    private readonly List<S3Store> _stores = [];

    protected override StoreCapabilities ExpectedCapabilities =>
        StoreCapabilities.Writable | StoreCapabilities.Listable | StoreCapabilities.ByteRanges | StoreCapabilities.RemoteRequests;

    protected override bool IsLocal => false;

    // Measured: under concurrent overwrite of one key s3rver serves truncated bodies and malformed ETags (it writes the
    // object file in place); S3 itself replaces objects atomically, and the store retries a body cut short.
    protected override string? NonAtomicTestServer => "s3rver replaces objects in place, not atomically as S3 does";

    protected override IStore CreateStore(IReadOnlyDictionary<string, byte[]> contents)
    {
        var store = new S3Store(server.NewBucket(), server.Options);
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

/// <summary>Zarr over S3: arrays written and computed through an s3:// store, the CLI converting to and from S3, clear errors.</summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class S3StoreTests(S3rverServer server) : IClassFixture<S3rverServer>
{
    [Fact]
    public void Arrays_WrittenToS3_ReadAndComputeAsLocally()
    {
        using var zarr = new ZarrStore(new S3Store(server.NewBucket("data.zarr"), server.Options));
        var values = Enumerable.Range(0, 300 * 40).Select(i => Math.Sin(i) * 100).ToArray();
        var x = zarr.CreateArray<double>("g/x", [300, 40], [64, 16]);
        x.Write(values);
        Assert.Equal(values, zarr.OpenArray<double>("g/x").Read(new ArraySubset([0, 0], [300, 40])));
        Assert.Equal(values.Average(), zarr.Open<double>("g/x").Mean().ComputeScalar(), 1e-9);
        Assert.Contains("g", zarr.ListNodes(string.Empty).Select(n => n.Path.Split('/')[0]));
    }

    [Fact]
    public void Cli_ConvertToAndFromS3_RoundTripsExactly()
    {
        string url = server.NewBucket("copy.zarr");
        using var tmp = new Interop.TempDirectory("cc-s3-cli");
        var values = Enumerable.Range(0, 500 * 30).Select(i => Math.Cos(i) * 1e3).ToArray();
        using (var local = ZarrStore.Open(tmp.Combine("src.zarr")))
        {
            local.CreateArray<double>("x", [500, 30], [128, 30]).Write(values);
        }

        using var env = new EnvironmentScope(("AWS_ENDPOINT_URL", server.Endpoint), ("AWS_ACCESS_KEY_ID", "S3RVER"), ("AWS_SECRET_ACCESS_KEY", "S3RVER"), ("AWS_REGION", "us-east-1"));
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
    public void BeginTransaction_OnS3_IsRefusedSayingWhy()
    {
        // s3rver has no conditional writes: transactions are refused, naming what is missing and the way out.
        using var zarr = ZarrStore.Open(new S3Store(server.NewBucket("tx.zarr"), server.Options));
        var ex = Assert.Throws<NotSupportedException>(() => zarr.BeginTransaction());
        Assert.Contains("StoreCapabilities.ConditionalCreate", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SingleWriter", ex.Message, StringComparison.Ordinal);
        Assert.False(zarr.IsTransactional);

        // A store wrapped by the constructor is never transactional, and says how to open one that is.
        using var plain = new ZarrStore(new S3Store(server.NewBucket("tx2.zarr"), server.Options));
        Assert.Contains("ZarrStore.Open", Assert.Throws<NotSupportedException>(() => plain.BeginTransaction()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingBucket_IsAClearError()
    {
        Assert.SkipWhen(server.Unavailable is not null, server.Unavailable ?? string.Empty);
        using var store = new S3Store("s3://no-such-bucket/x", server.Options);
        var ex = Assert.Throws<StoreUnavailableException>(() => ((IStore)store).Get("zarr.json"));
        Assert.Contains("no-such-bucket", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnreachableEndpoint_FailsWithinSeconds()
    {
        var options = new S3StoreOptions { ServiceUrl = $"http://127.0.0.1:{LoopbackHttpServer.FreePort()}", AccessKeyId = "k", SecretAccessKey = "s", MaxRetries = 1, RequestTimeout = TimeSpan.FromSeconds(5) };
        using var store = new S3Store("s3://bucket/x", options);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var ex = Assert.Throws<StoreUnavailableException>(() => ((IStore)store).Get("zarr.json"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed}");
        Assert.Contains("s3://bucket/x", ex.Message, StringComparison.Ordinal);
    }
}

/// <summary>Sets environment variables for a test and restores them.</summary>
internal sealed class EnvironmentScope : IDisposable
{
    private readonly (string Name, string? Old)[] _saved;

    public EnvironmentScope(params (string Name, string Value)[] variables)
    {
        _saved = variables.Select(v => (v.Name, Environment.GetEnvironmentVariable(v.Name))).ToArray();
        foreach (var (name, value) in variables)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public void Dispose()
    {
        foreach (var (name, old) in _saved)
        {
            Environment.SetEnvironmentVariable(name, old);
        }
    }
}
