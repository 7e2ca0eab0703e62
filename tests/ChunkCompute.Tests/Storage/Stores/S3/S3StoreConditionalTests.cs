using System.Net;
using ChunkCompute.Storage.S3;
using ChunkCompute.Storage.Stores;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Storage.Stores.S3;

/// <summary>
/// Conditional writes on S3: claimed on AWS and only on request for a custom endpoint (s3rver accepts the headers and
/// ignores them, so the conformance suite runs without them there). With them on, the requests carry
/// <c>If-None-Match: *</c> / <c>If-Match</c> and S3's answers (412, 404, 409), injected in front of s3rver, map to the
/// <see cref="IStore"/> results.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class S3StoreConditionalTests(S3rverServer server) : IClassFixture<S3rverServer>, IDisposable
{
    private const StoreCapabilities Conditional = StoreCapabilities.ConditionalCreate | StoreCapabilities.ConditionalUpdate;
    private readonly List<S3Store> _stores = [];

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }
    }

    [Fact]
    public void ConditionalWrites_AreClaimedOnAwsAndNotForACustomEndpointByDefault()
    {
        using var s3rver = new S3Store(server.NewBucket(), server.Options);
        Assert.Equal((StoreCapabilities)0, s3rver.Capabilities & Conditional);
        var ex = Assert.Throws<NotSupportedException>(() => s3rver.SetIfAbsent("k", [1]));
        Assert.Contains("ConditionalCreate", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ConditionalWrites", ex.Message, StringComparison.Ordinal);
        Assert.False(((IStore)s3rver).Exists("k"));

        using var env = new EnvironmentScope(("AWS_ENDPOINT_URL", string.Empty), ("AWS_ENDPOINT_URL_S3", string.Empty));
        using var aws = new S3Store("s3://bucket/x", new S3StoreOptions { Region = "us-east-1", AccessKeyId = "k", SecretAccessKey = "s" });
        Assert.Equal(Conditional, aws.Capabilities & Conditional);
        using var awsOff = new S3Store("s3://bucket/x", new S3StoreOptions { Region = "us-east-1", AccessKeyId = "k", SecretAccessKey = "s", ConditionalWrites = false });
        Assert.Equal((StoreCapabilities)0, awsOff.Capabilities & Conditional);
    }

    [Fact]
    public async Task ConditionalWrites_WhenOn_SendTheConditionsAndMapS3sAnswers()
    {
        var (store, requests) = Store();
        IStore s = store;
        Assert.Equal(Conditional, store.Capabilities & Conditional);

        Assert.True(s.SetIfAbsent("a", [1, 2, 3]));
        Assert.Contains("If-None-Match: *", LastPut(requests, "/a"), StringComparison.Ordinal);
        requests.Fail(1, HttpStatusCode.PreconditionFailed, "PreconditionFailed", FaultInjectingHandler.On(HttpMethod.Put, "/a"));
        Assert.False(s.SetIfAbsent("a", [9]));
        Assert.Equal([1, 2, 3], s.Get("a"));

        var v1 = s.GetVersioned("a")!;
        Assert.Equal([1, 2, 3], v1.Value.ToArray());
        Assert.StartsWith("\"", v1.Version, StringComparison.Ordinal); // the ETag as S3 sends it
        string? v2 = await s.SetIfVersionAsync("a", new byte[] { 4 }, v1.Version);
        Assert.NotNull(v2);
        Assert.Contains($"If-Match: {v1.Version}", LastPut(requests, "/a"), StringComparison.Ordinal);
        Assert.Equal(v2, (await s.GetVersionedAsync("a"))!.Version);

        requests.Fail(1, HttpStatusCode.PreconditionFailed, "PreconditionFailed", FaultInjectingHandler.On(HttpMethod.Put, "/a"));
        Assert.Null(s.SetIfVersion("a", [5], v2!));
        requests.Fail(1, HttpStatusCode.NotFound, "NoSuchKey", FaultInjectingHandler.On(HttpMethod.Put, "/a"));
        Assert.Null(s.SetIfVersion("a", [6], v2!));
        Assert.Equal([4], s.Get("a"));

        // 409 ConditionalRequestConflict (a concurrent conditional write) is retried by the store, not the SDK.
        requests.Fail(1, HttpStatusCode.Conflict, "ConditionalRequestConflict", FaultInjectingHandler.On(HttpMethod.Put, "/b"));
        Assert.True(await s.SetIfAbsentAsync("b", new byte[] { 7 }));
        Assert.Equal(2, requests.Count((m, u) => m == HttpMethod.Put && u.AbsolutePath.EndsWith("/b", StringComparison.Ordinal)));
        Assert.Equal([7], s.Get("b"));
        Assert.Null(s.GetVersioned("missing"));
    }

    [Fact]
    public async Task ConditionalCreate_OfALargeValue_IsCheckedWhenTheUploadCompletes()
    {
        var (store, requests) = Store(multipartThreshold: 6 << 20);
        IStore s = store;
        var first = S3StoreMultipartTests.Bytes(6 << 20, seed: 1);
        Assert.True(await s.SetIfAbsentAsync("big", first));
        var complete = requests.Seen.Last(r => r.Method == HttpMethod.Post && r.Uri.Query.Contains("uploadId", StringComparison.Ordinal));
        Assert.Contains("If-None-Match: *", complete.Headers, StringComparison.Ordinal);

        requests.Fail(1, HttpStatusCode.PreconditionFailed, "PreconditionFailed", r => r.Method == HttpMethod.Post && r.RequestUri!.Query.Contains("uploadId", StringComparison.Ordinal));
        Assert.False(await s.SetIfAbsentAsync("big", S3StoreMultipartTests.Bytes(6 << 20, seed: 2)));
        Assert.Equal(1, requests.Count((m, u) => m == HttpMethod.Delete && u.Query.Contains("uploadId", StringComparison.Ordinal))); // aborted
        Assert.Equal(first, s.Get("big"));
    }

    private static string LastPut(FaultInjectingHandler requests, string pathEnd) =>
        requests.Seen.Last(r => r.Method == HttpMethod.Put && r.Uri.AbsolutePath.EndsWith(pathEnd, StringComparison.Ordinal)).Headers;

    private (S3Store Store, FaultInjectingHandler Requests) Store(int multipartThreshold = 16 << 20)
    {
        var requests = new FaultInjectingHandler();
        var options = server.Options;
        var store = new S3Store(server.NewBucket(), new S3StoreOptions
        {
            ServiceUrl = options.ServiceUrl,
            AccessKeyId = options.AccessKeyId,
            SecretAccessKey = options.SecretAccessKey,
            MaxRetries = 2,
            ConditionalWrites = true,
            MultipartThreshold = multipartThreshold,
            PartSize = 5 << 20,
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
