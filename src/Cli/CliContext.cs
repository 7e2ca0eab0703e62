using System.CommandLine;
using ChunkCompute.Storage;

namespace ChunkCompute.Cli;

/// <summary>Output writers and the error policy shared by every command.</summary>
internal sealed class CliContext(TextWriter stdout, TextWriter stderr)
{
    public static readonly Option<bool> VerboseOption = new("--verbose") { Description = "Print stack traces with errors.", Recursive = true };

    public TextWriter Out { get; } = stdout;

    public TextWriter Error { get; } = stderr;

    public int Fail(Exception ex, bool verbose)
    {
        if (ex is UsageException)
        {
            Error.WriteLine("chunkcompute: " + ex.Message);
            return 2;
        }

        if (ex is OperationCanceledException)
        {
            Error.WriteLine("chunkcompute: cancelled");
            return 130;
        }

        string message = ex switch
        {
            ChunkComputeException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException => ex.Message,
            _ => ex.GetType().Name + ": " + ex.Message,
        };
        Error.WriteLine("chunkcompute: error: " + message.ReplaceLineEndings(" "));
        if (verbose)
        {
            Error.WriteLine(ex.ToString());
        }

        return 1;
    }
}
