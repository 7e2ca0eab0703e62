using System.Globalization;
using System.Xml.Linq;
using ChunkCompute.Cli.Commands;
using ChunkCompute.Storage;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Cli;

/// <summary><c>chunkcompute info STORE --array PATH --svg FILE</c>: the chunk-grid diagram.</summary>
public sealed class CliInfoSvgTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Theory]
    [InlineData(ZarrFormat.V2)]
    [InlineData(ZarrFormat.V3)]
    public void Svg_2D_OneRectPerChunk_StoredChunksShaded(ZarrFormat format)
    {
        using var tmp = new TempDirectory("cc-cli-svg");
        string root = tmp.Combine("s.zarr");
        using (var store = ZarrStore.Open(root, new ZarrStoreOptions { DefaultFormat = format }))
        {
            // 10 x 7 in 4 x 3 chunks: a 3 x 3 grid with partial edge chunks; only the first row of chunks is written.
            var a = store.CreateArray<int>("grp/a", [10, 7], [4, 3], new ArrayOptions { Format = format });
            a.Write(new ArraySubset([0, 0], [4, 7]), Enumerable.Range(1, 28).ToArray());
        }

        string file = tmp.Combine("grid.svg");
        var result = CliHarness.Expect(0, "info", root, "--array", "grp/a", "--svg", file);
        Assert.Contains("shape [10, 7]", result.Stdout, StringComparison.Ordinal);

        var doc = XDocument.Load(file);
        Assert.Equal(Svg + "svg", doc.Root!.Name);
        var rects = doc.Descendants(Svg + "rect").ToList();
        Assert.Equal(9, rects.Count);
        var opacity = rects.Select(r => double.Parse(r.Attribute("fill-opacity")!.Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(3, opacity.Count(o => o > 0.5));
        Assert.Equal(6, opacity.Count(o => o < 0.2));

        // Partial edge chunks are narrower: the widths along a row are proportional to 3, 3, 1.
        var firstRow = rects.Take(3).Select(r => double.Parse(r.Attribute("width")!.Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(firstRow[0], firstRow[1], 0.02);
        Assert.Equal(firstRow[0] / 3, firstRow[2], 0.02);

        string text = string.Join("\n", doc.Descendants(Svg + "text").Select(t => t.Value));
        Assert.Contains("shape (10, 7)", text, StringComparison.Ordinal);
        Assert.Contains("chunks (4, 3)", text, StringComparison.Ordinal);
        Assert.Contains("int32", text, StringComparison.Ordinal);
        Assert.Contains("stored chunks: 3 of 9", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Svg_WithoutArray_OnAGroup_IsAUsageError()
    {
        using var tmp = new TempDirectory("cc-cli-svg");
        string root = tmp.Combine("s.zarr");
        using (var store = ZarrStore.Open(root))
        {
            store.CreateArray<float>("a", [4], [2]);
        }

        string file = tmp.Combine("grid.svg");
        var result = CliHarness.Expect(2, "info", root, "--svg", file);
        Assert.Contains("--array", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
    }

    [Theory]
    [InlineData(new long[] { 100 }, new[] { 30 }, 4)]
    [InlineData(new long[] { 20, 30, 40 }, new[] { 10, 10, 10 }, 3 * 4)]
    [InlineData(new long[] { 2, 20, 30, 40 }, new[] { 1, 10, 10, 10 }, 3 * 4)]
    [InlineData(new long[] { 1_000_000 }, new[] { 100 }, 64)]
    [InlineData(new long[0], new int[0], 1)]
    public void Svg_OtherRanks_AreWellFormedWithOneRectPerFrontCell(long[] shape, int[] chunks, int expectedRects)
    {
        string svg = ChunkGridSvg.Render(shape, chunks, ["/x <&>", "dtype float64"], isStored: null);
        var doc = XDocument.Parse(svg);
        Assert.Equal(expectedRects, doc.Descendants(Svg + "rect").Count());
        Assert.Equal(shape.Length >= 3 ? 2 : 0, doc.Descendants(Svg + "polygon").Count());
        Assert.Contains(doc.Descendants(Svg + "text"), t => t.Value == "/x <&>");
    }
}
