using System.Runtime.InteropServices;
using Xunit;

namespace ChunkCompute.Tests.Simd;

/// <summary>
/// The kernels take the branch the instruction-set level calls for: the machine's best in the ordinary run, the level
/// named by <see cref="SimdPaths.LevelVariable"/> in a child process started by <see cref="SimdChildProcessTests"/>.
/// </summary>
public sealed class SimdPathProbeTests
{
    [Fact]
    public void ActivePaths_AreThoseOfTheRequestedLevel()
    {
        Assert.SkipUnless(RuntimeInformation.ProcessArchitecture == Architecture.X64, "the SIMD kernels' x86 branches exist on x64 only");
        string? level = Environment.GetEnvironmentVariable(SimdPaths.LevelVariable);
        SimdPaths.Paths expected;
        if (level is null)
        {
            // The ordinary run: nothing switched off, so the paths follow the CPU's flags (read independently of .NET).
            var flags = CpuFlags();
            Assert.SkipWhen(flags is null, "no /proc/cpuinfo to compare with");
            string best = flags!.Contains("avx512f") ? "native" : flags.Contains("avx2") ? "avx2" : flags.Contains("avx") ? "avx" : "sse4.2";
            Assert.SkipWhen(best != "native" && Environment.GetEnvironmentVariables().Keys.Cast<string>().Any(k => k.StartsWith("DOTNET_Enable", StringComparison.Ordinal)), "instruction sets are switched off for the whole run");
            expected = best == "native" ? SimdPaths.Best : SimdPaths.Levels.Single(l => l.Level == best).Expected;
        }
        else
        {
            expected = SimdPaths.Levels.Single(l => l.Level == level).Expected;
        }

        Assert.Equal(expected, SimdPaths.Current);
    }

    // The flags of the first CPU in /proc/cpuinfo, or null where there is none.
    private static HashSet<string>? CpuFlags()
    {
        if (!File.Exists("/proc/cpuinfo"))
        {
            return null;
        }

        string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
        return line is null ? null : [.. line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)];
    }
}
