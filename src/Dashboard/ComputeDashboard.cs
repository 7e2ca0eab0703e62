using System.Net;
using System.Net.Sockets;
using System.Text;
using ChunkCompute.Scheduler;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ChunkCompute.Dashboard;

/// <summary>
/// A live dashboard of the computations it observes, served on <c>http://127.0.0.1:PORT/</c> (Kestrel from the shared
/// framework) while it is held: a task stream, progress per operation, memory against the budget, bytes per second and
/// the plan, streamed to the page as Server-Sent Events. Read-only: the server answers GET on <c>/</c> (the page),
/// <c>/events</c> (the stream) and <c>/data.json</c> (everything so far), and nothing changes anything. Pass it as
/// <see cref="ComputeOptions.Observer"/>; dispose it to stop the server. A browser that closes or stalls never slows
/// the computation: the engine only appends to the <see cref="Recorder"/>, and each page's stream reads from that.
/// </summary>
public sealed class ComputeDashboard : IComputeObserver, IAsyncDisposable, IDisposable
{
    /// <summary>The port <c>--dashboard</c> uses when none is given (Dask's).</summary>
    public const int DefaultPort = 8787;

    private static readonly TimeSpan PushInterval = TimeSpan.FromMilliseconds(250);
    private readonly WebApplication _app;
    private int _disposed;

    private ComputeDashboard(WebApplication app, ComputeRecorder recorder, Uri address)
    {
        _app = app;
        Recorder = recorder;
        Address = address;
    }

    /// <summary>Where the page is served, e.g. <c>http://127.0.0.1:8787/</c>.</summary>
    public Uri Address { get; }

    /// <summary>What it shows: everything observed so far (<see cref="ComputeRecorder.WriteReport"/> writes the report of it).</summary>
    public ComputeRecorder Recorder { get; }

    /// <summary>
    /// Starts serving on <paramref name="host"/>:<paramref name="port"/> (0: any free port) before anything is computed,
    /// so a port in use fails here and not after an hour of work.
    /// </summary>
    /// <param name="port">The TCP port; 0 picks a free one (see <see cref="Address"/>).</param>
    /// <param name="host">An IP address or <c>localhost</c>; the loopback address 127.0.0.1 unless given explicitly.</param>
    /// <param name="recorder">The recorder to show (e.g. one that already has runs); a new one when null. The dashboard disposes it.</param>
    /// <param name="cancellationToken">Cancels starting.</param>
    /// <exception cref="DashboardException">The address is in use or cannot be bound.</exception>
    public static async Task<ComputeDashboard> StartAsync(int port = DefaultPort, string? host = null, ComputeRecorder? recorder = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        var address = ParseHost(host);
        recorder ??= new ComputeRecorder();
        // The empty builder: no configuration sources (no appsettings.json or ASPNETCORE_* variables from wherever the
        // user runs, which could add endpoints, and no file watching of the working directory, which took ~1.7 s in a
        // busy /tmp), no logging; Kestrel listens where it is told and nowhere else.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "ChunkCompute.Dashboard", ContentRootPath = AppContext.BaseDirectory, Args = [] });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.UseKestrelCore().ConfigureKestrel(o =>
        {
            o.AddServerHeader = false;
            o.Listen(address, port);
        });
        var app = builder.Build();
        app.Run(context => Serve(context, recorder, app.Lifetime.ApplicationStopping));
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            bool inUse = ex is IOException { InnerException: SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } }
                or SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }
                || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase);
            string where = $"{FormatHost(address)}:{port}";
            throw new DashboardException(
                inUse
                    ? $"dashboard port {port} is in use ({where}): choose another port, or 0 for any free one"
                    : $"the dashboard cannot listen on {where}: {ex.Message}",
                port,
                ex);
        }

        var bound = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        var uri = bound is null ? new Uri($"http://{FormatHost(address)}:{port}/") : new Uri(bound.Replace("[::]", "localhost", StringComparison.Ordinal).TrimEnd('/') + "/");
        return new ComputeDashboard(app, recorder, uri);
    }

    /// <inheritdoc/>
    public void RunStarted(ComputeRun run) => Recorder.RunStarted(run);

    /// <inheritdoc/>
    public void TaskFinished(ComputeRun run, in ComputeTaskRecord task) => Recorder.TaskFinished(run, in task);

    /// <inheritdoc/>
    public void RunFinished(ComputeRun run, ComputeStatistics? statistics, Exception? error) => Recorder.RunFinished(run, statistics, error);

    /// <summary>Stops the server (open pages get the final state, then their stream ends) and the recorder's timer.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        Recorder.Dispose();
    }

    /// <summary>Stops the server; see <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static IPAddress ParseHost(string? host)
    {
        if (string.IsNullOrWhiteSpace(host) || host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback;
        }

        return IPAddress.TryParse(host.Trim('[', ']'), out var address)
            ? address
            : throw new ArgumentException($"dashboard host '{host}' is not an IP address (or localhost)", nameof(host));
    }

    private static string FormatHost(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();

    // Read-only: GET (and HEAD) of three paths; anything else is refused.
    private static async Task Serve(HttpContext context, ComputeRecorder recorder, CancellationToken stopping)
    {
        var response = context.Response;
        response.Headers.CacheControl = "no-store";
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "GET, HEAD";
            return;
        }

        switch (context.Request.Path.Value)
        {
            case "/":
            case "/index.html":
                response.ContentType = "text/html; charset=utf-8";
                await response.WriteAsync(DashboardPage.Live, Encoding.UTF8, context.RequestAborted).ConfigureAwait(false);
                return;
            case "/data.json":
                response.ContentType = "application/json";
                await response.Body.WriteAsync(recorder.Snapshot(0, 0, live: false).Json, context.RequestAborted).ConfigureAwait(false);
                return;
            case "/events":
                await StreamEvents(context, recorder, stopping).ConfigureAwait(false);
                return;
            default:
                response.StatusCode = StatusCodes.Status404NotFound;
                return;
        }
    }

    // Server-Sent Events: what is new since the last message, four times a second, until the page goes or the server stops.
    private static async Task StreamEvents(HttpContext context, ComputeRecorder recorder, CancellationToken stopping)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers["X-Accel-Buffering"] = "no";
        using var both = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var aborted = context.RequestAborted;
        int tasks = 0, samples = 0;
        var prefix = "data: "u8.ToArray();
        var suffix = "\n\n"u8.ToArray();
        try
        {
            while (true)
            {
                bool last = both.IsCancellationRequested;
                var (json, t, s) = recorder.Snapshot(tasks, samples, live: !stopping.IsCancellationRequested);
                (tasks, samples) = (t, s);
                await response.Body.WriteAsync(prefix, aborted).ConfigureAwait(false);
                await response.Body.WriteAsync(json, aborted).ConfigureAwait(false);
                await response.Body.WriteAsync(suffix, aborted).ConfigureAwait(false);
                await response.Body.FlushAsync(aborted).ConfigureAwait(false);
                if (last)
                {
                    return;
                }

                try
                {
                    await Task.Delay(PushInterval, both.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
                {
                    // Stopping: one more message with the final state, then the stream ends.
                }
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The page went away: nothing to do, the computation never waited for it.
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>The dashboard could not start (e.g. its port is in use).</summary>
public sealed class DashboardException : ChunkCompute.Storage.ChunkComputeException
{
    /// <summary>Creates the exception.</summary>
    public DashboardException(string message, int port, Exception? innerException = null)
        : base(message, innerException) => Port = port;

    /// <summary>The port it was to listen on.</summary>
    public int Port { get; }
}
