using System.Diagnostics;

namespace ChunkCompute.Tests.Cluster.Slurm;

/// <summary>
/// A single-node Slurm cluster on 127.0.0.1 for the Slurm tests: scripts/slurm/start-slurm.sh is run (it installs Slurm
/// with apt-get when missing and this is root, and only reports the settings when the cluster already answers); a
/// cluster the fixture started is stopped again with stop-slurm.sh when the tests are done.
/// </summary>
public sealed class SlurmFixture : IDisposable
{
    private readonly bool _started;

    public SlurmFixture()
    {
        string? root = RepositoryRoot();
        if (root is null)
        {
            SkipReason = "scripts/slurm/start-slurm.sh was not found above " + AppContext.BaseDirectory;
            return;
        }

        Scripts = Path.Combine(root, "scripts", "slurm");
        var (code, output) = Run(Path.Combine(Scripts, "start-slurm.sh"), TimeSpan.FromMinutes(10));
        if (code == 3 && !IsRoot())
        {
            SkipReason = "Slurm is not installed and the tests do not run as root (install slurmctld slurmd slurm-client munge, or run scripts/slurm/start-slurm.sh as root)";
            return;
        }

        if (code != 0)
        {
            throw new InvalidOperationException($"scripts/slurm/start-slurm.sh failed (exit {code}):\n{output}");
        }

        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        SlurmConf = lines.Last(l => l.StartsWith("SLURM_CONF=", StringComparison.Ordinal))["SLURM_CONF=".Length..];
        _started = lines[^1] == "started";
    }

    /// <summary>Why the Slurm tests cannot run here, or null.</summary>
    public string? SkipReason { get; }

    /// <summary>The cluster's slurm.conf (SLURM_CONF for sbatch, squeue and scancel).</summary>
    public string SlurmConf { get; } = string.Empty;

    private string Scripts { get; } = string.Empty;

    /// <summary>Runs a Slurm client command with this cluster's SLURM_CONF and returns its standard output.</summary>
    public string Client(string command, params string[] args)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.Environment["SLURM_CONF"] = SlurmConf;
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var p = Process.Start(info)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return stdout + stderr.Result;
    }

    public void Dispose()
    {
        if (_started)
        {
            Run(Path.Combine(Scripts, "stop-slurm.sh"), TimeSpan.FromMinutes(1));
        }
    }

    private static (int Code, string Output) Run(string script, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        using var p = Process.Start(info)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            return (-1, $"{script} did not finish in {timeout}");
        }

        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    private static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "scripts", "slurm", "start-slurm.sh")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    private static bool IsRoot() => Environment.UserName == "root";
}
