using System.Buffers;
using System.Net;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage.Azure;

/// <summary>
/// A Zarr store in an Azure Blob Storage container, rooted at <c>az://container/prefix</c>: key <c>x/c/0/1</c> is the
/// blob <c>prefix/x/c/0/1</c>. Reads whole blobs and byte ranges, lists by prefix in pages, writes each blob whole
/// (overwriting; a large value as blocks staged in parallel and committed at once). The account is given by a
/// connection string (<see cref="AzureBlobStoreOptions.ConnectionString"/> or <c>AZURE_STORAGE_CONNECTION_STRING</c>)
/// or by an account URL (<see cref="AzureBlobStoreOptions.AccountUrl"/> or <c>AZURE_STORAGE_ACCOUNT_NAME</c>) signed
/// into with an Azure.Identity credential (<c>DefaultAzureCredential</c> unless
/// <see cref="AzureBlobStoreOptions.Credential"/> is given). Throttling, 5xx, dropped connections and timeouts are
/// retried by the SDK with exponential backoff, and a download cut short is resumed by the SDK; a missing container,
/// refused or failing credentials or an unreachable endpoint is a <see cref="StoreUnavailableException"/> naming the
/// URL. Conditional writes (<see cref="StoreCapabilities.ConditionalCreate"/> with <c>If-None-Match: *</c>,
/// <see cref="StoreCapabilities.ConditionalUpdate"/> with the blob's ETag and <c>If-Match</c>) are atomic against every
/// other writer, which is what a commit record needs; so are <see cref="StoreCapabilities.ConditionalDelete"/> (Delete
/// Blob with <c>If-Match</c>) and <see cref="CopyIfAbsent"/> (Copy Blob with <c>x-ms-source-if-match</c> and
/// <c>If-None-Match: *</c>, done by the service when signed in with a connection string). Call <see cref="Register"/>
/// once to open <c>az://</c> URLs everywhere.
/// </summary>
public sealed partial class AzureBlobStore : IStore, IDisposable
{
    private readonly BlobContainerClient _container;
    private readonly string _containerName;
    private readonly string _prefix;
    private readonly HttpClientTransport? _transport;
    private readonly StorageTransferOptions _transfer;
    private readonly int _maxRetries;
    private readonly int _readPartSize;
    private readonly int _maxConcurrentBlocks;

    /// <summary>Opens the store at <paramref name="url"/> (<c>az://container</c> or <c>az://container/prefix</c>).</summary>
    /// <exception cref="ArgumentException">The URL is not an az:// URL with a container.</exception>
    /// <exception cref="StoreUnavailableException">No account is given or set (a connection string or an account URL), or it cannot be used.</exception>
    public AzureBlobStore(string url, AzureBlobStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.StartsWith("az://", StringComparison.OrdinalIgnoreCase) || url.Trim('/').Length <= 5)
        {
            throw new ArgumentException($"'{url}' is not an az://container/prefix URL", nameof(url));
        }

        string rest = url[5..].Trim('/');
        int slash = rest.IndexOf('/', StringComparison.Ordinal);
        _containerName = slash < 0 ? rest : rest[..slash];
        _prefix = slash < 0 ? string.Empty : rest[(slash + 1)..] + "/";
        Name = "az://" + _containerName + (_prefix.Length > 0 ? "/" + _prefix.TrimEnd('/') : string.Empty);
        options ??= new AzureBlobStoreOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BlockUploadThreshold, nameof(options.BlockUploadThreshold));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BlockSize, nameof(options.BlockSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxConcurrentBlocks, nameof(options.MaxConcurrentBlocks));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.ReadPartSize, nameof(options.ReadPartSize));
        _maxRetries = options.MaxRetries;
        _readPartSize = options.ReadPartSize;
        _maxConcurrentBlocks = options.MaxConcurrentBlocks;
        _transfer = new StorageTransferOptions
        {
            InitialTransferSize = options.BlockUploadThreshold, // measured: the SDK puts values shorter than this in one request
            MaximumTransferSize = options.BlockSize,
            MaximumConcurrency = options.MaxConcurrentBlocks,
        };

        // Options in code override the environment; at each level a connection string wins over an account URL.
        string? connection = NonEmpty(options.ConnectionString);
        string? accountUrl = connection is null ? NonEmpty(options.AccountUrl) : null;
        if (connection is null && accountUrl is null)
        {
            connection = NonEmpty(Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING"));
            accountUrl = connection is null && NonEmpty(Environment.GetEnvironmentVariable("AZURE_STORAGE_ACCOUNT_NAME")) is { } account
                ? $"https://{account}.blob.core.windows.net"
                : null;
        }

        if (connection is null && accountUrl is null)
        {
            throw new StoreUnavailableException(Name, $"Azure store '{Name}' has no account: set AZURE_STORAGE_CONNECTION_STRING (a connection string) or AZURE_STORAGE_ACCOUNT_NAME (signing in with Azure.Identity), or give AzureBlobStoreOptions.ConnectionString or AccountUrl");
        }

        var clientOptions = new BlobClientOptions();
        clientOptions.Retry.MaxRetries = options.MaxRetries;
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Retry.NetworkTimeout = options.RequestTimeout;
        if (options.WrapHttpHandler is { } wrap)
        {
            var handler = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false, AutomaticDecompression = DecompressionMethods.None };
            _transport = new HttpClientTransport(new HttpClient(wrap(handler), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan });
            clientOptions.Transport = _transport;
        }

        // Copy Blob reads its source with the request's own authorization only under a shared key or a SAS (which the
        // source URL then carries), both given by a connection string; a token credential would need the source
        // authorized separately, so those stores copy through a read and a conditional write instead.
        ServerSideCopy = connection is not null;
        try
        {
            _container = (connection is not null ? new BlobServiceClient(connection, clientOptions) : ByAccountUrl(accountUrl!, options.Credential, clientOptions))
                .GetBlobContainerClient(_containerName);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            string what = connection is not null ? "the connection string" : $"the account URL '{accountUrl}'";
            throw new StoreUnavailableException(Name, $"Azure store '{Name}': {what} cannot be used ({ex.Message})", ex);
        }
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    /// <remarks>
    /// <see cref="StoreCapabilities.ServerSideCopy"/> only when signed in with a connection string (a shared key or a
    /// SAS): Copy Blob then reads its source under the same authorization. With a token credential
    /// <see cref="CopyIfAbsent"/> reads the value and writes it with <c>If-None-Match: *</c>.
    /// </remarks>
    public StoreCapabilities Capabilities =>
        StoreCapabilities.Writable | StoreCapabilities.Listable | StoreCapabilities.ByteRanges | StoreCapabilities.RemoteRequests
        | StoreCapabilities.ConditionalCreate | StoreCapabilities.ConditionalUpdate | StoreCapabilities.ConditionalDelete
        | (ServerSideCopy ? StoreCapabilities.ServerSideCopy : StoreCapabilities.None);

    /// <summary>Whether <see cref="CopyIfAbsent"/> uses Copy Blob (set in the constructor; tests turn it off to run the other path).</summary>
    internal bool ServerSideCopy { get; set; }

    /// <summary>Opens <c>az://</c> URLs with this store in <see cref="ZarrStore.Open(string, ZarrStoreOptions?)"/>, <see cref="ZarrStore.OpenExisting"/> and the CLI.</summary>
    public static void Register() => StoreLocations.Register("az", url => new AzureBlobStore(url));

    /// <inheritdoc/>
    public IMemoryOwner<byte>? GetPooled(string key) => Wait(GetPooledAsync(key));

    /// <inheritdoc/>
    public ValueTask<IMemoryOwner<byte>?> GetPooledAsync(string key, CancellationToken cancellationToken = default) =>
        new(Read(key, null, cancellationToken));

    /// <inheritdoc/>
    public IMemoryOwner<byte>? GetRangePooled(string key, ByteRange range) => Wait(GetRangePooledAsync(key, range));

    /// <inheritdoc/>
    public ValueTask<IMemoryOwner<byte>?> GetRangePooledAsync(string key, ByteRange range, CancellationToken cancellationToken = default) =>
        new(Read(key, range, cancellationToken));

    /// <inheritdoc/>
    public long? GetSize(string key) => Wait(GetSizeAsync(key));

    /// <inheritdoc/>
    public ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default) => new(Size(key, cancellationToken));

    /// <inheritdoc/>
    public void Set(string key, ReadOnlySpan<byte> value) => Wait(SetAsync(key, value.ToArray()));

    /// <inheritdoc/>
    /// <remarks>
    /// A value of at least <see cref="AzureBlobStoreOptions.BlockUploadThreshold"/> bytes is staged as blocks in
    /// parallel and committed at once; a failed upload commits nothing.
    /// </remarks>
    public async ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) =>
        await Upload(key, value, null, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public bool Delete(string key) => Wait(DeleteAsync(key));

    /// <inheritdoc/>
    public async ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(BlobName(key));
        var response = await Call(key, () => blob.DeleteIfExistsAsync(cancellationToken: cancellationToken), cancellationToken).ConfigureAwait(false);
        return response.Value;
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
        try
        {
            await foreach (var page in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, _prefix + prefix, cancellationToken)
                .AsPages(string.IsNullOrEmpty(continuationToken) ? null : continuationToken, maxKeys).ConfigureAwait(false))
            {
                var keys = page.Values.Select(b => b.Name[_prefix.Length..]).Where(k => k.Length > 0).ToList();
                return new StoreListPage(keys, string.IsNullOrEmpty(page.ContinuationToken) ? null : page.ContinuationToken);
            }
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            throw Unavailable(prefix, ex);
        }

        return new StoreListPage([], null);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        // The SDK's clients hold no disposable state of their own; the shared HTTP pipeline is not ours to dispose.
        _transport?.Dispose();
    }

    private static T Wait<T>(ValueTask<T> task) => task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult();

    private static void Wait(ValueTask task)
    {
        if (!task.IsCompletedSuccessfully)
        {
            task.AsTask().GetAwaiter().GetResult();
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static BlobServiceClient ByAccountUrl(string accountUrl, TokenCredential? credential, BlobClientOptions clientOptions)
    {
        var uri = new Uri(accountUrl, UriKind.Absolute);
        if (uri.Scheme != Uri.UriSchemeHttps)
        {
            // Azure.Core refuses bearer tokens over plain HTTP on every request; say so once, here.
            throw new ArgumentException("signing in with a token credential needs an https:// account URL");
        }

        return new BlobServiceClient(uri, new GuardedCredential(credential ?? new DefaultAzureCredential()), clientOptions);
    }

    private static bool IsFailure(Exception ex, CancellationToken cancellationToken) =>
        ex is RequestFailedException or AggregateException or HttpRequestException or IOException or AuthenticationFailedException
        || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private static bool IsMissingBlob(RequestFailedException ex) =>
        ex.Status == (int)HttpStatusCode.NotFound && ex.ErrorCode is not "ContainerNotFound";

    private string BlobName(string key)
    {
        StoreKeys.ValidateObjectKey(key);
        return _prefix + key;
    }

    /// <summary>Uploads a value (in staged blocks when large); returns its new ETag, or null when a condition failed.</summary>
    private async Task<string?> Upload(string key, ReadOnlyMemory<byte> value, BlobRequestConditions? conditions, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlobClient(BlobName(key));

        // BinaryData wraps the caller's memory (no copy); the SDK slices blocks from it.
        var upload = new BlobUploadOptions { TransferOptions = _transfer, Conditions = conditions };
        try
        {
            var response = await blob.UploadAsync(new BinaryData(value), upload, cancellationToken).ConfigureAwait(false);
            return response.Value.ETag.ToString();
        }
        catch (RequestFailedException ex) when (conditions is not null && (ex.Status is 409 or 412 || IsMissingBlob(ex)))
        {
            // 409 BlobAlreadyExists / 412 ConditionNotMet: another writer got there first, or (If-Match) the blob is
            // gone or changed.
            return null;
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            throw Unavailable(key, ex);
        }
    }

    private async Task<long?> Size(string key, CancellationToken cancellationToken) =>
        (await Properties(key, cancellationToken).ConfigureAwait(false))?.ContentLength;

    /// <summary>A blob's properties by one Get Blob Properties (<c>HEAD</c>), or null when it does not exist.</summary>
    private async Task<BlobProperties?> Properties(string key, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlobClient(BlobName(key));
        try
        {
            return (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (IsMissingBlob(ex))
        {
            return null;
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            throw Unavailable(key, ex);
        }
    }

    private async Task<IMemoryOwner<byte>?> Read(string key, ByteRange? range, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return await ReadOnce(key, range, cancellationToken).ConfigureAwait(false);
            }
            catch (StoreUnavailableException ex) when (range is not null && ex.InnerException is RequestFailedException { Status: 416 } && attempt < 4)
            {
                // The blob was replaced by a shorter one between asking its size and reading the range: ask again.
                await Task.Delay(TimeSpan.FromMilliseconds(20 * (attempt + 1) * (0.5 + Random.Shared.NextDouble())), cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex) when (!cancellationToken.IsCancellationRequested)
            {
                // Replaced while read in parts: start over, as often as the SDK would retry a request.
                if (attempt >= _maxRetries)
                {
                    throw Unavailable(key, ex);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(20 * (attempt + 1) * (0.5 + Random.Shared.NextDouble())), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private Task<IMemoryOwner<byte>?> ReadOnce(string key, ByteRange? range, CancellationToken cancellationToken) =>
        range is null ? ReadWhole(key, cancellationToken) : ReadSingle(key, range, cancellationToken);

    /// <summary>
    /// A whole blob: its first <see cref="AzureBlobStoreOptions.ReadPartSize"/> bytes by a ranged GET that also tells
    /// the blob's length and ETag, then (for a bigger blob) the other parts by ranged GETs in parallel, each only while
    /// the ETag still matches (a replaced blob is read again, never torn). Each part lands in its slice of the result.
    /// </summary>
    private async Task<IMemoryOwner<byte>?> ReadWhole(string key, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlobClient(BlobName(key));
        BlobDownloadStreamingResult result;
        try
        {
            result = (await blob.DownloadStreamingAsync(new BlobDownloadOptions { Range = new HttpRange(0, _readPartSize) }, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (IsMissingBlob(ex))
        {
            return null;
        }
        catch (RequestFailedException ex) when (ex.Status == 416)
        {
            // An empty blob has no byte 0 to ask for.
            return await ReadSingle(key, null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            throw Unavailable(key, ex);
        }

        using (result)
        {
            // "bytes 0-8388607/123456789"; without Content-Range the response is the whole blob.
            string? contentRange = result.Details.ContentRange;
            long total = contentRange is not null && long.TryParse(contentRange.AsSpan(contentRange.LastIndexOf('/') + 1), System.Globalization.CultureInfo.InvariantCulture, out long t)
                ? t
                : result.Details.ContentLength;
            int first = (int)Math.Min(result.Details.ContentLength, total);
            var owner = Allocate(key, total);
            try
            {
                await ReadBody(key, result.Content, owner.Memory[..first], cancellationToken).ConfigureAwait(false);
                if (first < total)
                {
                    await ReadParts(key, result.Details.ETag, owner.Memory[first..], first, cancellationToken).ConfigureAwait(false);
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

    /// <summary>Reads the blob from <paramref name="offset"/> into <paramref name="into"/>, in parallel parts, while its ETag matches.</summary>
    private async Task ReadParts(string key, ETag etag, Memory<byte> into, long offset, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlobClient(BlobName(key));
        int parts = (int)((into.Length + (long)_readPartSize - 1) / _readPartSize);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _maxConcurrentBlocks, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, parts), parallel, async (i, token) =>
        {
            int start = i * _readPartSize;
            var slice = into.Slice(start, Math.Min(_readPartSize, into.Length - start));
            var download = new BlobDownloadOptions { Range = new HttpRange(offset + start, slice.Length), Conditions = new BlobRequestConditions { IfMatch = etag } };
            BlobDownloadStreamingResult result;
            try
            {
                result = (await blob.DownloadStreamingAsync(download, token).ConfigureAwait(false)).Value;
            }
            catch (RequestFailedException ex) when (ex.Status is 412 or 416 || IsMissingBlob(ex))
            {
                // Replaced or deleted while we read it: an IOException makes Read start over (or fail after its retries).
                throw new IOException($"'{key}' changed while it was read in parts ({ex.Status} {ex.ErrorCode})", ex);
            }
            catch (Exception ex) when (IsFailure(ex, token))
            {
                throw Unavailable(key, ex);
            }

            using (result)
            {
                if (result.Details.ContentLength != slice.Length)
                {
                    throw new IOException($"asked for {slice.Length} bytes of '{key}' at {offset + start}, got {result.Details.ContentLength}");
                }

                await ReadBody(key, result.Content, slice, token).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
    }

    /// <summary>A range, or a whole blob, by one GET.</summary>
    private async Task<IMemoryOwner<byte>?> ReadSingle(string key, ByteRange? range, CancellationToken cancellationToken, bool sizeFirst = false)
    {
        var blob = _container.GetBlobClient(BlobName(key));
        var download = new BlobDownloadOptions();
        if (range is { IsSuffix: false, Length: > 0 } direct && !sizeFirst)
        {
            // offset + length: one GET (the end is clamped); a start at or past the end answers 416, resolved below.
            download.Range = new HttpRange(direct.Offset, direct.Length.Value);
        }
        else if (range is { } r)
        {
            // Ask for an explicit range of a known length: zero-length ranges cannot be asked for and a start past the
            // end must name the length.
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

            download.Range = new HttpRange(offset, length);
        }

        BlobDownloadStreamingResult result;
        try
        {
            result = (await blob.DownloadStreamingAsync(download, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException ex) when (IsMissingBlob(ex))
        {
            return null;
        }
        catch (RequestFailedException ex) when (ex.Status == 416 && range is not null && !sizeFirst)
        {
            // The range starts at or past the end (or the blob is empty): the size says which (empty, or refused).
            return await ReadSingle(key, range, cancellationToken, sizeFirst: true).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            throw Unavailable(key, ex);
        }

        using (result)
        {
            var owner = Allocate(key, result.Details.ContentLength);
            try
            {
                await ReadBody(key, result.Content, owner.Memory, cancellationToken).ConfigureAwait(false);
                return owner;
            }
            catch
            {
                owner.Dispose();
                throw;
            }
        }
    }

    private IMemoryOwner<byte> Allocate(string key, long length) =>
        length > Array.MaxLength
            ? throw new StoreUnavailableException(Name + "/" + key, $"blob '{key}' in '{Name}' is {length} bytes, more than one value can hold")
            : StoreHelpers.Rent((int)length);

    /// <summary>Fills <paramref name="into"/> from a download's body.</summary>
    private async Task ReadBody(string key, Stream body, Memory<byte> into, CancellationToken cancellationToken)
    {
        try
        {
            int total = 0;
            while (total < into.Length)
            {
                int read = await body.ReadAsync(into[total..], cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new StoreUnavailableException(Name + "/" + key, $"reading '{key}' from '{Name}' ended after {total} of {into.Length} bytes");
                }

                total += read;
            }
        }
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            // The SDK's download stream already resumed a body cut short or stalled, as often as it retries requests.
            throw Unavailable(key, ex);
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

    private StoreUnavailableException Unavailable(string key, Exception ex)
    {
        var failed = ex as RequestFailedException ?? (ex as AggregateException)?.InnerExceptions.OfType<RequestFailedException>().LastOrDefault();
        string what = failed switch
        {
            { ErrorCode: "ContainerNotFound" } => $"container '{_containerName}' does not exist",
            { Status: 401 or 403 } => $"access was refused ({failed.ErrorCode}): check the connection string or credential and its role on the account",
            { Status: > 0 } => $"{failed.Status} {failed.ErrorCode}: {FirstLine(failed.Message)}",
            _ when ex is AuthenticationFailedException => $"signing in failed: {FirstLine(ex.Message)}",
            _ => FirstLine(ex.Message),
        };
        return new StoreUnavailableException(Name, $"Azure store '{Name}' failed on '{key}': {what}", ex);
    }

    private static string FirstLine(string message)
    {
        int end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
