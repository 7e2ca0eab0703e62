using System.CommandLine;
using ChunkCompute.Cli.Commands;

namespace ChunkCompute.Cli;

/// <summary>
/// Builds the command tree and runs it with explicit output writers, so tests call the real entry point in-process.
/// Exit codes: 0 success, 1 error (one line on stderr, a stack trace only with --verbose), 2 bad usage.
/// </summary>
public static class CliApp
{
    /// <summary>Runs the tool with <paramref name="args"/>, writing to the given writers.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        var context = new CliContext(stdout, stderr);
        var root = new RootCommand("chunkcompute: out-of-core arrays in Zarr stores: inspect, import, export and compute.");
        root.Add(CliContext.VerboseOption);
        root.Add(InfoCommand.Create(context));
        root.Add(ImportCommand.Create(context));
        root.Add(ExportCommand.Create(context));
        root.Add(StatsCommand.Create(context));

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                stderr.WriteLine("chunkcompute: " + error.Message);
            }

            stderr.WriteLine("Run 'chunkcompute --help' for usage.");
            return 2;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception ex)
        {
            return context.Fail(ex, parsed.GetValue(CliContext.VerboseOption));
        }
    }
}
