using System.Diagnostics;
using System.Text;
using Xunit;

namespace ChunkCompute.Tests.Interop;

/// <summary>Runs scripts with Debian's /usr/bin/python3 (zarr-python 2, numcodecs, NumPy) for interop tests.</summary>
internal static class PythonZarr
{
    public const string Python = "/usr/bin/python3";

    public const string SkipReason = "python3-zarr not installed: apt-get install python3-zarr";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private static readonly Lazy<bool> ZarrAvailable = new(() => Probe("import zarr, numpy"));

    private static readonly Lazy<bool> NumPyAvailable = new(() => Probe("import numpy"));

    /// <summary>True when python3 with zarr and numpy can be imported (checked once).</summary>
    public static bool IsAvailable => ZarrAvailable.Value;

    /// <summary>True when python3 with numpy can be imported (checked once).</summary>
    public static bool HasNumPy => NumPyAvailable.Value;

    /// <summary>Skips the calling test (reported as skipped, not passed) when python3-zarr is missing.</summary>
    public static void RequireOrSkip() => Assert.SkipUnless(IsAvailable, SkipReason);

    /// <summary>Runs <paramref name="script"/> with <paramref name="args"/>; returns stdout, fails with stderr on a non-zero exit.</summary>
    public static string Run(string script, params string[] args)
    {
        var (code, stdout, stderr) = RunRaw(script, args);
        if (code != 0)
        {
            Assert.Fail($"python3 exited with {code}\n--- stderr ---\n{stderr}\n--- stdout ---\n{stdout}");
        }

        return stdout;
    }

    private static bool Probe(string script)
    {
        if (!File.Exists(Python))
        {
            return false;
        }

        try
        {
            return RunRaw(script, []).Code == 0;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or TimeoutException)
        {
            return false;
        }
    }

    private static (int Code, string Stdout, string Stderr) RunRaw(string script, string[] args)
    {
        var info = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.Environment["PYTHONIOENCODING"] = "utf-8";
        info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + Python);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"python3 did not finish within {Timeout.TotalSeconds} s");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}
