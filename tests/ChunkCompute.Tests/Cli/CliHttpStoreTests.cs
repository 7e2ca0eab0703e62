using System.Text.Json;
using ChunkCompute.Tests.Storage.Stores.Http;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Cli;

/// <summary>
/// Stores named by http:// URL in the CLI (read-only): <c>stats</c> over a zarr-python fixture served on 127.0.0.1
/// equals NumPy's value (Fixtures/zarr-v2/MANIFEST.md) and the local result; <c>export</c> reads it; writing to a URL is
/// refused naming it; an unreachable URL fails with a clear message.
/// </summary>
public sealed class CliHttpStoreTests
{
    [Fact]
    public void Stats_OverHttp_EqualsNumPyAndTheLocalResult()
    {
        string local = Path.Combine(FixturePaths.ZarrV2, "mini_a1d_f8.zarr");
        using var server = new LoopbackHttpServer(local);
        var remote = JsonDocument.Parse(CliHarness.Expect(0, ["stats", server.Url, "--array", "", "--op", "mean", "--json"]).Stdout).RootElement;
        var here = JsonDocument.Parse(CliHarness.Expect(0, ["stats", local, "--array", "", "--op", "mean", "--json"]).Stdout).RootElement;
        Assert.Equal(-0.0023266015624999999, remote.GetProperty("value").GetDouble(), 1e-15);
        Assert.Equal(here.GetProperty("value").GetDouble(), remote.GetProperty("value").GetDouble());
        Assert.True(server.Requests > 0);
    }

    [Fact]
    public void Export_OverHttp_WritesTheSameNpy()
    {
        string local = Path.Combine(FixturePaths.ZarrV2, "mini_a1d_f8.zarr");
        using var server = new LoopbackHttpServer(local);
        using var tmp = new Interop.TempDirectory("cc-http-export");
        CliHarness.Expect(0, ["export", server.Url, tmp.Combine("remote.npy"), "--array", ""]);
        CliHarness.Expect(0, ["export", local, tmp.Combine("local.npy"), "--array", ""]);
        Assert.Equal(File.ReadAllBytes(tmp.Combine("local.npy")), File.ReadAllBytes(tmp.Combine("remote.npy")));
    }

    [Fact]
    public void Unreachable_Url_FailsNamingIt()
    {
        string url = $"http://127.0.0.1:{LoopbackHttpServer.FreePort()}/data.zarr";
        var result = CliHarness.Run("stats", url, "--array", "x", "--op", "mean");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(url, result.Stderr, StringComparison.Ordinal);
    }
}
