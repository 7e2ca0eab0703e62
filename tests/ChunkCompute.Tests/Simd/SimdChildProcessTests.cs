using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Xunit;

namespace ChunkCompute.Tests.Simd;

/// <summary>
/// Every SIMD branch tested: in-process the tests reach only the machine's best instruction set, so this reruns the
/// SIMD kernels' tests (and <see cref="SimdPathProbeTests"/>, which asserts the branch taken) in a child process per
/// lower level, with the runtime's instruction-set switches off. Each child is this test assembly's own xunit v3 runner
/// (<c>dotnet ChunkCompute.Tests.dll -class …</c>), a second or two each.
/// </summary>
public sealed partial class SimdChildProcessTests
{
    /// <summary>The test classes rerun at each level: the path probe and the kernels' tests against scalar references.</summary>
    private static readonly string[] KernelTestClasses =
    [
        typeof(SimdPathProbeTests).FullName!,
        typeof(Ops.Reductions.DoubleBlocksTests).FullName!,
        typeof(Storage.Codecs.ShuffleKernelTests).FullName!,
    ];

    public static TheoryData<string> LevelNames() => [.. SimdPaths.Levels.Select(l => l.Level)];

    [Theory]
    [MemberData(nameof(LevelNames))]
    public async Task KernelTests_Pass_WithHigherInstructionSetsSwitchedOff(string level)
    {
        Assert.SkipUnless(RuntimeInformation.ProcessArchitecture == Architecture.X64, "the SIMD kernels' x86 branches exist on x64 only");
        var (_, @switch, _) = SimdPaths.Levels.Single(l => l.Level == level);
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(typeof(SimdChildProcessTests).Assembly.Location);
        info.ArgumentList.Add("-noLogo");
        info.ArgumentList.Add("-noColor");
        foreach (var c in KernelTestClasses)
        {
            info.ArgumentList.Add("-class");
            info.ArgumentList.Add(c);
        }

        foreach (var key in Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("DOTNET_Enable", StringComparison.Ordinal)))
        {
            info.Environment.Remove(key); // only this level's switch
        }

        info.Environment[@switch] = "0";
        info.Environment[SimdPaths.LevelVariable] = level;

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
        Assert.True(summary.Success, $"{@switch}=0: no test summary in the child's output:\n{text}");
        int total = int.Parse(summary.Groups["total"].Value, CultureInfo.InvariantCulture);
        int failed = int.Parse(summary.Groups["failed"].Value, CultureInfo.InvariantCulture);
        int skipped = int.Parse(summary.Groups["skipped"].Value, CultureInfo.InvariantCulture);
        Assert.True(child.ExitCode == 0 && failed == 0 && skipped == 0, $"{@switch}=0 (level {level}): exit {child.ExitCode}, {failed} failed, {skipped} skipped of {total}:\n{text}");
        Assert.True(total >= 20, $"{@switch}=0: only {total} tests ran in the child:\n{text}");
    }

    [GeneratedRegex(@"Total: (?<total>\d+), Errors: \d+, Failed: (?<failed>\d+), Skipped: (?<skipped>\d+)")]
    private static partial Regex Summary();
}
