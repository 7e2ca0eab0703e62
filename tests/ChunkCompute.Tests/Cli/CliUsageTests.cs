using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Cli;

public sealed class CliUsageTests
{
    [Theory]
    [InlineData("unknown-option")]
    [InlineData("missing-array")]
    [InlineData("bad-chunks")]
    [InlineData("bad-slice-step")]
    [InlineData("bad-format")]
    [InlineData("bad-codec")]
    [InlineData("chunks-rank")]
    [InlineData("unknown-command")]
    public void Run_UsageError_ExitsTwo(string kind)
    {
        using var tmp = new TempDirectory("cc-cli-usage");
        string npy = tmp.Combine("in.npy");
        CliHarness.SaveMatrix(npy);
        string store = tmp.Combine("s.zarr");
        CliHarness.Expect(0, "import", npy, store, "--array", "m");
        string[] args = kind switch
        {
            "unknown-option" => ["info", store, "--bogus"],
            "missing-array" => ["export", store, tmp.Combine("o.npy")],
            "bad-chunks" => ["import", npy, store, "--array", "n", "--chunks", "0,a"],
            "bad-slice-step" => ["export", store, tmp.Combine("o.npy"), "--array", "m", "--slice", "1:2:0"],
            "bad-format" => ["import", npy, store, "--array", "n", "--format", "v4"],
            "bad-codec" => ["import", npy, store, "--array", "n", "--codec", "foo"],
            "chunks-rank" => ["import", npy, store, "--array", "n", "--chunks", "5"],
            _ => ["frobnicate", store],
        };
        var result = CliHarness.Expect(2, args);
        Assert.NotEmpty(result.Stderr);
        Assert.DoesNotContain(result.StderrLines, CliHarness.IsStackFrame);
        Assert.False(Directory.Exists(Path.Combine(store, "n")), "a usage error must not create the array");
    }

    [Fact]
    public void Run_BadCodecLevel_ExitsTwo()
    {
        using var tmp = new TempDirectory("cc-cli-usage");
        string npy = tmp.Combine("in.npy");
        CliHarness.SaveMatrix(npy);
        CliHarness.Expect(2, "import", npy, tmp.Combine("s.zarr"), "--array", "n", "--codec", "zstd:high");
    }
}
