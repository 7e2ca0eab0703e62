using Azure.Storage.Blobs;
using ChunkCompute.Storage.Azure;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Storage.Stores.Azure;

/// <summary>
/// Azurite 3.37.0 (Microsoft's Azure Storage emulator, blob service only) on 127.0.0.1 for the tests: installed with npm
/// into <c>$CHUNKCOMPUTE_AZURITE</c> (default <c>~/.cache/chunkcompute/azurite</c>) the first time, started on a free
/// port with a temporary data folder and telemetry off, stopped and removed when disposed. Tests skip, saying why, when
/// node/npm are missing.
/// </summary>
public sealed class AzuriteServer() : NodeTestServer(
    "azurite", "azurite@3.37.0", "CHUNKCOMPUTE_AZURITE", Path.Combine("node_modules", ".bin", "azurite-blob"),
    (port, data) => ["--blobHost", "127.0.0.1", "--blobPort", Text(port), "--location", data, "--skipApiVersionCheck", "--loose", "--silent", "--disableTelemetry"])
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private int _containers;

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};BlobEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;";

    public AzureBlobStoreOptions Options => new() { ConnectionString = ConnectionString, MaxRetries = 1, RequestTimeout = TimeSpan.FromSeconds(20) };

    /// <summary>A new, empty container; returns its az:// URL (with a prefix, so prefixes are exercised).</summary>
    public string NewContainer(string prefix = "root")
    {
        Assert.SkipWhen(Unavailable is not null, Unavailable ?? string.Empty);
        string container = $"container-{Interlocked.Increment(ref _containers):D4}";
        new BlobServiceClient(ConnectionString).GetBlobContainerClient(container).Create();
        return $"az://{container}/{prefix}";
    }
}
