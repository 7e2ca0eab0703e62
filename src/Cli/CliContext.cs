using System.CommandLine;
using ChunkCompute.Storage;

namespace ChunkCompute.Cli;

/// <summary>Output writers, the cancellation token and the error policy shared by every command.</summary>
internal sealed class CliContext(TextWriter stdout, TextWriter stderr, bool interactive, CancellationToken cancellationToken)
{
    /// <summary>Results and informational lines.</summary>
    public TextWriter Out { get; } = stdout;

    /// <summary>Errors and the progress display.</summary>
    public TextWriter Error { get; } = stderr;

    /// <summary>Whether stderr is the process's terminal, so a live progress display may be drawn on it.</summary>
    public bool Interactive { get; } = interactive;

    /// <summary>Cancelled by Ctrl-C (or by the caller of <see cref="CliApp.Run(string[], TextWriter, TextWriter, CancellationToken)"/>).</summary>
    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>Whether <c>--quiet</c> was given.</summary>
    public static bool IsQuiet(ParseResult parse) => parse.GetValue(CliOptions.Quiet);

    /// <summary>Whether a progress display should be shown for this invocation.</summary>
    public bool ShowProgress(ParseResult parse) => Interactive && !IsQuiet(parse);

    /// <summary>Writes an informational line to stdout unless <c>--quiet</c> or <c>--json</c> asks for the result alone.</summary>
    public void Info(ParseResult parse, bool json, string line)
    {
        if (!json && !IsQuiet(parse))
        {
            Out.WriteLine(line);
        }
    }

    /// <summary>Reports <paramref name="ex"/> in one line and returns the exit code: 2 usage, 130 cancelled, 1 otherwise.</summary>
    public int Fail(Exception ex, bool verbose)
    {
        if (ex is UsageException)
        {
            Error.WriteLine("chunkcompute: " + ex.Message);
            return 2;
        }

        if (IsCancellation(ex))
        {
            Error.WriteLine("chunkcompute: cancelled");
            return 130;
        }

        string message = ex switch
        {
            ChunkComputeException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or InvalidDataException => ex.Message,
            _ => ex.GetType().Name + ": " + ex.Message,
        };
        Error.WriteLine("chunkcompute: error: " + InCliTerms(message).ReplaceLineEndings(" "));
        if (verbose)
        {
            Error.WriteLine(ex.ToString());
        }

        return 1;
    }

    // Library messages name API properties; the command line names its flags.
    private static string InCliTerms(string message) => message
        .Replace("pass Overwrite = true", "pass --overwrite", StringComparison.Ordinal)
        .Replace("Format = ZarrFormat.V3", "--format v3", StringComparison.Ordinal)
        .Replace("Format = ZarrFormat.V2", "--format v2", StringComparison.Ordinal);

    // An OperationCanceledException, or (once cancellation was requested) one wrapped by a task or an aggregate.
    private bool IsCancellation(Exception ex)
    {
        if (ex is OperationCanceledException)
        {
            return true;
        }

        if (!CancellationToken.IsCancellationRequested)
        {
            return false;
        }

        return ex switch
        {
            AggregateException aggregate => aggregate.InnerExceptions.Any(IsCancellation),
            { InnerException: { } inner } => IsCancellation(inner),
            _ => false,
        };
    }
}
