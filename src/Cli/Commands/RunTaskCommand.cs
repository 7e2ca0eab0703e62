using System.CommandLine;
using ChunkCompute.Cluster.Slurm;
using ChunkCompute.Scheduler;

namespace ChunkCompute.Cli.Commands;

/// <summary>
/// <c>chunkcompute run-task DIR [--index N]</c>: the worker side of the Slurm transport. Runs array task N (default
/// <c>$SLURM_ARRAY_TASK_ID</c>) of the job array folder DIR: reads DIR/task-N.bin, computes it within the task's memory
/// budget with this tool's cluster jobs, and writes DIR/reply-N.bin atomically. Exit 0 when the reply is written, even
/// when the task failed (the error travels in the reply); 1 when a file cannot be read or written; 2 on bad usage.
/// </summary>
internal static class RunTaskCommand
{
    public static Command Create(CliContext context)
    {
        var dir = new Argument<string>("DIR") { Description = "The job array's folder, written by the coordinator (SlurmWorkers)." };
        var index = new Option<int?>("--index") { Description = "The array index to run (default: $SLURM_ARRAY_TASK_ID)." };
        var command = new Command("run-task", "Run one task of a Slurm job array (the worker side of a cluster computation on Slurm).") { dir, index };
        command.SetAction(async (parse, cancellationToken) =>
        {
            int? n = SlurmTaskRunner.ResolveIndex(parse.GetValue(index));
            if (n is null)
            {
                throw new UsageException(parse.GetValue(index) is { } given
                    ? $"run-task: --index {given} is out of range (0 to {SlurmTaskRunner.MaxIndex})"
                    : "run-task: give --index N, or run it as a Slurm array task ($SLURM_ARRAY_TASK_ID)");
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, context.CancellationToken);
            int code = await SlurmTaskRunner.RunAsync(parse.GetValue(dir)!, n.Value, context.Error, linked.Token).ConfigureAwait(false);
            context.Error.Flush();
            return code;
        });
        return command;
    }
}

/// <summary>
/// <c>--slurm</c> for the commands that run on a cluster (<see cref="ClusterSelection"/>): the tasks become job arrays of
/// this tool's own <c>run-task</c> (<see cref="SlurmWorkers"/>), their files in <c>--slurm-dir</c> (default
/// <c>~/.chunkcompute/slurm</c>), submitted to <c>--partition</c>; sbatch finds the cluster as it always does
/// (<c>SLURM_CONF</c> or the system's slurm.conf).
/// </summary>
internal static class SlurmTransport
{
    /// <summary>The workers of <c>--slurm</c>.</summary>
    public static IChunkWorkers Create(ParseResult parse, ClusterChoice choice, long workerBudget)
    {
        string directory = parse.GetValue(choice.SlurmDirectory)
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".chunkcompute", "slurm");
        var options = new SlurmWorkersOptions(directory) { Partition = parse.GetValue(choice.Partition), MemoryBudget = workerBudget };
        return new SlurmWorkers(options);
    }
}
