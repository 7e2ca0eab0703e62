using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace ChunkCompute.Examples.PythonInterop;

/// <summary>Runs short scripts with the system's <c>/usr/bin/python3</c>.</summary>
public static class PythonProcess
{
    /// <summary>The interpreter (Debian's, where <c>apt-get install python3-zarr</c> puts zarr-python 2).</summary>
    public const string Python = "/usr/bin/python3";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>True when <see cref="Python"/> exists and can import zarr and numpy.</summary>
    public static bool HasZarr()
    {
        if (!File.Exists(Python))
        {
            return false;
        }

        try
        {
            return Run("import zarr, numpy").ExitCode == 0;
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Runs <c>python3 -c <paramref name="script"/> <paramref name="args"/></c>.</summary>
    /// <returns>The exit code, standard output and standard error.</returns>
    public static (int ExitCode, string Stdout, string Stderr) Run(string script, params string[] args)
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
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + Python);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Python} did not finish within {Timeout.TotalSeconds} s");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    /// <summary>Runs a script that must succeed and returns its standard output.</summary>
    /// <exception cref="InvalidOperationException">The script exited with a non-zero code (its stderr is in the message).</exception>
    public static string RunChecked(string script, params string[] args)
    {
        var (code, stdout, stderr) = Run(script, args);
        return code == 0 ? stdout : throw new InvalidOperationException($"{Python} exited with {code}: {stderr.Trim()}");
    }
}
