using System.Globalization;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;

namespace ChunkCompute.Cluster.Slurm;

/// <summary>
/// The worker side of <see cref="SlurmWorkers"/> (<c>chunkcompute run-task DIR [--index N]</c>): reads the task file
/// of one array task, runs it on a <see cref="ChunkWorker"/> within the task's memory budget, and writes the reply file
/// atomically (a temporary file renamed). A process that runs it must have the same cluster jobs registered as the
/// coordinator.
/// </summary>
public static class SlurmTaskRunner
{
    /// <summary>The file that marks a folder as a job array's folder written by <see cref="SlurmWorkers"/>.</summary>
    public const string MarkerFileName = ".chunkcompute-array";

    /// <summary>The largest array index accepted.</summary>
    public const int MaxIndex = 1_000_000;

    /// <summary>Exit code: the reply was written (the task itself may have failed: its error is in the reply).</summary>
    public const int ExitReplied = 0;

    /// <summary>Exit code: the task or reply file could not be read or written.</summary>
    public const int ExitFileError = 1;

    /// <summary>Exit code: the folder or index is not valid.</summary>
    public const int ExitUsage = 2;

    /// <summary>The task file of array index <paramref name="index"/> in <paramref name="directory"/>.</summary>
    public static string TaskFile(string directory, int index) => Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"task-{index}.bin"));

    /// <summary>The reply file of array index <paramref name="index"/> in <paramref name="directory"/>.</summary>
    public static string ReplyFile(string directory, int index) => Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"reply-{index}.bin"));

    /// <summary>The log (standard output and error of every attempt) of array index <paramref name="index"/>.</summary>
    public static string LogFile(string directory, int index) => Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"log-{index}.txt"));

    /// <summary>
    /// The array index to run: <paramref name="index"/> when given, else <c>$SLURM_ARRAY_TASK_ID</c>; null when neither is
    /// a valid index.
    /// </summary>
    public static int? ResolveIndex(int? index)
    {
        if (index is not null)
        {
            return index is >= 0 and <= MaxIndex ? index : null;
        }

        string? fromSlurm = Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID");
        return int.TryParse(fromSlurm, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n <= MaxIndex ? n : null;
    }

    /// <summary>
    /// This worker's name in replies: <c>slurm@NODE</c> inside a Slurm array task (a run's workers are its nodes, so
    /// <c>--json</c> counts tasks per node; the array task's id is in its log and in errors).
    /// </summary>
    public static string WorkerName(int index)
    {
        string? job = Environment.GetEnvironmentVariable("SLURM_ARRAY_JOB_ID");
        string node = Environment.GetEnvironmentVariable("SLURMD_NODENAME") ?? Environment.MachineName;
        return string.IsNullOrEmpty(job)
            ? string.Create(CultureInfo.InvariantCulture, $"run-task:{index}@{node}")
            : string.Create(CultureInfo.InvariantCulture, $"slurm@{node}");
    }

    /// <summary>
    /// Runs array task <paramref name="index"/> of the array folder <paramref name="directory"/> and writes its reply.
    /// Returns <see cref="ExitReplied"/> when the reply is written (even when the task failed: the error is in the reply),
    /// <see cref="ExitUsage"/> when the folder or index is not valid, <see cref="ExitFileError"/> when a file cannot be
    /// read or written.
    /// </summary>
    /// <param name="directory">The array's folder (it holds <see cref="MarkerFileName"/>).</param>
    /// <param name="index">The array index.</param>
    /// <param name="log">Where to write what happened (the array task's log).</param>
    /// <param name="cancellationToken">Cancels the task (no reply is written).</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<int> RunAsync(string directory, int index, TextWriter log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (string.IsNullOrWhiteSpace(directory) || directory.Contains('\0', StringComparison.Ordinal))
        {
            log.WriteLine("run-task: the folder is empty");
            return ExitUsage;
        }

        if (index is < 0 or > MaxIndex)
        {
            log.WriteLine($"run-task: index {index} is out of range (0 to {MaxIndex})");
            return ExitUsage;
        }

        string dir = Path.GetFullPath(directory);
        if (!Directory.Exists(dir) || !File.Exists(Path.Combine(dir, MarkerFileName)))
        {
            log.WriteLine($"run-task: '{dir}' is not a job array folder written by ChunkCompute (no {MarkerFileName})");
            return ExitUsage;
        }

        string taskFile = TaskFile(dir, index);
        byte[] bytes;
        try
        {
            var info = new FileInfo(taskFile);
            if (info.LinkTarget is not null)
            {
                log.WriteLine($"run-task: {taskFile} is a link, not a task file");
                return ExitUsage;
            }

            bytes = await File.ReadAllBytesAsync(taskFile, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            log.WriteLine($"run-task: cannot read {taskFile}: {ex.Message}");
            return ExitFileError;
        }

        string name = WorkerName(index);
        RemoteTaskReply reply;
        RemoteTask task;
        try
        {
            task = RemoteTask.FromBytes(bytes);
        }
        catch (ChunkComputeException ex)
        {
            // Bytes no worker can read: the task fails for good (a data error is not retried).
            log.WriteLine($"run-task: {taskFile}: {ex.Message}");
            return await WriteReplyAsync(dir, index, RemoteTaskReply.Failed(name, ex, TimeSpan.Zero), log, cancellationToken).ConfigureAwait(false);
        }

        log.WriteLine($"run-task: {name} runs {task} (attempt {task.Attempt + 1}, budget {task.MemoryBudget} bytes)");
        using (var worker = new ChunkWorker(name, task.MemoryBudget, maxConcurrentTasks: 1))
        {
            reply = await worker.RunAsync(task, cancellationToken).ConfigureAwait(false);
        }

        log.WriteLine(reply.Succeeded
            ? $"run-task: done in {reply.Elapsed.TotalSeconds:0.000} s"
            : $"run-task: the task failed ({reply.ErrorType}): {reply.Error}");
        return await WriteReplyAsync(dir, index, reply, log, cancellationToken).ConfigureAwait(false);
    }

    // Written beside the reply and renamed over it, so the coordinator never reads half a reply.
    private static async Task<int> WriteReplyAsync(string dir, int index, RemoteTaskReply reply, TextWriter log, CancellationToken cancellationToken)
    {
        string final = ReplyFile(dir, index);
        string temporary = string.Create(CultureInfo.InvariantCulture, $"{final}.{Environment.ProcessId}.tmp");
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await stream.WriteAsync(reply.ToBytes(), cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, final, overwrite: true);
            return ExitReplied;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            log.WriteLine($"run-task: cannot write {final}: {ex.Message}");
            try
            {
                File.Delete(temporary);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
            }

            return ExitFileError;
        }
    }
}
