using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ChunkCompute.Storage.Codecs;
using Xunit;

namespace ChunkCompute.Tests.Storage.Codecs;

/// <summary>
/// A machine without native compression libraries reads and writes every codec: reruns <see cref="ManagedCodecsChild"/>
/// in a child process (this test assembly's own xunit v3 runner) with <c>CHUNKCOMPUTE_CODECS=managed</c>; the child
/// round-trips every codec, decodes every compressed fixture, and checks in /proc/self/maps that no native LZ4,
/// Zstandard or bzip2 library was ever loaded.
/// </summary>
public sealed partial class ManagedCodecsChildProcessTests
{
    /// <summary>Set in the child's environment; the child's test runs only when it is.</summary>
    internal const string ChildVariable = "CHUNKCOMPUTE_TEST_MANAGED_CODECS_CHILD";

    [Fact]
    public async Task EveryCodec_ReadsAndWrites_WithNoNativeLibraryLoaded()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the child reads /proc/self/maps");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(typeof(ManagedCodecsChildProcessTests).Assembly.Location);
        info.ArgumentList.Add("-noLogo");
        info.ArgumentList.Add("-noColor");
        info.ArgumentList.Add("-class");
        info.ArgumentList.Add(typeof(ManagedCodecsChild).FullName!);
        info.Environment[CodecBackends.EnvironmentVariable] = "managed";
        info.Environment[ChildVariable] = "1";

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
        int total = int.Parse(summary.Groups["total"].Value, CultureInfo.InvariantCulture);
        int failed = int.Parse(summary.Groups["failed"].Value, CultureInfo.InvariantCulture);
        int skipped = int.Parse(summary.Groups["skipped"].Value, CultureInfo.InvariantCulture);
        Assert.True(child.ExitCode == 0 && failed == 0 && skipped == 0 && total == 1, $"exit {child.ExitCode}, {failed} failed, {skipped} skipped of {total}:\n{text}");
    }

    [GeneratedRegex(@"Total: (?<total>\d+), Errors: \d+, Failed: (?<failed>\d+), Skipped: (?<skipped>\d+)")]
    private static partial Regex Summary();
}

/// <summary>The child's side of <see cref="ManagedCodecsChildProcessTests"/>: skipped unless run as that child.</summary>
public sealed class ManagedCodecsChild
{
    private static readonly string[] NativeLibraries = ["liblz4.so", "libzstd.so", "libbz2.so"];

    [Fact]
    public void EveryCodec_RoundTripsAndDecodesFixtures_Managed()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable(ManagedCodecsChildProcessTests.ChildVariable) == "1", "runs only as the child process of ManagedCodecsChildProcessTests");
        Assert.Equal(CodecBackend.Managed, CodecBackends.Prefer);

        var checkedCodecs = 0;
        foreach (var (label, codec) in CodecTestData.AllCodecs(8))
        {
            foreach (var size in new[] { 0, 1, 1000, 65537, (1 << 20) + 13 })
            {
                var data = CodecTestData.Data(size, size);
                var encoded = codec.Encode(data);
                var exact = new byte[size];
                codec.Decode(encoded, exact);
                Assert.True(data.AsSpan().SequenceEqual(exact), $"{label}, {size} bytes: round trip differs");
                Assert.True(data.AsSpan().SequenceEqual(codec.Decode(encoded)), $"{label}, {size} bytes: unbounded decode differs");
            }

            checkedCodecs++;
        }

        // Every compressed zarr-python fixture (lz4, zstd, bz2, blosc lz4/lz4hc/zstd/zlib/blosclz, gzip, zlib) and
        // every c-blosc vector decodes to the raw chunks.
        var fixtures = 0;
        foreach (var dir in Directory.GetDirectories(CodecTestData.Fixture("zarr-v2"), "comp_*_f8.zarr").Where(d => !d.EndsWith("comp_none_f8.zarr", StringComparison.Ordinal)))
        {
            var zarray = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, ".zarray")))!.AsObject();
            var codec = CodecRegistry.CreateBytesToBytesFromV2(zarray["compressor"]!.AsObject(), 8);
            foreach (var chunk in new[] { "0.0", "0.1", "1.0", "1.1", "2.0", "2.1" })
            {
                var expected = File.ReadAllBytes(CodecTestData.Fixture("zarr-v2", "comp_none_f8.zarr", chunk));
                Assert.True(expected.AsSpan().SequenceEqual(codec.Decode(File.ReadAllBytes(Path.Combine(dir, chunk)))), $"{Path.GetFileName(dir)}/{chunk}");
            }

            fixtures++;
        }

        foreach (var line in File.ReadAllLines(CodecTestData.Fixture("blosc", "index.txt")).Where(l => l.Length > 0))
        {
            var parts = line.Split(' ');
            var expected = File.ReadAllBytes(CodecTestData.Fixture("blosc", parts[1]));
            Assert.True(expected.AsSpan().SequenceEqual(BloscCodec.Lz4Shuffle(1).Decode(File.ReadAllBytes(CodecTestData.Fixture("blosc", parts[0] + ".blosc")))), parts[0]);
            fixtures++;
        }

        Assert.True(checkedCodecs >= 20 && fixtures >= 20, $"only {checkedCodecs} codecs and {fixtures} fixtures checked");
        var maps = File.ReadAllText("/proc/self/maps");
        foreach (var library in NativeLibraries)
        {
            Assert.False(maps.Contains(library, StringComparison.Ordinal), $"{library} is mapped into the managed-only process");
        }
    }
}
