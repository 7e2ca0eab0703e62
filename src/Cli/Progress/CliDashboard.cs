using System.CommandLine;
using System.Globalization;
using ChunkCompute.Dashboard;
using ChunkCompute.Scheduler;

namespace ChunkCompute.Cli.Progress;

/// <summary>
/// <c>--dashboard [[HOST:]PORT]</c> and <c>--report FILE.html</c> for one command: the dashboard served while the
/// work runs, the recorder both draw from, and the report written when it ends.
/// </summary>
internal sealed class CliDashboard : IAsyncDisposable
{
    private readonly CliContext _context;
    private readonly ParseResult _parse;
    private readonly ComputeDashboard? _server;
    private readonly string? _report;

    private CliDashboard(CliContext context, ParseResult parse, ComputeRecorder recorder, ComputeDashboard? server, string? report)
    {
        _context = context;
        _parse = parse;
        Recorder = recorder;
        _server = server;
        _report = report;
    }

    /// <summary>What records the work: shown by the dashboard, written as the report.</summary>
    public ComputeRecorder Recorder { get; }

    /// <summary>What to pass as <see cref="ComputeOptions.Observer"/>.</summary>
    public IComputeObserver Observer => (IComputeObserver?)_server ?? Recorder;

    /// <summary>Starts what the command line asks for; null when it asks for neither.</summary>
    /// <exception cref="UsageException">A malformed <c>--dashboard</c> value.</exception>
    /// <exception cref="DashboardException">The port is in use (before anything is computed).</exception>
    public static Task<CliDashboard?> StartAsync(CliContext context, ParseResult parse, string label)
    {
        return Asked(parse) ? StartServerOrRecorderAsync(context, parse, label) : Task.FromResult<CliDashboard?>(null);
    }

    /// <summary>Whether the command line asks for a dashboard or a report (without either, no dashboard code runs).</summary>
    public static bool Asked(ParseResult parse) => parse.GetResult("--dashboard") is not null || parse.GetResult("--report") is not null;

    private static async Task<CliDashboard?> StartServerOrRecorderAsync(CliContext context, ParseResult parse, string label)
    {
        bool dashboard = parse.GetResult("--dashboard") is not null;
        string? report = parse.GetResult("--report") is null ? null : parse.GetValue<string?>("--report");
        if (!dashboard && report is null)
        {
            return null;
        }

        if (report is not null && string.IsNullOrWhiteSpace(report))
        {
            throw new UsageException("--report needs a file name, e.g. --report run.html");
        }

        var recorder = new ComputeRecorder("chunkcompute " + label);
        if (!dashboard)
        {
            return new CliDashboard(context, parse, recorder, null, report);
        }

        var (host, port) = ParseAddress(parse.GetValue<string?>("--dashboard"));
        ComputeDashboard server;
        try
        {
            server = await ComputeDashboard.StartAsync(port, host, recorder, context.CancellationToken).ConfigureAwait(false);
        }
        catch
        {
            recorder.Dispose();
            throw;
        }

        // On stderr, so --json keeps stdout to the result alone.
        context.Error.WriteLine($"dashboard: {server.Address}");
        return new CliDashboard(context, parse, recorder, server, report);
    }

    /// <summary>The work has ended: marks it finished and writes the report when one was asked for.</summary>
    public void Finish()
    {
        Recorder.CompleteProgress();
        if (_report is not null)
        {
            Recorder.WriteReport(_report);
            if (!CliContext.IsQuiet(_parse))
            {
                _context.Error.WriteLine($"report: {Path.GetFullPath(_report)}");
            }
        }
    }

    /// <summary>Stops the dashboard (open pages get the final state first).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }

        Recorder.Dispose();
    }

    // PORT, HOST:PORT or [IPv6]:PORT; nothing: the default port on the loopback address.
    internal static (string? Host, int Port) ParseAddress(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, ComputeDashboard.DefaultPort);
        }

        int colon = text.LastIndexOf(':');
        string? host = colon < 0 ? null : text[..colon];
        string portText = colon < 0 ? text : text[(colon + 1)..];
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535 || (host is not null && host.Length == 0))
        {
            throw new UsageException($"--dashboard '{text}': expected PORT or HOST:PORT with PORT in 0-65535 (0: any free port), e.g. --dashboard 8787");
        }

        return (host, port);
    }
}
