using System.Reflection;
using System.Xml.Linq;
using Xunit;

namespace ChunkCompute.Onnx.Tests;

/// <summary>
/// ChunkCompute.Onnx ships like the engine's libraries (ChunkCompute.Tests' VersionTests and TrimCompatibilityTests do
/// not reference it, so that ONNX Runtime stays out of the engine's tests): the one version, and trimmable.
/// </summary>
public sealed class OnnxPackageTests
{
    [Fact]
    public void Assembly_HasTheVersionPrefixAndIsMarkedTrimmable()
    {
        var assembly = typeof(OnnxModel).Assembly;
        Assert.Equal("ChunkCompute.Onnx", assembly.GetName().Name);
        Assert.Equal(Version.Parse(VersionPrefix() + ".0"), assembly.GetName().Version);
        var trimmable = assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == "IsTrimmable");
        Assert.Equal("True", trimmable?.Value);
    }

    private static string VersionPrefix()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ChunkCompute.sln")))
        {
            directory = directory.Parent;
        }

        Assert.True(directory is not null, "no ChunkCompute.sln above " + AppContext.BaseDirectory);
        var props = XDocument.Load(Path.Combine(directory.FullName, "Directory.Build.props"));
        return Assert.Single(props.Descendants("VersionPrefix")).Value.Trim();
    }
}
