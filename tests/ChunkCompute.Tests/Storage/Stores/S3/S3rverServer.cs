using Amazon.Runtime;
using Amazon.S3;
using ChunkCompute.Storage.S3;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Storage.Stores.S3;

/// <summary>
/// s3rver 3.7.1 (an S3 server in node) on 127.0.0.1 for the tests: installed with npm into
/// <c>$CHUNKCOMPUTE_S3RVER</c> (default <c>~/.cache/chunkcompute/s3rver</c>) the first time, started on a free port with a
/// temporary data folder, stopped and removed when disposed. Tests skip, saying why, when node/npm are missing.
/// </summary>
public sealed class S3rverServer() : NodeTestServer(
    "s3rver", "s3rver@3.7.1", "CHUNKCOMPUTE_S3RVER", Path.Combine("node_modules", "s3rver", "bin", "s3rver.js"),
    (port, data) => ["-d", data, "-a", "127.0.0.1", "-p", Text(port), "-s"],
    new Dictionary<string, string> { ["NODE_OPTIONS"] = "--openssl-legacy-provider" }) // paged listings on node 20
{
    private int _buckets;

    public string Endpoint => $"http://127.0.0.1:{Port}";

    public S3StoreOptions Options => new() { ServiceUrl = Endpoint, AccessKeyId = "S3RVER", SecretAccessKey = "S3RVER", MaxRetries = 1, RequestTimeout = TimeSpan.FromSeconds(20) };

    /// <summary>A new, empty bucket; returns its s3:// URL (with a prefix, so prefixes are exercised).</summary>
    public string NewBucket(string prefix = "root")
    {
        Assert.SkipWhen(Unavailable is not null, Unavailable ?? string.Empty);
        string bucket = $"bucket-{Interlocked.Increment(ref _buckets):D4}";
        using var client = new AmazonS3Client(new BasicAWSCredentials("S3RVER", "S3RVER"), new AmazonS3Config { ServiceURL = Endpoint, ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        client.PutBucketAsync(bucket).GetAwaiter().GetResult();
        return $"s3://{bucket}/{prefix}";
    }
}
