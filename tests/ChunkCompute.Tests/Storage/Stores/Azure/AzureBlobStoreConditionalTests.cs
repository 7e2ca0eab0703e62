using Azure.Core;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Azure;
using ChunkCompute.Storage.Stores;
using ChunkCompute.Tests.Storage.Stores.Http;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Storage.Stores.Azure;

/// <summary>
/// GetVersion, DeleteIfVersion and CopyIfAbsent on Azure Blob Storage (Azurite on 127.0.0.1), signed in with the
/// account key: Get Blob Properties, Delete Blob with <c>If-Match</c>, and Copy Blob done by the service with
/// <c>x-ms-source-if-match</c> and <c>If-None-Match: *</c>.
/// </summary>
public sealed class AzureBlobStoreConditionalTests(AzuriteServer server) : ConditionalPrimitiveTests, IClassFixture<AzuriteServer>, IDisposable
{
    private readonly List<AzureBlobStore> _stores = [];

    protected override StoreCapabilities ExpectedCapabilities =>
        StoreCapabilities.Writable | StoreCapabilities.Listable | StoreCapabilities.ByteRanges | StoreCapabilities.RemoteRequests
        | StoreCapabilities.ConditionalCreate | StoreCapabilities.ConditionalUpdate | StoreCapabilities.ConditionalDelete | StoreCapabilities.ServerSideCopy;

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }
    }

    [Fact]
    public void CopyIfAbsent_IsOneCopyBlobRequest_CarryingBothConditions()
    {
        var (store, requests) = Recorded();
        IStore s = store;
        s.Set("s", [1, 2, 3, 4]);
        string version = s.GetVersion("s")!;
        Assert.StartsWith("\"", version, StringComparison.Ordinal); // the ETag as the service sends it, as GetVersioned returns it
        int before = requests.Seen.Count;
        Assert.Equal(CopyOutcome.Copied, s.CopyIfAbsent("s", version, "d"));
        var copy = requests.Seen.Skip(before).ToList();
        var put = Assert.Single(copy);
        Assert.Equal(HttpMethod.Put, put.Method);
        Assert.EndsWith("/root/d", put.Uri.AbsolutePath, StringComparison.Ordinal);
        Assert.Contains("x-ms-copy-source: ", put.Headers, StringComparison.Ordinal);
        Assert.Contains($"x-ms-source-if-match: {version}", put.Headers, StringComparison.Ordinal);
        Assert.Contains("If-None-Match: *", put.Headers, StringComparison.Ordinal);
        Assert.Equal([1, 2, 3, 4], s.Get("d"));
    }

    [Fact]
    public async Task CopyIfAbsent_MapsAzuresAnswers()
    {
        // Azure names the failed side: 412 SourceConditionNotMet, 409 BlobAlreadyExists (Azurite answers 412
        // ConditionNotMet for the source, which the store tells apart by the destination, as the stale-source test shows).
        var (store, requests) = Recorded();
        IStore s = store;
        s.Set("s", [1]);
        string version = s.GetVersion("s")!;
        requests.Fail(1, System.Net.HttpStatusCode.PreconditionFailed, "SourceConditionNotMet", FaultInjectingHandler.On(HttpMethod.Put, "/d"));
        int before = requests.Seen.Count;
        Assert.Equal(CopyOutcome.SourceChanged, s.CopyIfAbsent("s", version, "d"));
        Assert.Single(requests.Seen.Skip(before)); // no HEAD needed
        requests.Fail(1, System.Net.HttpStatusCode.Conflict, "BlobAlreadyExists", FaultInjectingHandler.On(HttpMethod.Put, "/d"));
        Assert.Equal(CopyOutcome.DestinationExists, await s.CopyIfAbsentAsync("s", version, "d"));
        requests.Fail(1, System.Net.HttpStatusCode.NotFound, "BlobNotFound", FaultInjectingHandler.On(HttpMethod.Put, "/d"));
        Assert.Equal(CopyOutcome.SourceChanged, s.CopyIfAbsent("s", version, "d"));
        Assert.False(s.Exists("d"));

        requests.Fail(1, System.Net.HttpStatusCode.PreconditionFailed, "ConditionNotMet", FaultInjectingHandler.On(HttpMethod.Delete, "/s"));
        Assert.False(s.DeleteIfVersion("s", version));
        Assert.Equal([1], s.Get("s"));
        Assert.True(s.DeleteIfVersion("s", version));
    }

    [Fact]
    public void GetVersionAndDeleteIfVersion_AreOneRequestEach()
    {
        var (store, requests) = Recorded();
        IStore s = store;
        s.Set("k", [1]);
        int before = requests.Seen.Count;
        string version = s.GetVersion("k")!;
        Assert.Equal(HttpMethod.Head, Assert.Single(requests.Seen.Skip(before)).Method);

        before = requests.Seen.Count;
        Assert.True(s.DeleteIfVersion("k", version));
        var delete = Assert.Single(requests.Seen.Skip(before));
        Assert.Equal(HttpMethod.Delete, delete.Method);
        Assert.Contains($"If-Match: {version}", delete.Headers, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CopyIfAbsent_ThroughTheProcess_HasTheSameOutcomes()
    {
        // What a store signed in with a token credential does (Copy Blob would need its source authorized separately).
        var store = new AzureBlobStore(server.NewContainer(), server.Options) { ServerSideCopy = false };
        _stores.Add(store);
        IStore s = store;
        Assert.Equal((StoreCapabilities)0, s.Capabilities & StoreCapabilities.ServerSideCopy);
        s.Set("s", [5, 6]);
        string version = s.GetVersion("s")!;
        Assert.Equal(CopyOutcome.Copied, s.CopyIfAbsent("s", version, "d"));
        Assert.Equal([5, 6], s.Get("d"));
        Assert.Equal(CopyOutcome.DestinationExists, await s.CopyIfAbsentAsync("s", version, "d"));
        s.Set("s", [7]);
        Assert.Equal(CopyOutcome.SourceChanged, s.CopyIfAbsent("s", version, "e"));
        Assert.Equal(CopyOutcome.SourceChanged, await s.CopyIfAbsentAsync("missing", version, "e"));
        Assert.False(s.Exists("e"));
    }

    [Fact]
    public void TokenCredential_StoresDoNotClaimServerSideCopy()
    {
        string accountUrl = $"https://127.0.0.1:{LoopbackHttpServer.FreePort()}/devstoreaccount1";
        using var store = new AzureBlobStore("az://box/p", new AzureBlobStoreOptions { AccountUrl = accountUrl, Credential = new FixedCredential() });
        Assert.Equal(StoreCapabilities.ConditionalDelete, store.Capabilities & (StoreCapabilities.ConditionalDelete | StoreCapabilities.ServerSideCopy));
    }

    [Fact]
    public void MissingContainer_IsAnErrorNotAnOutcome()
    {
        Assert.SkipWhen(server.Unavailable is not null, server.Unavailable ?? string.Empty);
        using var store = new AzureBlobStore("az://no-such-container/x", server.Options);
        IStore s = store;
        Assert.Throws<StoreUnavailableException>(() => s.GetVersion("k"));
        Assert.Throws<StoreUnavailableException>(() => s.DeleteIfVersion("k", "\"0x1\""));
        Assert.Throws<StoreUnavailableException>(() => s.CopyIfAbsent("k", "\"0x1\"", "d"));
    }

    protected override IStore CreateStore()
    {
        var store = new AzureBlobStore(server.NewContainer(), server.Options);
        _stores.Add(store);
        return store;
    }

    private (AzureBlobStore Store, FaultInjectingHandler Requests) Recorded()
    {
        var requests = new FaultInjectingHandler();
        var store = new AzureBlobStore(server.NewContainer(), new AzureBlobStoreOptions
        {
            ConnectionString = server.ConnectionString,
            MaxRetries = 1,
            WrapHttpHandler = inner =>
            {
                requests.InnerHandler = inner;
                return requests;
            },
        });
        _stores.Add(store);
        return (store, requests);
    }

    private sealed class FixedCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => new("t", DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => new(GetToken(requestContext, cancellationToken));
    }
}
