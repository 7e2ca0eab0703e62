using ChunkCompute.Tests.Cli;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Storage.Hostile;

/// <summary>
/// Issue 13 through the CLI: a store whose array shape overflows Int64 ([2^63-1] with chunks [2]) used to verify as
/// "sound" with 0 chunks decoded, print negative sizes in <c>info</c>, and lose its stored chunk to <c>gc</c>.
/// </summary>
public sealed class HostileCliTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void OverflowingShape_VerifyFailsNamingTheDocument_GcKeepsTheChunk()
    {
        string store = _dir.Combine("hostile.zarr");
        Directory.CreateDirectory(Path.Combine(store, "x", "c"));
        File.WriteAllText(Path.Combine(store, "zarr.json"), "{\"zarr_format\": 3, \"node_type\": \"group\", \"attributes\": {}}");
        File.WriteAllText(Path.Combine(store, "x", "zarr.json"), "{\"zarr_format\": 3, \"node_type\": \"array\", \"shape\": [9223372036854775807], \"data_type\": \"uint8\", "
            + "\"chunk_grid\": {\"name\": \"regular\", \"configuration\": {\"chunk_shape\": [2]}}, \"chunk_key_encoding\": {\"name\": \"default\", \"configuration\": {\"separator\": \"/\"}}, "
            + "\"fill_value\": 0, \"codecs\": [{\"name\": \"bytes\"}]}");
        string chunk = Path.Combine(store, "x", "c", "0");
        File.WriteAllBytes(chunk, [7, 0]);

        var verify = CliHarness.Run("verify", store);
        Assert.True(verify.ExitCode != 0, "verify must not call the store sound: " + verify);
        Assert.Contains("x/zarr.json", verify.Stdout + verify.Stderr, StringComparison.Ordinal);

        var info = CliHarness.Run("info", store, "--array", "x");
        Assert.True(info.ExitCode != 0, "info must refuse the array: " + info);
        Assert.Contains("x/zarr.json", info.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("-", info.Stdout, StringComparison.Ordinal);

        var gc = CliHarness.Run("gc", store);
        Assert.True(File.Exists(chunk), "gc deleted the stored chunk of an array it could not read: " + gc);
    }
}
