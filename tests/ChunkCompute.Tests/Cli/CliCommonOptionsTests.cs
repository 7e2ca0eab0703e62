using System.Text.Json;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Cli;

public sealed class CliCommonOptionsTests
{
    [Theory]
    [InlineData("info")]
    [InlineData("import")]
    [InlineData("export")]
    [InlineData("stats")]
    [InlineData("convert")]
    [InlineData("append")]
    [InlineData("verify")]
    [InlineData("gc")]
    public void Help_EveryCommand_ListsCommonOptions(string command)
    {
        var help = CliHarness.Expect(0, command, "--help").Stdout;
        Assert.Contains("--quiet", help, StringComparison.Ordinal);
        Assert.Contains("--verbose", help, StringComparison.Ordinal);
        Assert.Contains("--json", help, StringComparison.Ordinal);
        Assert.Contains("--memory", help, StringComparison.Ordinal);
        Assert.Contains("default 1GiB", help, StringComparison.Ordinal);
    }

    [Fact]
    public void ImportExport_JsonAndQuiet_PrintOneObjectOrOneLine()
    {
        using var tmp = new TempDirectory("cc-cli-common");
        string npy = tmp.Combine("in.npy");
        CliHarness.SaveMatrix(npy);
        string store = tmp.Combine("s.zarr");
        var import = CliHarness.Expect(0, "import", npy, store, "--array", "m", "--json", "--quiet");
        var json = JsonDocument.Parse(import.Stdout).RootElement;
        Assert.Equal("m", json.GetProperty("array").GetString());
        Assert.Equal("int32", json.GetProperty("dtype").GetString());
        Assert.Empty(import.Stderr);

        var export = CliHarness.Expect(0, "export", store, tmp.Combine("o.npy"), "--array", "m", "--slice", "2:5", "--json");
        var ej = JsonDocument.Parse(export.Stdout).RootElement;
        Assert.Equal([3L, 6L], ej.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(3 * 6 * 4, ej.GetProperty("bytes_written").GetInt64());

        // The 240-byte chunk (10 x 6 int32) with its stored bytes (taken as large again) and one 24-byte output row
        // needs 504 B: 400 B is refused before any chunk is read, naming the chunk; 1 KiB holds it.
        var refused = CliHarness.ExpectError("decodes to 240 B", "export", store, tmp.Combine("o3.npy"), "--array", "m", "--quiet", "--memory", "400B");
        Assert.Contains("--memory 400 B cannot hold it", refused.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(tmp.Combine("o3.npy")));
        var quiet = CliHarness.Expect(0, "export", store, tmp.Combine("o2.npy"), "--array", "m", "--quiet", "--memory", "1KiB");
        Assert.StartsWith("exported ", Assert.Single(quiet.Stdout.Trim().Split('\n')), StringComparison.Ordinal);
        Assert.Empty(quiet.Stderr);
    }

    [Fact]
    public void Stats_QuietAndCancelled_ResultOnlyOrExitOneThirty()
    {
        using var tmp = new TempDirectory("cc-cli-common");
        string npy = tmp.Combine("in.npy");
        CliHarness.SaveMatrix(npy);
        string store = tmp.Combine("s.zarr");
        CliHarness.Expect(0, "import", npy, store, "--array", "m", "--chunks", "3,3");
        var quiet = CliHarness.Expect(0, "stats", store, "--array", "m", "--op", "sum", "--quiet");
        Assert.Equal("2850", quiet.Stdout.Trim());
        Assert.Empty(quiet.Stderr);

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var result = CliHarness.RunCancellable(cancelled.Token, "stats", store, "--array", "m", "--op", "sum");
        Assert.True(result.ExitCode == 130, result.ToString());
        Assert.Empty(result.Stdout);
    }
}
