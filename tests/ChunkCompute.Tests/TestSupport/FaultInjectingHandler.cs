using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace ChunkCompute.Tests.TestSupport;

/// <summary>
/// A <see cref="DelegatingHandler"/> put in front of a store's HTTP (S3Store's and AzureBlobStore's
/// <c>WrapHttpHandler</c>, HttpStore's <c>Handler</c>) that records every request and plays scripted faults on the ones
/// a predicate matches: an error status (503 SlowDown, 500, 429), a dropped connection (<see cref="HttpRequestException"/>
/// over an <see cref="IOException"/>), a body cut short (an <see cref="IOException"/> after some bytes), a stall before
/// the response (until the request is cancelled or times out) or in the middle of the body. Each fault fires for a given
/// number of matching requests (use <see cref="Always"/> for all); the first script that still has turns left wins.
/// </summary>
internal sealed class FaultInjectingHandler : DelegatingHandler
{
    /// <summary>A count of turns that never runs out.</summary>
    public const int Always = int.MaxValue;

    private readonly List<Script> _scripts = [];
    private readonly ConcurrentQueue<(HttpMethod Method, Uri Uri, string? Fault, string Headers)> _seen = new();

    public FaultInjectingHandler()
    {
    }

    public FaultInjectingHandler(HttpMessageHandler inner)
        : base(inner)
    {
    }

    private enum Kind
    {
        Status,
        Drop,
        CutBody,
        Stall,
        StallBody,
    }

    /// <summary>
    /// Every request seen, in order, with the fault played on it (null: passed through) and its headers, one
    /// <c>Name: value</c> a line.
    /// </summary>
    public IReadOnlyList<(HttpMethod Method, Uri Uri, string? Fault, string Headers)> Seen => _seen.ToArray();

    /// <summary>How many requests matched <paramref name="predicate"/> (faulted or not).</summary>
    public int Count(Func<HttpMethod, Uri, bool> predicate) => _seen.Count(s => predicate(s.Method, s.Uri));

    /// <summary>Answers <paramref name="times"/> matching requests with <paramref name="status"/> and an S3/Azure-style error body.</summary>
    public FaultInjectingHandler Fail(int times, HttpStatusCode status, string code, Func<HttpRequestMessage, bool>? when = null) =>
        Add(new Script(Kind.Status, times, when) { Status = status, Code = code });

    /// <summary>Drops the connection of <paramref name="times"/> matching requests before any response.</summary>
    public FaultInjectingHandler Drop(int times, Func<HttpRequestMessage, bool>? when = null) => Add(new Script(Kind.Drop, times, when));

    /// <summary>Cuts the response body of <paramref name="times"/> matching requests after <paramref name="afterBytes"/> bytes.</summary>
    public FaultInjectingHandler CutBody(int times, int afterBytes, Func<HttpRequestMessage, bool>? when = null) =>
        Add(new Script(Kind.CutBody, times, when) { AfterBytes = afterBytes });

    /// <summary>Never answers <paramref name="times"/> matching requests (they wait until cancelled or timed out).</summary>
    public FaultInjectingHandler Stall(int times, Func<HttpRequestMessage, bool>? when = null) => Add(new Script(Kind.Stall, times, when));

    /// <summary>Sends the headers and <paramref name="afterBytes"/> bytes of the body, then stalls until the read is cancelled.</summary>
    public FaultInjectingHandler StallBody(int times, int afterBytes, Func<HttpRequestMessage, bool>? when = null) =>
        Add(new Script(Kind.StallBody, times, when) { AfterBytes = afterBytes });

    /// <summary>A predicate: requests with <paramref name="method"/> whose path ends with <paramref name="pathEnd"/>.</summary>
    public static Func<HttpRequestMessage, bool> On(HttpMethod method, string pathEnd) =>
        r => r.Method == method && r.RequestUri!.AbsolutePath.EndsWith(pathEnd, StringComparison.Ordinal);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var script = Pick(request);
        string headers = string.Join("\n", request.Headers.Select(h => $"{h.Key}: {string.Join(", ", h.Value)}"));
        _seen.Enqueue((request.Method, request.RequestUri!, script?.Kind.ToString(), headers));
        switch (script?.Kind)
        {
            case Kind.Status:
                return ErrorResponse(request, script.Status, script.Code!);
            case Kind.Drop:
                throw new HttpRequestException("The connection was dropped (fault injected)", new IOException("The response ended prematurely (fault injected)"));
            case Kind.Stall:
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                throw new InvalidOperationException("unreachable");
            case Kind.CutBody:
            case Kind.StallBody:
                var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
                var original = response.Content;
                var body = await original.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                var content = new StreamContent(new FaultyStream(body, script.AfterBytes, stall: script.Kind == Kind.StallBody));
                foreach (var header in original.Headers)
                {
                    content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }

                response.Content = content;
                return response;
            default:
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }

    private FaultInjectingHandler Add(Script script)
    {
        lock (_scripts)
        {
            _scripts.Add(script);
        }

        return this;
    }

    private Script? Pick(HttpRequestMessage request)
    {
        lock (_scripts)
        {
            foreach (var script in _scripts)
            {
                if ((script.When is null || script.When(request)) && script.Remaining > 0)
                {
                    if (script.Remaining != Always)
                    {
                        script.Remaining--;
                    }

                    return script;
                }
            }
        }

        return null;
    }

    private static HttpResponseMessage ErrorResponse(HttpRequestMessage request, HttpStatusCode status, string code)
    {
        var response = new HttpResponseMessage(status) { RequestMessage = request };
        response.Headers.TryAddWithoutValidation("x-ms-error-code", code); // Azure reads the code from here
        response.Headers.TryAddWithoutValidation("x-amz-request-id", "fault-injected");
        if (request.Method != HttpMethod.Head)
        {
            string xml = $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{code} (fault injected)</Message><RequestId>fault-injected</RequestId></Error>";
            response.Content = new StringContent(xml, Encoding.UTF8, "application/xml");
        }

        return response;
    }

    private sealed class Script(Kind kind, int times, Func<HttpRequestMessage, bool>? when)
    {
        public Kind Kind { get; } = kind;

        public Func<HttpRequestMessage, bool>? When { get; } = when;

        public int Remaining { get; set; } = times;

        public HttpStatusCode Status { get; init; }

        public string? Code { get; init; }

        public int AfterBytes { get; init; }
    }

    /// <summary>Passes <c>limit</c> bytes through, then fails with an <see cref="IOException"/> or stalls until cancelled.</summary>
    private sealed class FaultyStream(Stream inner, int limit, bool stall) : Stream
    {
        private int _passed;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _passed; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_passed >= limit)
            {
                if (stall)
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
                }

                throw new IOException("The response ended prematurely (fault injected)");
            }

            int n = await inner.ReadAsync(buffer[..Math.Min(buffer.Length, limit - _passed)], cancellationToken).ConfigureAwait(false);
            _passed += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
