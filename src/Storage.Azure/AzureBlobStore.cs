using System.Buffers;
using System.Net;
using Azure;
using Azure.Core;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Storage.Azure;

/// <summary>
/// A Zarr store in an Azure Blob Storage container, rooted at <c>az://container/prefix</c>: key <c>x/c/0/1</c> is the
/// blob <c>prefix/x/c/0/1</c>. Reads whole blobs and byte ranges, lists by prefix in pages, writes each blob whole
/// (overwriting). The account is given by a connection string (<see cref="AzureBlobStoreOptions.ConnectionString"/> or
/// <c>AZURE_STORAGE_CONNECTION_STRING</c>); an account URL with Azure.Identity credentials is not supported yet.
/// Throttling, 5xx and timeouts are retried by the SDK with exponential backoff; a missing container, refused
/// credentials or an unreachable endpoint is a <see cref="StoreUnavailableException"/> naming the URL. Not
/// transactional: each blob is written whole and readers see old or new blobs (conditional writes are the next step).
/// Call <see cref="Register"/> once to open <c>az://</c> URLs everywhere.
/// </summary>
public sealed class AzureBlobStore : IStore, IDisposable
{
    private readonly BlobContainerClient _container;
    private readonly string _containerName;
    private readonly string _prefix;

    /// <summary>Opens the store at <paramref name="url"/> (<c>az://container</c> or <c>az://container/prefix</c>).</summary>
    /// <exception cref="ArgumentException">The URL is not an az:// URL with a container.</exception>
    /// <exception cref="StoreUnavailableException">No connection string is given or set, or it cannot be used.</exception>
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

        string connection = NonEmpty(options.ConnectionString) ?? NonEmpty(Environment.GetEnvironmentVariable("AZURE_STORAGE_CONNECTION_STRING"))
            ?? throw new StoreUnavailableException(Name, $"Azure store '{Name}' has no account: set AZURE_STORAGE_CONNECTION_STRING or AzureBlobStoreOptions.ConnectionString");
        var clientOptions = new BlobClientOptions();
        clientOptions.Retry.MaxRetries = options.MaxRetries;
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Retry.NetworkTimeout = options.RequestTimeout;
        try
        {
            _container = new BlobServiceClient(connection, clientOptions).GetBlobContainerClient(_containerName);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new StoreUnavailableException(Name, $"Azure store '{Name}': the connection string cannot be used ({ex.Message})", ex);
        }
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public StoreCapabilities Capabilities => StoreCapabilities.Writable | StoreCapabilities.Listable | StoreCapabilities.ByteRanges | StoreCapabilities.RemoteRequests;

    /// <summary>Opens <c>az://</c> URLs with this store in <see cref="ZarrStore.Open"/>, <see cref="ZarrStore.OpenExisting"/> and the CLI.</summary>
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
    public async ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        var blob = _container.GetBlobClient(BlobName(key));
        await Call(key, () => blob.UploadAsync(new BinaryData(value.ToArray()), overwrite: true, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

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
        // The SDK's clients hold no disposable state of their own (the HTTP pipeline is shared).
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

    private static bool IsFailure(Exception ex, CancellationToken cancellationToken) =>
        ex is RequestFailedException or AggregateException or HttpRequestException or IOException
        || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private static bool IsMissingBlob(RequestFailedException ex) =>
        ex.Status == (int)HttpStatusCode.NotFound && ex.ErrorCode is not "ContainerNotFound";

    private string BlobName(string key)
    {
        StoreKeys.Validate(key);
        return _prefix + key;
    }

    private async Task<long?> Size(string key, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlobClient(BlobName(key));
        try
        {
            var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return properties.Value.ContentLength;
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
        }
    }

    private async Task<IMemoryOwner<byte>?> ReadOnce(string key, ByteRange? range, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlobClient(BlobName(key));
        var download = new BlobDownloadOptions();
        if (range is { } r)
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
        catch (Exception ex) when (IsFailure(ex, cancellationToken))
        {
            throw Unavailable(key, ex);
        }

        using (result)
        {
            long n = result.Details.ContentLength;
            if (n > Array.MaxLength)
            {
                throw new StoreUnavailableException(Name + "/" + key, $"blob '{key}' in '{Name}' is {n} bytes, more than one value can hold");
            }

            var owner = StoreHelpers.Rent((int)n);
            try
            {
                int total = 0;
                while (total < n)
                {
                    int read = await result.Content.ReadAsync(owner.Memory[total..], cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        throw new StoreUnavailableException(Name + "/" + key, $"reading '{key}' from '{Name}' ended after {total} of {n} bytes");
                    }

                    total += read;
                }

                return owner;
            }
            catch (Exception ex) when (ex is IOException or RequestFailedException)
            {
                owner.Dispose();
                throw Unavailable(key, ex);
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

    private StoreUnavailableException Unavailable(string key, Exception ex)
    {
        var failed = ex as RequestFailedException ?? (ex as AggregateException)?.InnerExceptions.OfType<RequestFailedException>().LastOrDefault();
        string what = failed switch
        {
            { ErrorCode: "ContainerNotFound" } => $"container '{_containerName}' does not exist",
            { Status: 401 or 403 } => $"access was refused ({failed.ErrorCode}): check the connection string",
            { Status: > 0 } => $"{failed.Status} {failed.ErrorCode}: {FirstLine(failed.Message)}",
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
