using System.Collections.Concurrent;
using System.Net;
using Azure.Core;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Azure;
using ChunkCompute.Storage.Stores;
using ChunkCompute.Tests.Storage.Stores.Http;
using ChunkCompute.Tests.Storage.Stores.S3;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Storage.Stores.Azure;

/// <summary>
/// An Azure account by URL with an Azure.Identity credential, and which account settings win. No request leaves the
/// test: an answering handler (through <see cref="AzureBlobStoreOptions.WrapHttpHandler"/>) replies in place of the
/// network, or the credential fails before anything is sent; never <c>DefaultAzureCredential</c> (it would probe the
/// instance metadata service).
/// </summary>
[Collection(ProcessEnvironmentCollection.Name)]
public sealed class AzureBlobStoreIdentityTests
{
    [Fact]
    public async Task AccountUrl_WithACredential_SendsItsBearerTokenToThatAccount()
    {
        var credential = new TestCredential("token-1");
        var answers = new AnsweringHandler();
        string accountUrl = $"https://127.0.0.1:{LoopbackHttpServer.FreePort()}/devstoreaccount1";
        using var store = new AzureBlobStore("az://box/p", new AzureBlobStoreOptions { AccountUrl = accountUrl, Credential = credential, WrapHttpHandler = _ => answers });
        Assert.False(((IStore)store).Exists("k"));
        Assert.Null(await ((IStore)store).GetAsync("k"));
        var (uri, authorization) = answers.Seen.First();
        Assert.Equal(accountUrl + "/box/p/k", uri.GetLeftPart(UriPartial.Path));
        Assert.Equal("Bearer token-1", authorization);
        Assert.Contains(credential.Scopes, s => s.Contains("storage.azure.com", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FailingCredential_IsAClearErrorNamingTheStoreAndTheCredentialError()
    {
        var options = new AzureBlobStoreOptions
        {
            AccountUrl = $"https://127.0.0.1:{LoopbackHttpServer.FreePort()}/devstoreaccount1",
            Credential = new TestCredential(failure: "no identity on this machine"),
            MaxRetries = 1,
        };
        using var store = new AzureBlobStore("az://box/p", options);
        var ex = Assert.Throws<StoreUnavailableException>(() => ((IStore)store).Get("k"));
        Assert.Equal("az://box/p", ex.Url);
        Assert.Contains("az://box/p", ex.Message, StringComparison.Ordinal);
        Assert.Contains("TestCredential", ex.Message, StringComparison.Ordinal);
        Assert.Contains("no identity on this machine", ex.Message, StringComparison.Ordinal);
        var asyncEx = await Assert.ThrowsAsync<StoreUnavailableException>(() => store.SetAsync("k", new byte[] { 1 }).AsTask());
        Assert.Contains("no identity on this machine", asyncEx.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AccountName_FromTheEnvironment_IsTheAccountUrl()
    {
        using var env = new EnvironmentScope(("AZURE_STORAGE_CONNECTION_STRING", string.Empty), ("AZURE_STORAGE_ACCOUNT_NAME", "myaccount"));
        var answers = new AnsweringHandler();
        using var store = new AzureBlobStore("az://box", new AzureBlobStoreOptions { Credential = new TestCredential("t"), WrapHttpHandler = _ => answers });
        Assert.False(((IStore)store).Exists("k"));
        Assert.Equal("https://myaccount.blob.core.windows.net/box/k", answers.Seen.First().Uri.GetLeftPart(UriPartial.Path));
    }

    [Fact]
    public void AccountUrl_InCode_WinsOverAConnectionStringInTheEnvironment()
    {
        using var env = new EnvironmentScope(
            ("AZURE_STORAGE_CONNECTION_STRING", "DefaultEndpointsProtocol=https;AccountName=fromenv;AccountKey=a2V5;EndpointSuffix=core.windows.net"),
            ("AZURE_STORAGE_ACCOUNT_NAME", "alsofromenv"));
        var answers = new AnsweringHandler();
        using var store = new AzureBlobStore("az://box", new AzureBlobStoreOptions { AccountUrl = "https://incode.blob.core.windows.net", Credential = new TestCredential("t"), WrapHttpHandler = _ => answers });
        Assert.False(((IStore)store).Exists("k"));
        Assert.Equal("incode.blob.core.windows.net", answers.Seen.First().Uri.Host);
    }

    [Fact]
    public void ConnectionString_WinsOverAnAccountUrl()
    {
        using var env = new EnvironmentScope(("AZURE_STORAGE_CONNECTION_STRING", string.Empty), ("AZURE_STORAGE_ACCOUNT_NAME", "fromenv"));
        var answers = new AnsweringHandler();
        var options = new AzureBlobStoreOptions
        {
            ConnectionString = "DefaultEndpointsProtocol=https;AccountName=byconnection;AccountKey=a2V5;EndpointSuffix=core.windows.net",
            AccountUrl = "https://byurl.blob.core.windows.net",
            Credential = new TestCredential(failure: "must not be asked"),
            WrapHttpHandler = _ => answers,
        };
        using var store = new AzureBlobStore("az://box", options);
        Assert.False(((IStore)store).Exists("k"));
        var (uri, authorization) = answers.Seen.First();
        Assert.Equal("byconnection.blob.core.windows.net", uri.Host);
        Assert.StartsWith("SharedKey byconnection:", authorization, StringComparison.Ordinal);
    }

    [Fact]
    public void PlainHttpAccountUrl_WithACredential_IsRefusedSayingWhy()
    {
        var ex = Assert.Throws<StoreUnavailableException>(() => new AzureBlobStore("az://box", new AzureBlobStoreOptions { AccountUrl = "http://127.0.0.1:1/devstoreaccount1", Credential = new TestCredential("t") }));
        Assert.Contains("https://", ex.Message, StringComparison.Ordinal);
        Assert.Contains("az://box", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoAccount_IsAClearErrorSayingWhatToSet()
    {
        using var env = new EnvironmentScope(("AZURE_STORAGE_CONNECTION_STRING", string.Empty), ("AZURE_STORAGE_ACCOUNT_NAME", string.Empty));
        var ex = Assert.Throws<StoreUnavailableException>(() => new AzureBlobStore("az://c/x"));
        Assert.Equal("az://c/x", ex.Url);
        foreach (var setting in new[] { "AZURE_STORAGE_CONNECTION_STRING", "AZURE_STORAGE_ACCOUNT_NAME", "ConnectionString", "AccountUrl" })
        {
            Assert.Contains(setting, ex.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>A credential that hands out a fixed token, or throws, and records the scopes it was asked for.</summary>
    private sealed class TestCredential(string? token = null, string? failure = null) : TokenCredential
    {
        public ConcurrentBag<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            foreach (var scope in requestContext.Scopes)
            {
                Scopes.Add(scope);
            }

            return failure is not null
                ? throw new InvalidOperationException(failure)
                : new AccessToken(token!, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(GetToken(requestContext, cancellationToken));
    }

    /// <summary>Answers every request itself with 404 BlobNotFound (nothing reaches the network) and records it.</summary>
    private sealed class AnsweringHandler : HttpMessageHandler
    {
        private readonly ConcurrentQueue<(Uri Uri, string? Authorization)> _seen = new();

        public IReadOnlyList<(Uri Uri, string? Authorization)> Seen => _seen.ToArray();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            _seen.Enqueue((request.RequestUri!, request.Headers.Authorization?.ToString()));
            var response = new HttpResponseMessage(HttpStatusCode.NotFound) { RequestMessage = request };
            response.Headers.TryAddWithoutValidation("x-ms-error-code", "BlobNotFound");
            return Task.FromResult(response);
        }
    }
}
