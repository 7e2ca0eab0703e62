using System.Diagnostics;
using System.Globalization;
using ChunkCompute.Storage;

namespace ChunkCompute.Cluster.Slurm;

/// <summary>Runs Slurm's client commands (sbatch, squeue, scancel) as processes and reads their answers.</summary>
internal sealed class SlurmCommands(IReadOnlyDictionary<string, string>? environment)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    // States after which an array task runs no more (squeue's %T).
    private static readonly HashSet<string> Ended = new(StringComparer.Ordinal)
    {
        "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE", "OUT_OF_MEMORY", "REVOKED",
    };

    /// <summary>The state of one array task as squeue reports it.</summary>
    public readonly record struct TaskState(string State, string Node)
    {
        public bool HasEnded => Ended.Contains(State);
    }

    /// <summary>Submits <paramref name="script"/> as an array of <paramref name="indices"/>; returns the array's job id.</summary>
    public async Task<string> SubmitAsync(string script, IReadOnlyList<int> indices, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var args = new List<string> { "--parsable", "--array=" + ArraySpec(indices) };
        args.AddRange(arguments);
        args.Add(script);
        var (code, stdout, stderr) = await RunAsync("sbatch", args, cancellationToken).ConfigureAwait(false);
        string id = stdout.Trim().Split(';')[0];
        if (code != 0 || id.Length == 0 || !id.All(char.IsAsciiDigit))
        {
            throw new ChunkComputeException($"sbatch failed (exit {code}): {Last(stderr.Length > 0 ? stderr : stdout)}");
        }

        return id;
    }

    /// <summary>
    /// The states of the array tasks of <paramref name="jobIds"/>, by (array job id, index); null when squeue did not
    /// answer (try again later). Jobs Slurm no longer knows are absent.
    /// </summary>
    public async Task<Dictionary<(string Job, int Index), TaskState>?> QueryAsync(IReadOnlyCollection<string> jobIds, CancellationToken cancellationToken)
    {
        var states = new Dictionary<(string, int), TaskState>();
        if (jobIds.Count == 0)
        {
            return states;
        }

        var (code, stdout, stderr) = await RunAsync("squeue", ["-h", "-r", "--states=all", "-o", "%F|%K|%T|%N", "-j", string.Join(',', jobIds)], cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            // Every job asked about is gone (purged after MinJobAge): squeue refuses the list.
            return stderr.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase) ? states : null;
        }

        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var f = line.Split('|');
            if (f.Length >= 4 && int.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            {
                states[(f[0], index)] = new TaskState(f[2], f[3]);
            }
        }

        return states;
    }

    /// <summary>Cancels jobs or array tasks (<c>123</c>, <c>123_4</c>); errors are ignored (the job may have ended).</summary>
    public async Task CancelAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        if (ids.Count > 0)
        {
            await RunAsync("scancel", ids.ToList(), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>An sbatch <c>--array</c> list: ranges of consecutive indices (<c>0-9,12,15-16</c>).</summary>
    public static string ArraySpec(IReadOnlyList<int> indices)
    {
        var sorted = indices.Distinct().Order().ToArray();
        var parts = new List<string>();
        for (int i = 0; i < sorted.Length;)
        {
            int j = i;
            while (j + 1 < sorted.Length && sorted[j + 1] == sorted[j] + 1)
            {
                j++;
            }

            parts.Add(i == j ? sorted[i].ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{sorted[i]}-{sorted[j]}"));
            i = j + 1;
        }

        return string.Join(',', parts);
    }

    private async Task<(int Code, string Stdout, string Stderr)> RunAsync(string command, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        if (environment is not null)
        {
            foreach (var (k, v) in environment)
            {
                start.Environment[k] = v;
            }
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CommandTimeout);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new ChunkComputeException($"{command} could not be started");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new ChunkComputeException($"{command} could not be started (is Slurm's client installed and on the PATH?): {ex.Message}", ex);
        }

        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
                return (process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
            }
            catch (OperationCanceledException)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                }

                cancellationToken.ThrowIfCancellationRequested();
                throw new ChunkComputeException($"{command} did not answer in {CommandTimeout.TotalSeconds:0} s");
            }
        }
    }

    private static string Last(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no output)" : string.Join(" ", lines.TakeLast(3));
    }
}
