using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit;

namespace ChunkCompute.Tests.Packaging;

/// <summary>
/// One version number, in one place: VersionPrefix in the repository's Directory.Build.props is the version of every
/// shipped assembly (and so of every package, which .ci/packages.sh checks) and what <c>chunkcompute --version</c> prints.
/// </summary>
public sealed class VersionTests
{
    private static readonly string[] ShippedAssemblies =
        ["ChunkCompute.Storage", "ChunkCompute.Graph", "ChunkCompute.Ops", "ChunkCompute.Scheduler", "ChunkCompute.ML", "chunkcompute"];

    [Fact]
    public void EveryShippedAssembly_HasTheVersionPrefix()
    {
        string prefix = VersionPrefix();
        foreach (string name in ShippedAssemblies)
        {
            var assembly = Assembly.Load(name);
            string? informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            Assert.True(informational is not null && IsVersion(informational, prefix), $"{name}: informational version '{informational}', expected {prefix}[+commit]");
            Assert.Equal(Version.Parse(prefix + ".0"), assembly.GetName().Version);
        }
    }

    [Fact]
    public void ChunkcomputeVersion_PrintsTheVersionPrefix()
    {
        // Out of process: System.CommandLine prints the entry assembly's version, which in-process is the test runner's.
        string tool = Path.Combine(AppContext.BaseDirectory, "chunkcompute.dll");
        Assert.True(File.Exists(tool), "chunkcompute.dll is not next to the tests: " + tool);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(tool);
        start.ArgumentList.Add("--version");
        using var process = Process.Start(start)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), "chunkcompute --version did not exit within 60 s");
        Assert.True(process.ExitCode == 0, $"chunkcompute --version exited {process.ExitCode}: {stderr}");
        string printed = stdout.Trim();
        Assert.True(IsVersion(printed, VersionPrefix()), $"chunkcompute --version printed '{printed}', expected {VersionPrefix()}[+commit]");
    }

    private static bool IsVersion(string text, string prefix) =>
        Regex.IsMatch(text, "^" + Regex.Escape(prefix) + @"(-[0-9A-Za-z.-]+)?(\+[0-9a-f]+)?$", RegexOptions.CultureInvariant); // [-suffix][+commit]

    /// <summary>VersionPrefix from the Directory.Build.props next to ChunkCompute.sln (found above the test binaries).</summary>
    private static string VersionPrefix()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ChunkCompute.sln")))
        {
            directory = directory.Parent;
        }

        Assert.True(directory is not null, "no ChunkCompute.sln above " + AppContext.BaseDirectory);
        var props = XDocument.Load(Path.Combine(directory.FullName, "Directory.Build.props"));
        var prefixes = props.Descendants("VersionPrefix").Select(e => e.Value.Trim()).ToList();
        Assert.True(prefixes.Count == 1, $"expected exactly one VersionPrefix in Directory.Build.props, found {prefixes.Count}");
        Assert.Matches(@"^\d+\.\d+\.\d+$", prefixes[0]);
        return prefixes[0];
    }
}
