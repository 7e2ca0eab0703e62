using System.Buffers;
using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage.S3;

/// <summary>
/// A Zarr store in an S3 bucket (or an S3-compatible server), rooted at <c>s3://bucket/prefix</c>: key <c>x/c/0/1</c> is
/// the object <c>prefix/x/c/0/1</c>. Reads whole objects and byte ranges, lists by prefix in pages (ListObjectsV2),
/// writes each object whole (PutObject). Many requests run in flight (<see cref="S3StoreOptions.MaxConnections"/>);
/// throttling, 5xx and timeouts are retried by the SDK with backoff and jitter; a missing bucket, refused credentials or
/// an unreachable endpoint is a <see cref="StoreUnavailableException"/> naming the URL. Not transactional: each object
/// is written whole and readers see old or new objects, as with zarr-python on S3 (multi-object transactions need
/// conditional writes, the next step). Call <see cref="Register"/> once to open <c>s3://</c> URLs everywhere.
/// </summary>
public sealed class S3Store : IStore, IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly int _maxRetries;

    /// <summary>Opens the store at <paramref name="url"/> (<c>s3://bucket</c> or <c>s3://bucket/prefix</c>).</summary>
    /// <exception cref="ArgumentException">The URL is not an s3:// URL with a bucket.</exception>
    public S3Store(string url, S3StoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.StartsWith("s3://", StringComparison.OrdinalIgnoreCase) || url.Length <= 5)
        {
            throw new ArgumentException($"'{url}' is not an s3://bucket/prefix URL", nameof(url));
        }

        string rest = url[5..].Trim('/');
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        _bucket = slash < 0 ? rest : rest[..slash];
        _prefix = slash < 0 ? string.Empty : rest[(slash + 1)..] + "/";
        Name = "s3://" + _bucket + (_prefix.Length > 0 ? "/" + _prefix.TrimEnd('/') : string.Empty);
        options ??= new S3StoreOptions();
        _maxRetries = options.MaxRetries;

        string? endpoint = options.ServiceUrl ?? Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_S3") ?? Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL");
        string? region = options.Region ?? Environment.GetEnvironmentVariable("AWS_REGION") ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION");
        var config = new AmazonS3Config
        {
            MaxErrorRetry = options.MaxRetries,
            RetryMode = RequestRetryMode.Standard,
            Timeout = options.RequestTimeout,
            MaxConnectionsPerServer = options.MaxConnections,
        };
        if (endpoint is not null)
        {
            config.ServiceURL = endpoint;
            config.ForcePathStyle = options.ForcePathStyle ?? true;
            config.AuthenticationRegion = region ?? "us-east-1";

            // S3-compatible servers store the SDK's streaming-signature and trailing-checksum framing as data.
            config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED;
            config.ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region ?? "us-east-1");
            config.ForcePathStyle = options.ForcePathStyle ?? false;
        }

        _client = options.AccessKeyId is { } id
            ? new AmazonS3Client(new BasicAWSCredentials(id, options.SecretAccessKey ?? string.Empty), config)
            : new AmazonS3Client(config);
        UsesCustomEndpoint = endpoint is not null;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public StoreCapabilities Capabilities => StoreCapabilities.Writable | StoreCapabilities.Listable | StoreCapabilities.ByteRanges | StoreCapabilities.RemoteRequests;

    private bool UsesCustomEndpoint { get; }

    /// <summary>Opens <c>s3://</c> URLs with this store in <see cref="ZarrStore.Open"/>, <see cref="ZarrStore.OpenExisting"/> and the CLI.</summary>
    public static void Register() => StoreLocations.Register("s3", url => new S3Store(url));

    /// <inheritdoc/>
    public IMemoryOwner<byte>? GetPooled(string key) => Wait(GetPooledAsync(key));

    /// <inheritdoc/>
    public ValueTask<IMemoryOwner<byte>?> GetPooledAsync(string key, CancellationToken cancellationToken = default) =>
        new(Read(key, null, cancellationToken));

    /// <inheritdoc/>
    public IMemoryOwner<byte>? GetRangePooled(string key, Stores.ByteRange range) => Wait(GetRangePooledAsync(key, range));

    /// <inheritdoc/>
    public ValueTask<IMemoryOwner<byte>?> GetRangePooledAsync(string key, Stores.ByteRange range, CancellationToken cancellationToken = default) =>
        new(Read(key, range, cancellationToken));

    /// <inheritdoc/>
    public long? GetSize(string key) => Wait(GetSizeAsync(key));

    /// <inheritdoc/>
    public ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default) => new(Size(key, cancellationToken));

    /// <inheritdoc/>
    public void Set(string key, ReadOnlySpan<byte> value) => Wait(SetAsync(key, value.ToArray()));

    /// <inheritdoc/>
    public async ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        var request = new PutObjectRequest
        {
            BucketName = _bucket,
            Key = ObjectKey(key),
            InputStream = new MemoryStream(value.ToArray(), writable: false),
            UseChunkEncoding = !UsesCustomEndpoint,
            AutoCloseStream = true,
        };
        await Call(key, () => _client.PutObjectAsync(request, cancellationToken)).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public bool Delete(string key) => Wait(DeleteAsync(key));

    /// <inheritdoc/>
    public async ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        // S3 does not say whether the object existed: ask first (a concurrent writer may race this answer).
        bool existed = await Size(key, cancellationToken).ConfigureAwait(false) is not null;
        await Call(key, () => _client.DeleteObjectAsync(_bucket, ObjectKey(key), cancellationToken)).ConfigureAwait(false);
        return existed;
    }

    /// <inheritdoc/>
    public IEnumerable<string> List(string prefix) => StoreHelpers.ListByPages(this, prefix);

    /// <inheritdoc/>
    public IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellationToken = default) =>
        StoreHelpers.ListByPagesAsync(this, prefix, cancellationToken);

    /// <inheritdoc/>
    public async ValueTask<StoreListPage> ListPageAsync(string prefix, string? continuationToken, int maxKeys = 1000, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxKeys);
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = _prefix + prefix, MaxKeys = maxKeys, ContinuationToken = continuationToken };
        var response = await Call(prefix, () => _client.ListObjectsV2Async(request, cancellationToken)).ConfigureAwait(false);
        var keys = (response.S3Objects ?? []).Select(o => o.Key[_prefix.Length..]).Where(k => k.Length > 0).ToList();
        return new StoreListPage(keys, response.IsTruncated == true ? response.NextContinuationToken : null);
    }

    /// <inheritdoc/>
    public void Dispose() => _client.Dispose();

    private static T Wait<T>(ValueTask<T> task) => task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult();

    private static void Wait(ValueTask task)
    {
        if (!task.IsCompletedSuccessfully)
        {
            task.AsTask().GetAwaiter().GetResult();
        }
    }

    private string ObjectKey(string key)
    {
        StoreKeys.Validate(key);
        return _prefix + key;
    }

    private async Task<long?> Size(string key, CancellationToken cancellationToken)
    {
        try
        {
            var meta = await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = ObjectKey(key) }, cancellationToken).ConfigureAwait(false);
            return meta.ContentLength;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode is not "NoSuchBucket")
        {
            return null;
        }
        catch (Exception ex) when (ex is AmazonServiceException or HttpRequestException or IOException)
        {
            throw Unavailable(key, ex);
        }
    }

    private async Task<IMemoryOwner<byte>?> Read(string key, Stores.ByteRange? range, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return await ReadOnce(key, range, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException) when (attempt < _maxRetries && !cancellationToken.IsCancellationRequested)
            {
                // The body ended early (a dropped connection, or a server replacing the object under the read): ask again.
                await Task.Delay(TimeSpan.FromMilliseconds(50 * (attempt + 1) * (0.5 + Random.Shared.NextDouble())), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<IMemoryOwner<byte>?> ReadOnce(string key, Stores.ByteRange? range, CancellationToken cancellationToken)
    {
        var request = new GetObjectRequest { BucketName = _bucket, Key = ObjectKey(key) };
        if (range is { } r)
        {
            // Ask for an explicit range of a known length: zero-length ranges cannot be asked for, a start past the end
            // must name the length, and S3-compatible servers differ on suffix ranges.
            if (await Size(key, cancellationToken).ConfigureAwait(false) is not { } size)
            {
                return null;
            }

            if (!r.IsSuffix && r.Offset > size)
            {
                throw new ArgumentOutOfRangeException(nameof(range), $"byte range {r} starts past the end of '{key}' in store '{Name}', which is {size} bytes long");
            }

            var (offset, length) = r.Resolve(size);
            if (length == 0)
            {
                return StoreHelpers.Rent(0);
            }

            request.ByteRange = new Amazon.S3.Model.ByteRange(offset, offset + length - 1);
        }

        GetObjectResponse response;
        try
        {
            response = await _client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode is not "NoSuchBucket")
        {
            return null;
        }
        catch (Exception ex) when (ex is AmazonServiceException or HttpRequestException)
        {
            throw Unavailable(key, ex);
        }

        using (response)
        {
            long n = response.ContentLength;
            if (n > Array.MaxLength)
            {
                throw new StoreUnavailableException(Name + "/" + key, $"object '{key}' in '{Name}' is {n} bytes, more than one value can hold");
            }

            var owner = StoreHelpers.Rent((int)n);
            try
            {
                int total = 0;
                while (total < n)
                {
                    int read = await response.ResponseStream.ReadAsync(owner.Memory[total..], cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        throw new StoreUnavailableException(Name + "/" + key, $"reading '{key}' from '{Name}' ended after {total} of {n} bytes");
                    }

                    total += read;
                }

                return owner;
            }
            catch
            {
                owner.Dispose();
                throw;
            }
        }
    }

    private async Task<T> Call<T>(string key, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AmazonServiceException or HttpRequestException or IOException)
        {
            throw Unavailable(key, ex);
        }
    }

    private StoreUnavailableException Unavailable(string key, Exception ex)
    {
        string what = ex switch
        {
            AmazonS3Exception { ErrorCode: "NoSuchBucket" } => $"bucket '{_bucket}' does not exist",
            AmazonS3Exception { StatusCode: HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized } s => $"access was refused ({s.ErrorCode}): check the credentials",
            AmazonServiceException s => $"{(int)s.StatusCode} {s.ErrorCode}: {s.Message}",
            _ => ex.Message,
        };
        return new StoreUnavailableException(Name, $"S3 store '{Name}' failed on '{key}': {what}", ex);
    }
}
