using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Xunit;

namespace ChunkCompute.Tests.TestSupport;

/// <summary>
/// Runs some of this test assembly's own test classes in a child process (its xunit v3 runner) with a changed
/// environment — instruction sets switched off, native libraries unused — and returns the child's counts.
/// </summary>
internal static partial class ChildTestRun
{
    /// <summary>The child's exit code, its test counts and its whole output.</summary>
    public sealed record Result(int ExitCode, int Total, int Failed, int Skipped, string Output)
    {
        /// <summary>Passes when the child ran at least <paramref name="atLeast"/> tests, none failed or skipped.</summary>
        public void AssertAllPassed(string what, int atLeast = 1) =>
            Assert.True(ExitCode == 0 && Failed == 0 && Skipped == 0 && Total >= atLeast, $"{what}: exit {ExitCode}, {Failed} failed, {Skipped} skipped of {Total}:\n{Output}");
    }

    /// <summary>
    /// Runs <paramref name="classes"/> in a child with <paramref name="environment"/> set (a null value removes the
    /// variable) and <paramref name="remove"/> variables removed; fails the test if no summary comes back in 120 s.
    /// </summary>
    public static async Task<Result> RunAsync(IEnumerable<string> classes, IReadOnlyDictionary<string, string?> environment, Func<string, bool>? remove = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(typeof(ChildTestRun).Assembly.Location);
        info.ArgumentList.Add("-noLogo");
        info.ArgumentList.Add("-noColor");
        foreach (var c in classes)
        {
            info.ArgumentList.Add("-class");
            info.ArgumentList.Add(c);
        }

        if (remove is not null)
        {
            foreach (var key in info.Environment.Keys.Where(remove).ToList())
            {
                info.Environment.Remove(key);
            }
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var child = Process.Start(info) ?? throw new InvalidOperationException("could not start the child test run");
        var output = child.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = child.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));
        try
        {
            await child.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            child.Kill(entireProcessTree: true);
            throw;
        }

        string text = await output + await error;
        var summary = Summary().Match(text);
        Assert.True(summary.Success, $"no test summary in the child's output:\n{text}");
        int Count(string name) => int.Parse(summary.Groups[name].Value, CultureInfo.InvariantCulture);
        return new Result(child.ExitCode, Count("total"), Count("failed"), Count("skipped"), text);
    }

    [GeneratedRegex(@"Total: (?<total>\d+), Errors: \d+, Failed: (?<failed>\d+), Skipped: (?<skipped>\d+)")]
    private static partial Regex Summary();
}
