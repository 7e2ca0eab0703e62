using System.Net;
using System.Net.Sockets;

namespace ChunkCompute.Tests.Storage.Stores.Http;

/// <summary>
/// A static file server on 127.0.0.1 (HttpListener) serving a directory, for HttpStore tests: GET with or without
/// honouring <c>Range</c>, HEAD with Content-Length, 404 for missing files, and injected faults (status codes for the
/// next requests, stalls). Counts requests. Stopped when disposed.
/// </summary>
internal sealed class LoopbackHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly string _root;
    private readonly Task _loop;
    private int _requests;

    public LoopbackHttpServer(string root, bool honourRanges = true)
    {
        _root = root;
        HonourRanges = honourRanges;
        for (int attempt = 0; ; attempt++)
        {
            Port = FreePort();
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }

        _loop = Task.Run(Serve);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    public bool HonourRanges { get; set; }

    /// <summary>Status codes to answer the next requests with, in order (then files are served again).</summary>
    public Queue<int> Faults { get; } = new();

    /// <summary>When set, every request waits this long before answering.</summary>
    public TimeSpan Stall { get; set; }

    /// <summary>When set, every request is answered with this status.</summary>
    public int? AlwaysStatus { get; set; }

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>
    /// A port free on 127.0.0.1 now and never handed out before in this process: test fixtures start in parallel, and
    /// the kernel may hand a port just released to the next caller before the first server has bound it (two Azurite
    /// fixtures once shared one server that way, and one found its "new" container already there).
    /// </summary>
    public static int FreePort()
    {
        while (true)
        {
            using var socket = new TcpListener(IPAddress.Loopback, 0);
            socket.Start();
            int port = ((IPEndPoint)socket.LocalEndpoint).Port;
            socket.Stop();
            lock (HandedOut)
            {
                if (HandedOut.Add(port))
                {
                    return port;
                }
            }
        }
    }

    private static readonly HashSet<int> HandedOut = [];

    public void Dispose()
    {
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }

    private async Task Serve()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => Answer(context));
        }
    }

    private async Task Answer(HttpListenerContext context)
    {
        Interlocked.Increment(ref _requests);
        var response = context.Response;
        try
        {
            if (Stall > TimeSpan.Zero)
            {
                await Task.Delay(Stall);
            }

            int? fault = AlwaysStatus;
            lock (Faults)
            {
                if (fault is null && Faults.Count > 0)
                {
                    fault = Faults.Dequeue();
                }
            }

            if (fault is { } status)
            {
                response.StatusCode = status;
                response.Close();
                return;
            }

            string relative = Uri.UnescapeDataString(context.Request.Url!.AbsolutePath.TrimStart('/'));
            string path = Path.GetFullPath(Path.Combine(_root, relative));
            if (!path.StartsWith(Path.GetFullPath(_root), StringComparison.Ordinal) || !File.Exists(path))
            {
                response.StatusCode = 404;
                response.Close();
                return;
            }

            var bytes = await File.ReadAllBytesAsync(path);
            int start = 0, length = bytes.Length;
            string? range = context.Request.Headers["Range"];
            if (HonourRanges && range is not null && range.StartsWith("bytes=", StringComparison.Ordinal))
            {
                var parts = range["bytes=".Length..].Split('-');
                if (parts[0].Length == 0)
                {
                    length = (int)Math.Min(long.Parse(parts[1]), bytes.Length);
                    start = bytes.Length - length;
                }
                else
                {
                    start = int.Parse(parts[0]);
                    if (start >= bytes.Length)
                    {
                        response.StatusCode = 416;
                        response.Headers["Content-Range"] = $"bytes */{bytes.Length}";
                        response.Close();
                        return;
                    }

                    long end = parts[1].Length == 0 ? bytes.Length - 1 : Math.Min(long.Parse(parts[1]), bytes.Length - 1);
                    length = (int)(end - start + 1);
                }

                response.StatusCode = 206;
                response.Headers["Content-Range"] = $"bytes {start}-{start + length - 1}/{bytes.Length}";
            }

            response.ContentLength64 = length;
            if (context.Request.HttpMethod != "HEAD")
            {
                await response.OutputStream.WriteAsync(bytes.AsMemory(start, length));
            }

            response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
        {
            // the client went away
        }
    }
}
