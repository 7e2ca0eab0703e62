using System.Buffers;
using System.Net;
using System.Net.Http.Headers;

namespace ChunkCompute.Storage.Stores;

/// <summary>
/// A read-only store over HTTP(S): a Zarr hierarchy published by any web server (<c>https://host/data.zarr</c>), key
/// <c>x/c/0/1</c> at <c>https://host/data.zarr/x/c/0/1</c>. Reads whole values (GET) and byte ranges (GET with
/// <c>Range</c>; a server that ignores it answers 200 and the range is cut from the whole value), sizes by HEAD; a
/// missing key (404) is null. HTTP has no listing, so <see cref="StoreCapabilities.Listable"/> is not stated: open arrays
/// by path, or a group through its consolidated metadata. Transient failures (connection errors, timeouts, 5xx, 429) are
/// retried with exponential backoff and jitter (<see cref="HttpStoreOptions"/>); what still fails, and 401/403, is a
/// <see cref="StoreUnavailableException"/> naming the URL. Thread-safe; many requests run in flight at once.
/// </summary>
public sealed class HttpStore : IStore, IDisposable
{
    private readonly HttpClient _client;
    private readonly bool _ownsHandler;
    private readonly HttpStoreOptions _options;
    private readonly Uri _root;

    /// <summary>Opens the store rooted at <paramref name="url"/> (http or https).</summary>
    /// <exception cref="ArgumentException">The URL is not an absolute http(s) URL.</exception>
    public HttpStore(string url, HttpStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"'{url}' is not an http:// or https:// URL", nameof(url));
        }

        _options = options ?? new HttpStoreOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(_options.MaxRetries, nameof(options));
        _root = new Uri(uri.AbsoluteUri.TrimEnd('/') + "/");
        Name = uri.AbsoluteUri.TrimEnd('/');
        var handler = _options.Handler ?? new SocketsHttpHandler
        {
            ConnectTimeout = _options.ConnectTimeout,
            MaxConnectionsPerServer = _options.MaxConnections,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        _ownsHandler = _options.Handler is null;
        _client = new HttpClient(handler, disposeHandler: _ownsHandler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public StoreCapabilities Capabilities => StoreCapabilities.ByteRanges | StoreCapabilities.RemoteRequests;

    /// <inheritdoc/>
    public IMemoryOwner<byte>? GetPooled(string key) => Read(key, null, CancellationToken.None, sync: true).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public ValueTask<IMemoryOwner<byte>?> GetPooledAsync(string key, CancellationToken cancellationToken = default) =>
        new(Read(key, null, cancellationToken, sync: false));

    /// <inheritdoc/>
    public ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken = default) => ToArray(GetPooledAsync(key, cancellationToken));

    /// <inheritdoc/>
    public IMemoryOwner<byte>? GetRangePooled(string key, ByteRange range) => Read(key, range, CancellationToken.None, sync: true).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public ValueTask<IMemoryOwner<byte>?> GetRangePooledAsync(string key, ByteRange range, CancellationToken cancellationToken = default) =>
        new(Read(key, range, cancellationToken, sync: false));

    /// <inheritdoc/>
    public long? GetSize(string key) => Size(key, CancellationToken.None, sync: true).GetAwaiter().GetResult();

    /// <inheritdoc/>
    public ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default) => new(Size(key, cancellationToken, sync: false));

    /// <inheritdoc/>
    public async ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        await Size(key, cancellationToken, sync: false).ConfigureAwait(false) is not null;

    /// <summary>Refused: an HTTP store is read-only.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public void Set(string key, ReadOnlySpan<byte> value) => throw ReadOnly(key);

    /// <summary>Refused: an HTTP store is read-only.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public bool Delete(string key) => throw ReadOnly(key);

    /// <summary>Refused: HTTP servers do not list keys (open arrays by path, or groups by consolidated metadata).</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public IEnumerable<string> List(string prefix) =>
        throw new NotSupportedException($"store '{Name}' is served over HTTP, which cannot list keys (prefix '{prefix}'): open arrays by path, or a group whose metadata is consolidated (zarr.consolidate_metadata)");

    /// <inheritdoc/>
    public void Dispose() => _client.Dispose();

    private NotSupportedException ReadOnly(string key) =>
        new($"cannot write '{key}' in store '{Name}': an HTTP store is read-only");

    private static async ValueTask<byte[]?> ToArray(ValueTask<IMemoryOwner<byte>?> pending)
    {
        using var owner = await pending.ConfigureAwait(false);
        return owner?.Memory.ToArray();
    }

    private Uri UrlOf(string key)
    {
        StoreKeys.ValidateObjectKey(key);
        return new Uri(_root, string.Join('/', key.Split('/').Select(Uri.EscapeDataString)));
    }

    private async Task<long?> Size(string key, CancellationToken cancellationToken, bool sync)
    {
        var url = UrlOf(key);
        using var response = await Send(() => new HttpRequestMessage(HttpMethod.Head, url), url, cancellationToken, sync).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        return response.Content.Headers.ContentLength
            ?? throw new StoreUnavailableException(url.AbsoluteUri, $"HEAD {url} gave no Content-Length: the server cannot say how long '{key}' is");
    }

    private async Task<IMemoryOwner<byte>?> Read(string key, ByteRange? range, CancellationToken cancellationToken, bool sync)
    {
        var url = UrlOf(key);
        if (range is { IsSuffix: false, Length: 0 } or { IsSuffix: true, Length: 0 })
        {
            // HTTP cannot ask for zero bytes: check the value exists and the range starts inside it.
            if (await Size(key, cancellationToken, sync).ConfigureAwait(false) is not { } size)
            {
                return null;
            }

            range.Value.Resolve(size, Name, key);
            return new ArrayPoolOwner(0);
        }

        using var response = await Send(() => Request(url, range), url, cancellationToken, sync).ConfigureAwait(false);
        switch (response.StatusCode)
        {
            case HttpStatusCode.NotFound:
                return null;
            case HttpStatusCode.RequestedRangeNotSatisfiable:
                {
                    // Past the end (or exactly at it, which S3's rules make an empty range): say how long the value is.
                    long size = await Size(key, cancellationToken, sync).ConfigureAwait(false)
                        ?? throw new StoreUnavailableException(url.AbsoluteUri, $"GET {url} answered 416 but HEAD says '{key}' does not exist");
                    range!.Value.Resolve(size, Name, key);
                    return new ArrayPoolOwner(0);
                }
        }

        var body = await ReadBody(response, url, cancellationToken, sync).ConfigureAwait(false);
        if (range is not { } r || response.StatusCode == HttpStatusCode.PartialContent)
        {
            return body;
        }

        // The server ignored the Range header and sent the whole value: cut the range from it.
        using (body)
        {
            var (offset, length) = r.Resolve(body.Memory.Length, Name, key);
            var slice = new ArrayPoolOwner(checked((int)length));
            body.Memory.Span.Slice((int)offset, (int)length).CopyTo(slice.Memory.Span);
            return slice;
        }
    }

    private static HttpRequestMessage Request(Uri url, ByteRange? range)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (range is { } r)
        {
            request.Headers.Range = r.IsSuffix
                ? new RangeHeaderValue(null, r.Length)
                : new RangeHeaderValue(r.Offset, r.Length is { } l ? r.Offset + l - 1 : null);
        }

        return request;
    }

    private static async Task<IMemoryOwner<byte>> ReadBody(HttpResponseMessage response, Uri url, CancellationToken cancellationToken, bool sync)
    {
        long? declared = response.Content.Headers.ContentLength;
        if (declared is > int.MaxValue - 64)
        {
            throw new StoreUnavailableException(url.AbsoluteUri, $"GET {url} declares {declared} bytes, more than one value can hold (2 GiB)");
        }

        using var stream = sync ? response.Content.ReadAsStream(cancellationToken) : await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        if (declared is { } n)
        {
            var owner = new ArrayPoolOwner((int)n);
            try
            {
                int total = 0;
                while (total < n)
                {
                    var target = owner.Memory[total..];
                    int read = sync ? stream.Read(target.Span) : await stream.ReadAsync(target, cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        throw new StoreUnavailableException(url.AbsoluteUri, $"GET {url} ended after {total} of its {n} bytes");
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

        using var buffer = new MemoryStream();
        if (sync)
        {
            stream.CopyTo(buffer);
        }
        else
        {
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        var result = new ArrayPoolOwner(checked((int)buffer.Length));
        buffer.GetBuffer().AsSpan(0, (int)buffer.Length).CopyTo(result.Memory.Span);
        return result;
    }

    // Sends a request, retrying transient failures; returns a response whose status is a success, 404 or 416.
    private async Task<HttpResponseMessage> Send(Func<HttpRequestMessage> create, Uri url, CancellationToken cancellationToken, bool sync)
    {
        string last = "no answer";
        Exception? lastError = null;
        for (int attempt = 0; ; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RequestTimeout);
            using var request = create();
            HttpResponseMessage? response = null;
            try
            {
                response = sync
                    ? _client.Send(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token)
                    : await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                var status = response.StatusCode;
                if (response.IsSuccessStatusCode || status is HttpStatusCode.NotFound or HttpStatusCode.RequestedRangeNotSatisfiable)
                {
                    return response;
                }

                last = $"{(int)status} {response.ReasonPhrase}";
                response.Dispose();
                if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                {
                    throw new StoreUnavailableException(url.AbsoluteUri, $"{request.Method} {url} was refused ({last}): check the URL and access rights");
                }

                if ((int)status < 500 && status != HttpStatusCode.TooManyRequests && status != HttpStatusCode.RequestTimeout)
                {
                    throw new StoreUnavailableException(url.AbsoluteUri, $"{request.Method} {url} failed: {last}");
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is HttpRequestException or OperationCanceledException or IOException)
            {
                response?.Dispose();
                last = ex is OperationCanceledException ? $"no answer within {_options.RequestTimeout.TotalSeconds:0.#} s" : ex.Message;
                lastError = ex;
            }

            if (attempt >= _options.MaxRetries)
            {
                throw new StoreUnavailableException(url.AbsoluteUri, $"{request.Method} {url} failed after {attempt + 1} attempts: {last}", lastError);
            }

            double jitter = 0.5 + Random.Shared.NextDouble();
            var delay = TimeSpan.FromMilliseconds(_options.RetryDelay.TotalMilliseconds * Math.Pow(2, attempt) * jitter);
            if (sync)
            {
                cancellationToken.WaitHandle.WaitOne(delay);
                cancellationToken.ThrowIfCancellationRequested();
            }
            else
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
