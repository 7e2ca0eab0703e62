using ChunkCompute.Cli;
using ChunkCompute.Storage.Npy;
using Xunit;

namespace ChunkCompute.Tests.Cli;

/// <summary>Runs the real CLI entry point in-process and writes test inputs.</summary>
internal static class CliHarness
{
    public static CliResult Run(params string[] args) => RunCancellable(CancellationToken.None, args);

    /// <summary>Runs with a cancellation token, as Ctrl-C in Program.Main would cancel it.</summary>
    public static CliResult RunCancellable(CancellationToken cancellationToken, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr, cancellationToken);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs and asserts the exit code, showing all output on failure.</summary>
    public static CliResult Expect(int exitCode, params string[] args)
    {
        var result = Run(args);
        Assert.True(result.ExitCode == exitCode, $"expected exit {exitCode} for [{string.Join(" ", args)}], got {result}");
        return result;
    }

    /// <summary>Asserts a runtime failure: exit 1, one stderr line naming the problem, no stack trace.</summary>
    public static CliResult ExpectError(string mustMention, params string[] args)
    {
        var result = Expect(1, args);
        Assert.True(result.StderrLines.Length == 1, "expected exactly one stderr line, got " + result);
        Assert.StartsWith("chunkcompute:", result.StderrLines[0], StringComparison.Ordinal);
        Assert.Contains(mustMention, result.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(result.StderrLines, IsStackFrame);
        return result;
    }

    /// <summary>A stack trace line ("at Namespace.Type.Method(...)") as --verbose prints it.</summary>
    public static bool IsStackFrame(string line) => line.TrimStart().StartsWith("at ", StringComparison.Ordinal) && line.Contains('(', StringComparison.Ordinal);

    /// <summary>A 10 × 6 int32 matrix with a[i, j] = 10 * i + j, saved as .npy.</summary>
    public static int[] SaveMatrix(string path, long rows = 10, long cols = 6)
    {
        var data = new int[rows * cols];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (int)((10 * (i / cols)) + (i % cols));
        }

        Npy.Save<int>(path, data, [rows, cols]);
        return data;
    }
}
