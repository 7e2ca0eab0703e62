using System.CommandLine;
using ChunkCompute.Cli.Commands;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Cli;

/// <summary>
/// Builds the command tree and runs it with explicit output writers, so tests call the real entry point in-process.
/// Exit codes: 0 success, 1 error (one line on stderr, a stack trace only with --verbose), 2 bad usage, 130 cancelled.
/// </summary>
public static class CliApp
{
    /// <summary>Runs the tool with <paramref name="args"/>, writing to the given writers.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Run(args, stdout, stderr, CancellationToken.None);

    /// <summary>
    /// Runs the tool with <paramref name="args"/>, writing to the given writers; <paramref name="cancellationToken"/>
    /// cancels the command (exit code 130, partial output removed). A progress display is drawn on stderr only when
    /// <paramref name="stderr"/> is the process's own, unredirected standard error.
    /// </summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        // s3:// and az:// URLs wherever a store is named, as S3Store.Register() and AzureBlobStore.Register() do, but
        // through lambdas: the store types (and the cloud SDK assemblies they load) are touched only when such a URL is
        // opened, not by every local command's start-up.
        StoreLocations.Register("s3", static url => new ChunkCompute.Storage.S3.S3Store(url));
        StoreLocations.Register("az", static url => new ChunkCompute.Storage.Azure.AzureBlobStore(url));
        CliJobs.Register(); // what stats and convert compute, rebuilt by name on cluster workers
        bool interactive = ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;
        var context = new CliContext(stdout, stderr, interactive, cancellationToken);
        var root = new RootCommand("chunkcompute: out-of-core arrays in Zarr stores: inspect, import, export, convert, compute, append (transactions), verify and collect garbage.");
        root.Add(CliOptions.Verbose);
        root.Add(CliOptions.Quiet);
        root.Add(InfoCommand.Create(context));
        root.Add(ImportCommand.Create(context));
        root.Add(ExportCommand.Create(context));
        root.Add(ConvertCommand.Create(context));
        root.Add(StatsCommand.Create(context));
        root.Add(AppendCommand.Create(context));
        root.Add(VerifyCommand.Create(context));
        root.Add(GcCommand.Create(context));
        root.Add(RunTaskCommand.Create(context));
        root.Add(WorkerCommand.Create(context));

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
            // Ctrl-C is handled by Program.Main (it cancels cancellationToken), not by System.CommandLine, whose
            // handler would report exit 130 after a timeout even while the command is still removing partial output.
            var configuration = new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            };
            return parsed.InvokeAsync(configuration, cancellationToken).GetAwaiter().GetResult();
        }
        catch (Exception ex)
        {
            return context.Fail(ex, parsed.GetValue(CliOptions.Verbose));
        }
    }
}
