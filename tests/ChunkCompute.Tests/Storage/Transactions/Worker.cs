using System.Diagnostics;

namespace ChunkCompute.Tests.Storage.Transactions;

/// <summary>Starts the test worker (tests/ChunkCompute.TestWorker) as a separate process.</summary>
internal static class Worker
{
    private static string DllPath => Path.Combine(AppContext.BaseDirectory, "ChunkCompute.TestWorker.dll");

    public static Process Start(params string[] args) => Start(null, args);

    /// <summary>Starts the worker with extra environment variables.</summary>
    public static Process Start(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        info.ArgumentList.Add(DllPath);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("could not start the test worker");
    }

    /// <summary>Runs the worker to completion and returns its standard output lines.</summary>
    public static Task<string[]> RunAsync(string[] args, CancellationToken cancellationToken) => RunAsync(null, args, cancellationToken);

    /// <summary>Runs the worker with extra environment variables to completion and returns its standard output lines.</summary>
    public static async Task<string[]> RunAsync(IReadOnlyDictionary<string, string>? environment, string[] args, CancellationToken cancellationToken)
    {
        using var p = Start(environment, args);
        var output = p.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = p.StandardError.ReadToEndAsync(cancellationToken);
        await p.WaitForExitAsync(cancellationToken);
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"worker {string.Join(' ', args)} exited {p.ExitCode}: {await error}");
        }

        return (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
