using System.Text.Json;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Npy;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Cli;

/// <summary><c>append</c>, <c>verify</c> and <c>gc</c> through the real entry point.</summary>
public sealed class CliTransactionCommandsTests : IDisposable
{
    private readonly TempDirectory _dir = new("cc-cli-tx");

    public void Dispose() => _dir.Dispose();

    private string Store => _dir.Combine("s.zarr");

    private int[] ImportMatrix(long rows = 10)
    {
        string npy = _dir.Combine("m.npy");
        var data = CliHarness.SaveMatrix(npy, rows);
        CliHarness.Expect(0, "import", npy, Store, "--array", "m", "--chunks", "4,6");
        return data;
    }

    [Fact]
    public void Append_AddsRowsInOneCommit_AndJsonReportsShapes()
    {
        var first = ImportMatrix();
        long versionBefore = ZarrStore.OpenExisting(Store).Version!.Value;
        string more = _dir.Combine("more.npy");
        var extra = Enumerable.Range(0, 7 * 6).Select(i => -i).ToArray();
        Npy.Save<int>(more, extra, [7, 6]);

        var result = CliHarness.Expect(0, "append", more, Store, "--array", "m", "--json");
        using var doc = JsonDocument.Parse(result.Stdout);
        var root = doc.RootElement;
        Assert.Equal(7, root.GetProperty("appended").GetInt64());
        Assert.Equal([10L, 6L], root.GetProperty("shape_before").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal([17L, 6L], root.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(versionBefore + 1, root.GetProperty("version").GetInt64()); // one commit

        using var zarr = ZarrStore.OpenExisting(Store);
        Assert.Equal(first.Concat(extra).ToArray(), zarr.OpenArray<int>("m").Read());

        // One slice (rank one less) appends one row; text output names the shapes.
        string row = _dir.Combine("row.npy");
        Npy.Save<int>(row, [1, 2, 3, 4, 5, 6], [6]);
        var text = CliHarness.Expect(0, "append", row, Store, "--array", "m");
        Assert.Contains("[17, 6] -> [18, 6]", text.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Append_WrongDtypeOrShape_FailsWithOneLine_StoreUnchanged()
    {
        var first = ImportMatrix();
        string doubles = _dir.Combine("d.npy");
        Npy.Save<double>(doubles, new double[12], [2, 6]);
        CliHarness.ExpectError("float64", "append", doubles, Store, "--array", "m");
        string narrow = _dir.Combine("n.npy");
        Npy.Save<int>(narrow, new int[10], [2, 5]);
        CliHarness.ExpectError("dimension 1: 5 vs 6", "append", narrow, Store, "--array", "m");
        CliHarness.ExpectError("'nope'", "append", narrow, Store, "--array", "nope");
        using var zarr = ZarrStore.OpenExisting(Store);
        Assert.Equal(first, zarr.OpenArray<int>("m").Read());
    }

    [Fact]
    public void Verify_SoundStore_ExitsZero_CorruptChunk_ExitsOneNamingIt()
    {
        ImportMatrix();
        var ok = CliHarness.Expect(0, "verify", Store, "--json");
        using (var doc = JsonDocument.Parse(ok.Stdout))
        {
            Assert.True(doc.RootElement.GetProperty("sound").GetBoolean());
            Assert.Equal(3, doc.RootElement.GetProperty("chunks").GetInt64());
            Assert.Equal(1, doc.RootElement.GetProperty("arrays").GetInt32());
        }

        // Truncate one chunk file and orphan a staging folder.
        string chunk = Path.Combine(Store, "m", "c", "1", "0");
        var bytes = File.ReadAllBytes(chunk);
        File.WriteAllBytes(chunk, bytes[..(bytes.Length / 2)]);
        Directory.CreateDirectory(Path.Combine(Store, ".chunkcompute", "staging", "dead-tx"));

        var bad = CliHarness.Expect(1, "verify", Store);
        Assert.Contains("m/c/1/0", bad.Stdout, StringComparison.Ordinal);
        Assert.Contains("1 problem(s)", bad.Stdout, StringComparison.Ordinal); // the orphan was removed on open
        var badJson = CliHarness.Expect(1, "verify", Store, "--json");
        using var d2 = JsonDocument.Parse(badJson.Stdout);
        Assert.False(d2.RootElement.GetProperty("sound").GetBoolean());
        Assert.Contains("m/c/1/0", d2.RootElement.GetProperty("problems")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Gc_RemovesChunksBeyondShapeAndPreImages()
    {
        ImportMatrix(rows: 12);
        using (var zarr = ZarrStore.OpenExisting(Store))
        {
            var m = zarr.OpenArray<int>("m");
            m.Write(new ArraySubset([0, 0], [4, 6]), new int[24]); // replaces chunk 0: a pre-image
            m.Resize([4, 6]);                                         // chunks 1 and 2 lie beyond
        }

        var result = CliHarness.Expect(0, "gc", Store, "--json");
        using var doc = JsonDocument.Parse(result.Stdout);
        Assert.Equal(2, doc.RootElement.GetProperty("chunks_beyond_shape").GetInt64());
        Assert.True(doc.RootElement.GetProperty("pre_image_versions").GetInt32() >= 1);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(Store, ".chunkcompute", "pre"), "*", SearchOption.AllDirectories));
        CliHarness.Expect(0, "verify", Store);
        var text = CliHarness.Expect(0, "gc", Store);
        Assert.Contains("0 chunk(s) beyond shape", text.Stdout, StringComparison.Ordinal);
    }
}
