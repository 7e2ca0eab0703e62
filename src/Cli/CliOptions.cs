using System.CommandLine;

namespace ChunkCompute.Cli;

/// <summary>The cluster options of a command (see <see cref="CliOptions.Cluster"/>).</summary>
internal sealed record ClusterChoice(Option<string?> Cluster, Option<bool> Slurm, Option<string?> Partition, Option<string?> SlurmDirectory, Option<int?> LocalWorkers, Option<string?> WorkerMemory)
{
    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Add(Cluster);
        command.Add(Slurm);
        command.Add(Partition);
        command.Add(SlurmDirectory);
        command.Add(LocalWorkers);
        command.Add(WorkerMemory);
    }
}

/// <summary>Options every command shares, so they are spelled, described and defaulted the same way everywhere.</summary>
internal static class CliOptions
{
    /// <summary>The default memory budget, as written on the command line.</summary>
    public const string DefaultMemory = "1GiB";

    /// <summary><c>--verbose</c>: stack traces with errors (every command).</summary>
    public static readonly Option<bool> Verbose = new("--verbose") { Description = "Print stack traces with errors.", Recursive = true };

    /// <summary><c>--quiet</c>: no progress display and no informational lines, only the result (every command).</summary>
    public static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "No progress display and no informational lines: print only the result.", Recursive = true };

    /// <summary>A <c>--memory SIZE</c> option for a command that computes or buffers data.</summary>
    public static Option<string> Memory(string what) => new("--memory")
    {
        Description = $"Memory budget for {what}, e.g. 512MiB, 2GiB (default {DefaultMemory}).",
        DefaultValueFactory = _ => DefaultMemory,
    };

    /// <summary>
    /// A <c>--memory SIZE</c> option for a command that reads metadata and key listings only: validated like every
    /// other, and respected trivially (the command holds no chunk data).
    /// </summary>
    public static Option<string> MemoryUnused() => new("--memory")
    {
        Description = $"Memory budget (default {DefaultMemory}); this command reads metadata and key listings only, no chunk data.",
        DefaultValueFactory = _ => DefaultMemory,
    };

    /// <summary>
    /// <c>--dashboard [[HOST:]PORT]</c>: serve a live dashboard of the run on http://127.0.0.1:PORT (default 8787; 0 for
    /// any free port; loopback unless HOST is given) for as long as the command runs.
    /// </summary>
    public static Option<string?> Dashboard() => new("--dashboard")
    {
        Description = "Serve a live dashboard of the run (task stream, progress, memory, plan) on http://127.0.0.1:PORT while it runs; PORT defaults to 8787, 0 picks a free one, HOST:PORT listens elsewhere than the loopback address.",
        Arity = ArgumentArity.ZeroOrOne,
        HelpName = "[HOST:]PORT",
    };

    /// <summary><c>--report FILE.html</c>: write a self-contained HTML performance report of the run.</summary>
    public static Option<string?> Report() => new("--report")
    {
        Description = "Write a self-contained HTML performance report of the run (the dashboard's views of the finished run, no network needed to open it).",
        HelpName = "FILE.html",
    };

    /// <summary>
    /// The options that run a command's tasks on a cluster instead of in this process: <c>--cluster HOST:P[,HOST:P]</c>
    /// (Orleans workers started with <c>chunkcompute worker</c>), <c>--slurm</c> with <c>--partition</c> and
    /// <c>--slurm-dir</c> (job arrays of <c>chunkcompute run-task</c>), or <c>--local-workers N</c> (workers in this
    /// process: the cluster path without a network, to check a job before it goes to a cluster).
    /// </summary>
    public static ClusterChoice Cluster() => new(
        new Option<string?>("--cluster") { Description = "Run the tasks on Orleans workers (started with 'chunkcompute worker'), given by the address of one or more of them.", HelpName = "HOST:PORT[,HOST:PORT]" },
        new Option<bool>("--slurm") { Description = "Run the tasks as Slurm job arrays of 'chunkcompute run-task' (the stores and --slurm-dir on a shared file system)." },
        new Option<string?>("--partition") { Description = "The Slurm partition (with --slurm; default: the cluster's default)." },
        new Option<string?>("--slurm-dir") { Description = "A folder on the shared file system for the tasks' files and logs (with --slurm; default ~/.chunkcompute/slurm)." },
        new Option<int?>("--local-workers") { Description = "Run the tasks on N workers in this process, each with the --worker-memory budget (the cluster path without a network)." },
        new Option<string?>("--worker-memory") { Description = "Each worker's memory budget for its tasks (default: --memory)." });

    /// <summary>A <c>--json</c> option: print one JSON object instead of text.</summary>
    public static Option<bool> Json(string fields) => new("--json") { Description = "Print one JSON object instead of text: " + fields + "." };
}
