using System.Runtime.InteropServices;
using ChunkCompute.Tests.TestSupport;
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
        var result = await ChildTestRun.RunAsync(
            KernelTestClasses,
            new Dictionary<string, string?> { [@switch] = "0", [SimdPaths.LevelVariable] = level },
            remove: key => key.StartsWith("DOTNET_Enable", StringComparison.Ordinal)); // only this level's switch
        result.AssertAllPassed($"{@switch}=0 (level {level})", atLeast: 20);
    }

}
