using Xunit;
using ChunkCompute.Cli;
using ChunkCompute.Cli.Commands;

namespace ChunkCompute.Tests.Cli;

public sealed class CliParsingTests
{
    [Theory]
    [InlineData("512MiB", 512L << 20)]
    [InlineData("2GiB", 2L << 30)]
    [InlineData("1.5GB", 1_500_000_000L)]
    [InlineData("4096", 4096L)]
    [InlineData("64 KiB", 65536L)]
    [InlineData("1tib", 1L << 40)]
    public void ParseSize_ValidSizes_ReturnBytes(string text, long expected) =>
        Assert.Equal(expected, CliParsing.ParseSize(text, "--memory"));

    [Theory]
    [InlineData("")]
    [InlineData("lots")]
    [InlineData("12XB")]
    [InlineData("0")]
    [InlineData("-5MiB")]
    public void ParseSize_Invalid_ThrowsUsageNamingOption(string text)
    {
        var ex = Assert.Throws<UsageException>(() => CliParsing.ParseSize(text, "--memory"));
        Assert.Contains("--memory", ex.Message, StringComparison.Ordinal);
    }
}
