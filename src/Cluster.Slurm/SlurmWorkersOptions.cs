using System.Reflection;

namespace ChunkCompute.Cluster.Slurm;

/// <summary>How <see cref="SlurmWorkers"/> submits a computation's tasks to Slurm.</summary>
public sealed class SlurmWorkersOptions
{
    /// <summary>Creates the options with <paramref name="workDirectory"/> as the folder of task and reply files.</summary>
    /// <param name="workDirectory">A folder on the file system the coordinator and every compute node share.</param>
    public SlurmWorkersOptions(string workDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workDirectory);
        WorkDirectory = Path.GetFullPath(workDirectory);
    }

    /// <summary>
    /// The folder (on a file system shared by the coordinator and the compute nodes) where each job array gets a
    /// folder of task files, reply files and logs. A finished array's files are removed; a task that failed for good
    /// keeps its task file and log there.
    /// </summary>
    public string WorkDirectory { get; }

    /// <summary>
    /// The command that runs <c>chunkcompute run-task</c> on a compute node, without <c>run-task</c> itself (e.g.
    /// <c>["/opt/chunkcompute/chunkcompute"]</c> or <c>["dotnet", "/opt/app/MyWorker.dll"]</c>): <c>run-task DIR</c> is
    /// appended. Null: this process's own command when it is the <c>chunkcompute</c> tool; any other program must say
    /// which command rebuilds its cluster jobs (it must register the same <c>ClusterJobs</c>).
    /// </summary>
    public IReadOnlyList<string>? WorkerCommand { get; init; }

    /// <summary>The partition to submit to (<c>--partition</c>); null for the cluster's default.</summary>
    public string? Partition { get; init; }

    /// <summary>The memory budget of each array task's chunk buffers, in bytes (default 1 GiB).</summary>
    public long MemoryBudget { get; init; } = 1L << 30;

    /// <summary>
    /// Memory an array task's process needs beyond <see cref="MemoryBudget"/> (the runtime, code, I/O buffers), in bytes
    /// (default 512 MiB): <c>--mem</c> asks for both.
    /// </summary>
    public long MemoryOverhead { get; init; } = 512L << 20;

    /// <summary>
    /// How many times an array task that ended without a reply (killed, node failure, nonzero exit) is submitted again
    /// before the task is reported lost (default 2). Only a task's first attempt is resubmitted: when the coordinator
    /// retries a lost task (<c>ClusterOptions.MaxAttempts</c>), each retry is one more submission.
    /// </summary>
    public int MaxResubmits { get; init; } = 2;

    /// <summary>How long tasks are gathered into one job array before it is submitted (default 100 ms).</summary>
    public TimeSpan BatchDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The most tasks in one job array (default 1000; the cluster's <c>MaxArraySize</c> must allow the indices).</summary>
    public int MaxArraySize { get; init; } = 1000;

    /// <summary>How many tasks the coordinator keeps submitted at once (default: <see cref="MaxArraySize"/>).</summary>
    public int MaxTasksInFlight { get; init; }

    /// <summary>How often reply files and <c>squeue</c> are checked (default 250 ms).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long an array task that Slurm reports ended is given for its reply file to appear (a shared file system may
    /// show it late) before it counts as ended without a reply (default 2 s).
    /// </summary>
    public TimeSpan ReplyGrace { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Environment variables set for <c>sbatch</c>, <c>squeue</c> and <c>scancel</c> (e.g. <c>SLURM_CONF</c>); the
    /// array tasks get them too (sbatch exports the submitting environment).
    /// </summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    /// <summary>More <c>sbatch</c> arguments (e.g. <c>--account=…</c>, <c>--time=…</c>, <c>--cpus-per-task=…</c>).</summary>
    public IReadOnlyList<string> SbatchArguments { get; init; } = [];

    internal IReadOnlyList<string> ResolveWorkerCommand()
    {
        if (WorkerCommand is { Count: > 0 } command)
        {
            if (command.Any(string.IsNullOrEmpty))
            {
                throw new ArgumentException("SlurmWorkersOptions.WorkerCommand has an empty argument", nameof(WorkerCommand));
            }

            return command;
        }

        string? process = System.Environment.ProcessPath;
        string? entry = Assembly.GetEntryAssembly()?.GetName().Name;
        if (process is not null && Path.GetFileNameWithoutExtension(process) == "chunkcompute")
        {
            return [process];
        }

        string dll = Path.Combine(AppContext.BaseDirectory, "chunkcompute.dll");
        if (process is not null && entry == "chunkcompute" && File.Exists(dll))
        {
            return [process, dll];
        }

        throw new ArgumentException(
            "SlurmWorkersOptions.WorkerCommand is required when this process is not the chunkcompute tool: give the command that runs 'run-task' with the same cluster jobs registered",
            nameof(WorkerCommand));
    }
}
