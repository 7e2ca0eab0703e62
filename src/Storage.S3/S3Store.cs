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
/// writes each object whole (PutObject; a large value as a multipart upload with parts sent in parallel, visible only
/// once complete). Many requests run in flight (<see cref="S3StoreOptions.MaxConnections"/>); throttling, 5xx, dropped
/// connections and timeouts are retried by the SDK with backoff and jitter, and a body cut short or stalled is read
/// again by the store; a missing bucket, refused credentials or an unreachable endpoint is a
/// <see cref="StoreUnavailableException"/> naming the URL. On AWS (or with
/// <see cref="S3StoreOptions.ConditionalWrites"/>) conditional writes — <c>If-None-Match: *</c> for
/// <see cref="StoreCapabilities.ConditionalCreate"/>, the ETag and <c>If-Match</c> for
/// <see cref="StoreCapabilities.ConditionalUpdate"/> — are atomic against every other writer, which is what a commit
/// record needs; with them come <see cref="StoreCapabilities.ConditionalDelete"/> (DeleteObject with <c>If-Match</c>)
/// and <see cref="StoreCapabilities.ServerSideCopy"/> (CopyObject with <c>x-amz-copy-source-if-match</c> and
/// <c>If-None-Match: *</c>). Call <see cref="Register"/> once to open <c>s3://</c> URLs everywhere.
/// </summary>
public sealed partial class S3Store : IStore, IDisposable
{
    private const int MinPartSize = 5 << 20; // S3's minimum for every part but the last
    private const int MaxParts = 10_000;
    private readonly AmazonS3Client _client;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly int _maxRetries;
    private readonly TimeSpan _requestTimeout;
    private readonly int _multipartThreshold;
    private readonly int _partSize;
    private readonly int _maxConcurrentParts;
    private readonly StoreCapabilities _conditional;
    private readonly int _readPartSize;

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
        _requestTimeout = options.RequestTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PartSize, MinPartSize, nameof(options.PartSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MultipartThreshold, nameof(options.MultipartThreshold));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxConcurrentParts, nameof(options.MaxConcurrentParts));
        _multipartThreshold = options.MultipartThreshold;
        _partSize = options.PartSize;
        _maxConcurrentParts = options.MaxConcurrentParts;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.ReadPartSize, nameof(options.ReadPartSize));
        _readPartSize = options.ReadPartSize;

        string? endpoint = NonEmpty(options.ServiceUrl) ?? Variable("AWS_ENDPOINT_URL_S3") ?? Variable("AWS_ENDPOINT_URL");
        string? region = NonEmpty(options.Region) ?? Variable("AWS_REGION") ?? Variable("AWS_DEFAULT_REGION");
        var config = new AmazonS3Config
        {
            MaxErrorRetry = options.MaxRetries,
            RetryMode = RequestRetryMode.Standard,
            Timeout = options.RequestTimeout,
            MaxConnectionsPerServer = options.MaxConnections,
        };
        if (options.WrapHttpHandler is { } wrap)
        {
            config.HttpClientFactory = new WrappingHttpClientFactory(wrap);
        }

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
        _conditional = (options.ConditionalWrites ?? !UsesCustomEndpoint)
            ? StoreCapabilities.ConditionalCreate | StoreCapabilities.ConditionalUpdate | StoreCapabilities.ConditionalDelete | StoreCapabilities.ServerSideCopy
            : StoreCapabilities.None;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public StoreCapabilities Capabilities => StoreCapabilities.Writable | StoreCapabilities.Listable | StoreCapabilities.ByteRanges | StoreCapabilities.RemoteRequests | _conditional;

    private bool UsesCustomEndpoint { get; }

    /// <summary>Opens <c>s3://</c> URLs with this store in <see cref="ZarrStore.Open(string, ZarrStoreOptions?)"/>, <see cref="ZarrStore.OpenExisting"/> and the CLI.</summary>
    public static void Register() => StoreLocations.Register("s3", url => new S3Store(url));

    /// <inheritdoc/>
    public IMemoryOwner<byte>? GetPooled(string key) => Wait(GetPooledAsync(key));

    /// <inheritdoc/>
    public ValueTask<IMemoryOwner<byte>?> GetPooledAsync(string key, CancellationToken cancellationToken = default) =>
        new(ReadValue(key, null, cancellationToken));

    /// <inheritdoc/>
    public IMemoryOwner<byte>? GetRangePooled(string key, Stores.ByteRange range) => Wait(GetRangePooledAsync(key, range));

    /// <inheritdoc/>
    public ValueTask<IMemoryOwner<byte>?> GetRangePooledAsync(string key, Stores.ByteRange range, CancellationToken cancellationToken = default) =>
        new(ReadValue(key, range, cancellationToken));

    /// <inheritdoc/>
    public long? GetSize(string key) => Wait(GetSizeAsync(key));

    /// <inheritdoc/>
    public ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default) => new(Size(key, cancellationToken));

    /// <inheritdoc/>
    public void Set(string key, ReadOnlySpan<byte> value) => Wait(SetAsync(key, value.ToArray()));

    /// <inheritdoc/>
    /// <remarks>
    /// A value of at least <see cref="S3StoreOptions.MultipartThreshold"/> bytes is uploaded in parts, in parallel, and
    /// appears whole when the upload completes; a failed or cancelled upload is aborted and leaves the key as it was.
    /// </remarks>
    public async ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        await Put(key, value, null, null, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public bool Delete(string key) => Wait(DeleteAsync(key));

    /// <inheritdoc/>
    public async ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        // S3 does not say whether the object existed: ask first (a concurrent writer may race this answer).
        bool existed = await Size(key, cancellationToken).ConfigureAwait(false) is not null;
        await Call(key, () => _client.DeleteObjectAsync(_bucket, ObjectKey(key), cancellationToken), cancellationToken).ConfigureAwait(false);
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
        var response = await Call(prefix, () => _client.ListObjectsV2Async(request, cancellationToken), cancellationToken).ConfigureAwait(false);
        var keys = (response.S3Objects ?? []).Select(o => o.Key[_prefix.Length..]).Where(k => k.Length > 0).ToList();
        return new StoreListPage(keys, response.IsTruncated == true ? response.NextContinuationToken : null);
    }

    /// <inheritdoc/>
    public void Dispose() => _client.Dispose();

    /// <summary>
    /// Writes a value, in parts when large, with optional <c>If-None-Match</c>/<c>If-Match</c>; returns its new ETag, or
    /// null when the condition failed (nothing written).
    /// </summary>
    private async Task<string?> Put(string key, ReadOnlyMemory<byte> value, string? ifNoneMatch, string? ifMatch, CancellationToken cancellationToken)
    {
        string objectKey = ObjectKey(key);
        bool conditional = ifNoneMatch is not null || ifMatch is not null;
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                if (value.Length >= _multipartThreshold)
                {
                    return await PutInParts(key, objectKey, value, ifNoneMatch, ifMatch, cancellationToken).ConfigureAwait(false);
                }

                var request = new PutObjectRequest
                {
                    BucketName = _bucket,
                    Key = objectKey,
                    InputStream = new ReadOnlyMemoryStream(value),
                    UseChunkEncoding = !UsesCustomEndpoint,
                    AutoCloseStream = true,
                    IfNoneMatch = ifNoneMatch,
                    IfMatch = ifMatch,
                };
                return (await _client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false)).ETag;
            }
            catch (AmazonS3Exception ex) when (conditional && (ex.StatusCode == HttpStatusCode.PreconditionFailed || (ifMatch is not null && ex.ErrorCode == "NoSuchKey")))
            {
                // 412: the key exists (If-None-Match) or has another version (If-Match); 404 NoSuchKey: it is gone.
                return null;
            }
            catch (AmazonS3Exception ex) when (conditional && ex.StatusCode == HttpStatusCode.Conflict && attempt < _maxRetries)
            {
                // 409 ConditionalRequestConflict: another conditional write to the key is under way; S3 asks to retry
                // (the SDK does not), and the retry then wins or sees 412.
                await ConflictDelay(attempt, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsFailure(ex, cancellationToken))
            {
                throw Unavailable(key, ex);
            }
        }
    }

    // The wait before retrying a request S3 answered with 409 ConditionalRequestConflict.
    private static Task ConflictDelay(int attempt, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(50 * (attempt + 1) * (0.5 + Random.Shared.NextDouble())), cancellationToken);

    private async Task<string?> PutInParts(string key, string objectKey, ReadOnlyMemory<byte> value, string? ifNoneMatch, string? ifMatch, CancellationToken cancellationToken)
    {
        // Parts slice the caller's memory (no copy); S3 allows at most 10,000 parts, so a huge value gets bigger parts.
        int partSize = Math.Max(_partSize, (int)((value.Length + (long)MaxParts - 1) / MaxParts));
        int parts = (int)((value.Length + (long)partSize - 1) / partSize);
        var initiate = new InitiateMultipartUploadRequest { BucketName = _bucket, Key = objectKey };
        string uploadId = (await Call(key, () => _client.InitiateMultipartUploadAsync(initiate, cancellationToken), cancellationToken).ConfigureAwait(false)).UploadId;
        try
        {
            var etags = new PartETag[parts];
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = _maxConcurrentParts, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(Enumerable.Range(0, parts), parallel, async (i, token) =>
            {
                int offset = i * partSize;
                var request = new UploadPartRequest
                {
                    BucketName = _bucket,
                    Key = objectKey,
                    UploadId = uploadId,
                    PartNumber = i + 1,
                    InputStream = new ReadOnlyMemoryStream(value.Slice(offset, Math.Min(partSize, value.Length - offset))),
                    IsLastPart = i == parts - 1,
                    UseChunkEncoding = !UsesCustomEndpoint,
                };
                var response = await Call(key, () => _client.UploadPartAsync(request, token), token).ConfigureAwait(false);
                etags[i] = new PartETag(i + 1, response.ETag);
            }).ConfigureAwait(false);

            // The object appears, whole, only now; conditions are checked here (errors go to Put, after the abort).
            var complete = new CompleteMultipartUploadRequest
            {
                BucketName = _bucket,
                Key = objectKey,
                UploadId = uploadId,
                PartETags = [.. etags],
                IfNoneMatch = ifNoneMatch,
                IfMatch = ifMatch,
            };
            return (await _client.CompleteMultipartUploadAsync(complete, cancellationToken).ConfigureAwait(false)).ETag;
        }
        catch
        {
            await Abort(objectKey, uploadId).ConfigureAwait(false);
            throw;
        }
    }

    private async Task Abort(string objectKey, string uploadId)
    {
        // Best effort, and not cancellable: an upload left behind costs storage until a lifecycle rule removes it, but
        // is never visible as an object. The error that made us abort is the one the caller sees.
        try
        {
            await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _bucket, Key = objectKey, UploadId = uploadId }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsFailure(ex, CancellationToken.None))
        {
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static string? Variable(string name) => NonEmpty(Environment.GetEnvironmentVariable(name));

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
        StoreKeys.ValidateObjectKey(key);
        return _prefix + key;
    }

    private async Task<long?> Size(string key, CancellationToken cancellationToken) =>
        (await Head(key, cancellationToken).ConfigureAwait(false))?.ContentLength;

    /// <summary>An object's metadata by one HeadObject, or null when it does not exist.</summary>
    private async Task<GetObjectMetadataResponse?> Head(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = ObjectKey(key) }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode is not "NoSuchBucket")
        {
            return null;
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            throw Unavailable(key, ex);
        }
    }

    private async Task<IMemoryOwner<byte>?> ReadValue(string key, Stores.ByteRange? range, CancellationToken cancellationToken) =>
        (await Read(key, range, cancellationToken).ConfigureAwait(false))?.Value;

    private async Task<(IMemoryOwner<byte> Value, string? ETag)?> Read(string key, Stores.ByteRange? range, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return await ReadOnce(key, range, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                // The body ended early or stalled (a dropped connection, or a server replacing the object under the
                // read) after the SDK handed it over: the SDK retries failed requests, not failed reads of a body, so
                // ask again here, as often as the SDK would retry a request.
                if (attempt >= _maxRetries)
                {
                    throw Unavailable(key, ex);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50 * (attempt + 1) * (0.5 + Random.Shared.NextDouble())), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private Task<(IMemoryOwner<byte> Value, string? ETag)?> ReadOnce(string key, Stores.ByteRange? range, CancellationToken cancellationToken) =>
        range is null ? ReadWhole(key, cancellationToken) : ReadSingle(key, range, cancellationToken);

    /// <summary>
    /// A whole object: its first <see cref="S3StoreOptions.ReadPartSize"/> bytes by a ranged GET that also tells the
    /// object's length and ETag, then (for a bigger object) the other parts by ranged GETs in parallel, each only while
    /// the ETag still matches (a replaced object is read again, never torn). Each part lands in its slice of the result.
    /// </summary>
    private async Task<(IMemoryOwner<byte> Value, string? ETag)?> ReadWhole(string key, CancellationToken cancellationToken)
    {
        var request = new GetObjectRequest { BucketName = _bucket, Key = ObjectKey(key), ByteRange = new Amazon.S3.Model.ByteRange(0, _readPartSize - 1) };
        GetObjectResponse response;
        try
        {
            response = await _client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode is not "NoSuchBucket")
        {
            return null;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // An empty object has no byte 0 to ask for.
            return await ReadSingle(key, null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            throw Unavailable(key, ex);
        }

        using (response)
        {
            // "bytes 0-8388607/123456789"; a server that ignores Range sends the whole object (200, no Content-Range).
            string? contentRange = response.ContentRange;
            long total = contentRange is not null && long.TryParse(contentRange.AsSpan(contentRange.LastIndexOf('/') + 1), System.Globalization.CultureInfo.InvariantCulture, out long t)
                ? t
                : response.ContentLength;
            int first = (int)Math.Min(response.ContentLength, total);
            var owner = Allocate(key, total);
            try
            {
                await ReadBody(key, response.ResponseStream, owner.Memory[..first], cancellationToken).ConfigureAwait(false);
                if (first < total)
                {
                    await ReadParts(key, response.ETag, owner.Memory[first..], first, cancellationToken).ConfigureAwait(false);
                }

                return (owner, response.ETag);
            }
            catch
            {
                owner.Dispose();
                throw;
            }
        }
    }

    /// <summary>Reads the object from <paramref name="offset"/> into <paramref name="into"/>, in parallel parts, while its ETag matches.</summary>
    private async Task ReadParts(string key, string etag, Memory<byte> into, long offset, CancellationToken cancellationToken)
    {
        int parts = (int)((into.Length + (long)_readPartSize - 1) / _readPartSize);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _maxConcurrentParts, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, parts), parallel, async (i, token) =>
        {
            int start = i * _readPartSize;
            var slice = into.Slice(start, Math.Min(_readPartSize, into.Length - start));
            var request = new GetObjectRequest
            {
                BucketName = _bucket,
                Key = ObjectKey(key),
                ByteRange = new Amazon.S3.Model.ByteRange(offset + start, offset + start + slice.Length - 1),
                EtagToMatch = etag,
            };
            GetObjectResponse response;
            try
            {
                response = await _client.GetObjectAsync(request, token).ConfigureAwait(false);
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound or HttpStatusCode.RequestedRangeNotSatisfiable && ex.ErrorCode is not "NoSuchBucket")
            {
                // Replaced or deleted while we read it: an IOException makes Read start over (or fail after its retries).
                throw new IOException($"'{key}' changed while it was read in parts ({(int)ex.StatusCode} {ex.ErrorCode})", ex);
            }
            catch (Exception ex) when (IsFailure(ex, token))
            {
                throw Unavailable(key, ex);
            }

            using (response)
            {
                if (response.ContentLength != slice.Length)
                {
                    throw new IOException($"asked for {slice.Length} bytes of '{key}' at {offset + start}, got {response.ContentLength}");
                }

                await ReadBody(key, response.ResponseStream, slice, token).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
    }

    private IMemoryOwner<byte> Allocate(string key, long length) =>
        length > Array.MaxLength
            ? throw new StoreUnavailableException(Name + "/" + key, $"object '{key}' in '{Name}' is {length} bytes, more than one value can hold")
            : StoreHelpers.Rent((int)length);

    /// <summary>Fills <paramref name="into"/> from a response body, bounding each wait for more by the request timeout.</summary>
    private async Task ReadBody(string key, Stream body, Memory<byte> into, CancellationToken cancellationToken)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        int total = 0;
        while (total < into.Length)
        {
            // The SDK's timeout ends when the response starts: bound each wait for more of the body too.
            idle.CancelAfter(_requestTimeout);
            int read;
            try
            {
                read = await body.ReadAsync(into[total..], idle.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"no data for {_requestTimeout.TotalSeconds:0.###} s while reading '{key}' after {total} of {into.Length} bytes", ex);
            }

            if (read == 0)
            {
                throw new StoreUnavailableException(Name + "/" + key, $"reading '{key}' from '{Name}' ended after {total} of {into.Length} bytes");
            }

            total += read;
        }
    }

    /// <summary>A range, or a whole object, by one GET.</summary>
    private async Task<(IMemoryOwner<byte> Value, string? ETag)?> ReadSingle(string key, Stores.ByteRange? range, CancellationToken cancellationToken, bool sizeFirst = false)
    {
        var request = new GetObjectRequest { BucketName = _bucket, Key = ObjectKey(key) };
        if (range is { IsSuffix: false, Length: > 0 } direct && !sizeFirst)
        {
            // offset + length: one GET (S3 clamps the end); a start at or past the end answers 416, resolved below.
            request.ByteRange = new Amazon.S3.Model.ByteRange(direct.Offset, direct.Offset + direct.Length.Value - 1);
        }
        else if (range is { } r)
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
                return (StoreHelpers.Rent(0), null);
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
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && range is not null && !sizeFirst)
        {
            // The range starts at or past the end (or the object is empty): the size says which (empty, or refused).
            return await ReadSingle(key, range, cancellationToken, sizeFirst: true).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            throw Unavailable(key, ex);
        }

        using (response)
        {
            var owner = Allocate(key, response.ContentLength);
            try
            {
                await ReadBody(key, response.ResponseStream, owner.Memory, cancellationToken).ConfigureAwait(false);
                return (owner, response.ETag);
            }
            catch
            {
                owner.Dispose();
                throw;
            }
        }
    }

    private async Task<T> Call<T>(string key, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            throw Unavailable(key, ex);
        }
    }

    // What a request that failed for good looks like once the SDK has stopped retrying: a service error, a network
    // error, or the SDK's timeout (a TimeoutException, or a cancellation that is not the caller's).
    private static bool IsFailure(Exception ex, CancellationToken cancellationToken) =>
        ex is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or TimeoutException
        || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private StoreUnavailableException Unavailable(string key, Exception ex)
    {
        string what = ex switch
        {
            AmazonS3Exception { ErrorCode: "NoSuchBucket" } => $"bucket '{_bucket}' does not exist",
            AmazonS3Exception { StatusCode: HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized } s => $"access was refused ({s.ErrorCode}): check the credentials",
            AmazonServiceException s => $"{(int)s.StatusCode} {s.ErrorCode}: {s.Message}",
            TimeoutException or OperationCanceledException => $"timed out ({_requestTimeout.TotalSeconds:0.###} s per request, after retries): {ex.Message}",
            _ => ex.Message,
        };
        return new StoreUnavailableException(Name, $"S3 store '{Name}' failed on '{key}': {what}", ex);
    }
}
