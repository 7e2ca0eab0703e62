using System.Net;
using ChunkCompute.Storage;
using ChunkCompute.Storage.S3;
using ChunkCompute.Storage.Stores;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Storage.Stores.S3;

/// <summary>
/// GetVersion (HeadObject), DeleteIfVersion (DeleteObject with <c>If-Match</c>) and CopyIfAbsent (CopyObject with
/// <c>x-amz-copy-source-if-match</c> and <c>If-None-Match: *</c>) on S3. They come with conditional writes: claimed on
/// AWS and only on request for a custom endpoint. s3rver deletes but ignores the conditions, so the requests are checked
/// for them and S3's refusals (412, 404, 409) are injected in front of s3rver. s3rver cannot copy for this SDK at all: it
/// reads <c>x-amz-copy-source</c> without decoding the <c>%2F</c> the SDK encodes the bucket/key separator as (S3
/// decodes it), and the header is signed; so CopyObject's success is answered in front of s3rver, as S3 answers it.
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class S3StoreConditionalCopyDeleteTests(S3rverServer server) : IClassFixture<S3rverServer>, IDisposable
{
    private const StoreCapabilities CopyDelete = StoreCapabilities.ConditionalDelete | StoreCapabilities.ServerSideCopy;
    private readonly List<S3Store> _stores = [];

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }
    }

    [Fact]
    public async Task CopyAndDelete_AreClaimedWithConditionalWritesOnly()
    {
        using var s3rver = new S3Store(server.NewBucket(), server.Options);
        IStore s = s3rver;
        Assert.Equal((StoreCapabilities)0, s3rver.Capabilities & CopyDelete);
        s.Set("k", [1]);
        Assert.Contains("ConditionalDelete", Assert.Throws<NotSupportedException>(() => s.DeleteIfVersion("k", "\"x\"")).Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<NotSupportedException>(() => s.DeleteIfVersionAsync("k", "\"x\"").AsTask());
        Assert.Contains("ConditionalUpdate", Assert.Throws<NotSupportedException>(() => s.CopyIfAbsent("k", "\"x\"", "d")).Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<NotSupportedException>(() => s.CopyIfAbsentAsync("k", "\"x\"", "d").AsTask());
        Assert.Throws<NotSupportedException>(() => s.GetVersion("k"));
        await Assert.ThrowsAsync<NotSupportedException>(() => s.GetVersionAsync("k").AsTask());
        Assert.Equal([1], s.Get("k"));
        Assert.False(s.Exists("d"));

        using var env = new EnvironmentScope(("AWS_ENDPOINT_URL", string.Empty), ("AWS_ENDPOINT_URL_S3", string.Empty));
        using var aws = new S3Store("s3://bucket/x", new S3StoreOptions { Region = "us-east-1", AccessKeyId = "k", SecretAccessKey = "s" });
        Assert.Equal(CopyDelete, aws.Capabilities & CopyDelete);
        using var awsOff = new S3Store("s3://bucket/x", new S3StoreOptions { Region = "us-east-1", AccessKeyId = "k", SecretAccessKey = "s", ConditionalWrites = false });
        Assert.Equal((StoreCapabilities)0, awsOff.Capabilities & CopyDelete);
    }

    [Fact]
    public async Task GetVersion_IsOneHead_GivingGetVersionedsVersion()
    {
        var (store, requests) = Store();
        IStore s = store;
        s.Set("a/k", [1, 2]);
        int before = requests.Seen.Count;
        string? first = s.GetVersion("a/k");
        Assert.Equal(HttpMethod.Head, Assert.Single(requests.Seen.Skip(before)).Method);
        Assert.NotNull(first);
        Assert.StartsWith("\"", first, StringComparison.Ordinal);
        Assert.Equal(s.GetVersioned("a/k")!.Version, first);

        s.Set("a/k", [3]);
        string? second = await s.GetVersionAsync("a/k");
        Assert.NotEqual(first, second);
        Assert.Equal((await s.GetVersionedAsync("a/k"))!.Version, second);
        Assert.Null(s.GetVersion("missing"));
        Assert.Null(await s.GetVersionAsync("a/missing"));
    }

    [Fact]
    public async Task DeleteIfVersion_SendsIfMatch_AndMapsS3sAnswers()
    {
        var (store, requests) = Store();
        IStore s = store;
        s.Set("k", [1]);
        string version = s.GetVersion("k")!;

        requests.Fail(1, HttpStatusCode.PreconditionFailed, "PreconditionFailed", FaultInjectingHandler.On(HttpMethod.Delete, "/k"));
        Assert.False(s.DeleteIfVersion("k", "\"stale\""));
        requests.Fail(1, HttpStatusCode.NotFound, "NoSuchKey", FaultInjectingHandler.On(HttpMethod.Delete, "/k"));
        Assert.False(await s.DeleteIfVersionAsync("k", version));
        Assert.Equal([1], s.Get("k"));

        // 409 ConditionalRequestConflict (a concurrent conditional request) is retried by the store.
        requests.Fail(1, HttpStatusCode.Conflict, "ConditionalRequestConflict", FaultInjectingHandler.On(HttpMethod.Delete, "/k"));
        int before = requests.Seen.Count;
        Assert.True(s.DeleteIfVersion("k", version));
        var deletes = requests.Seen.Skip(before).Where(r => r.Method == HttpMethod.Delete).ToList();
        Assert.Equal(2, deletes.Count);
        Assert.All(deletes, d => Assert.Contains($"If-Match: {version}", d.Headers, StringComparison.Ordinal));
        Assert.False(s.Exists("k"));
    }

    [Fact]
    public async Task CopyIfAbsent_IsOneCopyObject_CarryingBothConditions()
    {
        var (store, requests) = Store();
        IStore s = store;
        var value = new byte[300_000];
        new Random(19).NextBytes(value);
        s.Set("src/v", value);
        string version = s.GetVersion("src/v")!;
        int before = requests.Seen.Count;
        Assert.Equal(CopyOutcome.Copied, s.CopyIfAbsent("src/v", version, "pre/v"));
        var put = Assert.Single(requests.Seen.Skip(before));
        Assert.Equal(HttpMethod.Put, put.Method);
        Assert.EndsWith("/root/pre/v", put.Uri.AbsolutePath, StringComparison.Ordinal);
        Assert.Matches(@"x-amz-copy-source: bucket-\d+%2Froot%2Fsrc%2Fv\n", put.Headers);
        Assert.Contains($"x-amz-copy-source-if-match: {version}", put.Headers, StringComparison.Ordinal);
        Assert.Contains("If-None-Match: *", put.Headers, StringComparison.Ordinal);
        Assert.Equal(version, s.GetVersion("src/v"));
        Assert.Equal(CopyOutcome.Copied, await s.CopyIfAbsentAsync("src/v", version, "pre/w"));
    }

    [Fact]
    public async Task CopyIfAbsent_MapsS3sRefusals()
    {
        var (store, requests) = Store();
        IStore s = store;
        s.Set("s", [1, 1]);
        s.Set("d", [9]);
        string version = s.GetVersion("s")!;

        // 412 for either condition: the destination tells which.
        requests.Fail(1, HttpStatusCode.PreconditionFailed, "PreconditionFailed", FaultInjectingHandler.On(HttpMethod.Put, "/d"));
        Assert.Equal(CopyOutcome.DestinationExists, s.CopyIfAbsent("s", version, "d"));
        Assert.Equal([9], s.Get("d"));
        requests.Fail(1, HttpStatusCode.PreconditionFailed, "PreconditionFailed", FaultInjectingHandler.On(HttpMethod.Put, "/e"));
        Assert.Equal(CopyOutcome.SourceChanged, await s.CopyIfAbsentAsync("s", "\"stale\"", "e"));
        Assert.False(s.Exists("e"));

        // 404: the source is gone.
        requests.Fail(1, HttpStatusCode.NotFound, "NoSuchKey", FaultInjectingHandler.On(HttpMethod.Put, "/e"));
        Assert.Equal(CopyOutcome.SourceChanged, s.CopyIfAbsent("missing", version, "e"));
        Assert.False(s.Exists("e"));

        // 409 ConditionalRequestConflict is retried, then copies.
        requests.Fail(1, HttpStatusCode.Conflict, "ConditionalRequestConflict", FaultInjectingHandler.On(HttpMethod.Put, "/f"));
        Assert.Equal(CopyOutcome.Copied, await s.CopyIfAbsentAsync("s", version, "f"));
        Assert.Equal(2, requests.Count((m, u) => m == HttpMethod.Put && u.AbsolutePath.EndsWith("/f", StringComparison.Ordinal)));
    }

    [Fact]
    public void MissingBucket_IsAnErrorNotAnOutcome()
    {
        Assert.SkipWhen(server.Unavailable is not null, server.Unavailable ?? string.Empty);
        var options = server.Options;
        using var store = new S3Store("s3://no-such-bucket/x", new S3StoreOptions
        {
            ServiceUrl = options.ServiceUrl,
            AccessKeyId = options.AccessKeyId,
            SecretAccessKey = options.SecretAccessKey,
            MaxRetries = 1,
            ConditionalWrites = true,
        });
        IStore s = store;
        Assert.Throws<StoreUnavailableException>(() => s.DeleteIfVersion("k", "\"x\""));
        Assert.Throws<StoreUnavailableException>(() => s.CopyIfAbsent("k", "\"x\"", "d"));
    }

    private (S3Store Store, FaultInjectingHandler Requests) Store()
    {
        var requests = new FaultInjectingHandler();
        var copies = new CopyAnsweringHandler();
        var options = server.Options;
        var store = new S3Store(server.NewBucket(), new S3StoreOptions
        {
            ServiceUrl = options.ServiceUrl,
            AccessKeyId = options.AccessKeyId,
            SecretAccessKey = options.SecretAccessKey,
            MaxRetries = 2,
            ConditionalWrites = true,
            WrapHttpHandler = inner =>
            {
                copies.InnerHandler = inner;
                requests.InnerHandler = copies;
                return requests;
            },
        });
        _stores.Add(store);
        return (store, requests);
    }

    /// <summary>Answers a CopyObject (a PUT with <c>x-amz-copy-source</c>) as S3 does when it copied; passes the rest on.</summary>
    private sealed class CopyAnsweringHandler : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method != HttpMethod.Put || !request.Headers.Contains("x-amz-copy-source"))
            {
                return base.SendAsync(request, cancellationToken);
            }

            const string Body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><CopyObjectResult><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>\"0123456789abcdef0123456789abcdef\"</ETag></CopyObjectResult>";
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request, Content = new StringContent(Body, System.Text.Encoding.UTF8, "application/xml") });
        }
    }
}
