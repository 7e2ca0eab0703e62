using System.Globalization;
using System.Text;
using System.Text.Json;
using ChunkCompute.Storage;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Cli;

public sealed class CliCsvImportTests
{
    // Writes rows x cols values (some negative, some with exponents, some NaN for floats) and returns the file's text.
    private static string WriteCsv(string path, int rows, int cols, bool header, bool integers, char delimiter = ',')
    {
        var rng = new Random(rows * 31 + cols);
        var sb = new StringBuilder();
        if (header)
        {
            sb.AppendLine(string.Join(delimiter, Enumerable.Range(0, cols).Select(c => $"col {c}")));
        }

        for (int r = 0; r < rows; r++)
        {
            var fields = Enumerable.Range(0, cols).Select(c => integers
                ? rng.Next(-100_000, 100_000).ToString(CultureInfo.InvariantCulture)
                : (r + c) % 17 == 0 ? "nan" : (r + c) % 11 == 0 ? $"{rng.NextDouble() * 10:0.###}e-3" : (rng.NextDouble() * 2000 - 1000).ToString("R", CultureInfo.InvariantCulture));
            sb.AppendLine(string.Join(delimiter, fields));
            if (r == rows / 2)
            {
                sb.AppendLine();
            }
        }

        File.WriteAllText(path, sb.ToString());
        return sb.ToString();
    }

    // The test's own reading of the file: split lines and fields, parse with the invariant culture.
    private static double[] ParseIndependently(string text, bool header, char delimiter = ',')
    {
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).Skip(header ? 1 : 0);
        return lines.SelectMany(l => l.Split(delimiter)).Select(f => f == "nan" ? double.NaN : double.Parse(f, NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ImportCsv_Float64WithAndWithoutHeader_MatchesFile(bool header)
    {
        using var tmp = new TempDirectory("cc-cli-csv");
        string csv = tmp.Combine("in.csv");
        string text = WriteCsv(csv, 203, 7, header, integers: false);
        string store = tmp.Combine("s.zarr");
        var result = CliHarness.Expect(0, "import", csv, store, "--array", "t", "--chunks", "20,4");
        Assert.Equal(header, result.Stdout.Contains("header: col 0, col 1", StringComparison.Ordinal));

        using var zarr = ZarrStore.OpenExisting(store);
        var array = zarr.OpenArray<double>("t");
        Assert.Equal([203L, 7L], array.Shape);
        Assert.Equal([20, 4], array.ChunkShape);
        Assert.Equal(ParseIndependently(text, header), array.Read(TestContext.Current.CancellationToken));
    }

    [Fact]
    public void ImportCsv_Float32_MatchesFile()
    {
        using var tmp = new TempDirectory("cc-cli-csv");
        string csv = tmp.Combine("in.csv");
        string text = WriteCsv(csv, 50, 3, header: true, integers: false);
        string store = tmp.Combine("s.zarr");
        CliHarness.Expect(0, "import", csv, store, "--array", "t", "--dtype", "float32", "--format", "v2");
        using var zarr = ZarrStore.OpenExisting(store);
        var expected = ParseIndependently(text, header: true).Select(v => (float)v).ToArray();
        Assert.Equal(expected, zarr.OpenArray<float>("t").Read(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("int64", true)]
    [InlineData("int32", false)]
    public void ImportCsv_Integers_MatchesFile(string dtype, bool header)
    {
        using var tmp = new TempDirectory("cc-cli-csv");
        string csv = tmp.Combine("in.csv");
        string text = WriteCsv(csv, 99, 5, header, integers: true);
        string store = tmp.Combine("s.zarr");
        var json = JsonDocument.Parse(CliHarness.Expect(0, "import", csv, store, "--array", "i", "--dtype", dtype, "--chunks", "10,5", "--json").Stdout).RootElement;
        Assert.Equal(dtype, json.GetProperty("dtype").GetString());
        Assert.Equal([99L, 5L], json.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(header ? JsonValueKind.Array : JsonValueKind.Null, json.GetProperty("header").ValueKind);
        var expected = ParseIndependently(text, header).Select(v => (long)v).ToArray();
        using var zarr = ZarrStore.OpenExisting(store);
        long[] actual = dtype == "int64"
            ? zarr.OpenArray<long>("i").Read(TestContext.Current.CancellationToken)
            : zarr.OpenArray<int>("i").Read(TestContext.Current.CancellationToken).Select(v => (long)v).ToArray();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void ImportCsv_TabDelimitedWithQuotedHeader_MatchesFile()
    {
        using var tmp = new TempDirectory("cc-cli-csv");
        string tsv = tmp.Combine("in.tsv");
        File.WriteAllText(tsv, "\"a\tb\"\tc\n1\t2.5\n-3\tinf\n");
        string store = tmp.Combine("s.zarr");
        CliHarness.Expect(0, "import", tsv, store, "--array", "t");
        using var zarr = ZarrStore.OpenExisting(store);
        Assert.Equal([1, 2.5, -3, double.PositiveInfinity], zarr.OpenArray<double>("t").Read(TestContext.Current.CancellationToken));

        string semi = tmp.Combine("semi.csv");
        File.WriteAllText(semi, "1;2\n3;4\n");
        CliHarness.Expect(0, "import", semi, store, "--array", "s", "--delimiter", ";", "--dtype", "uint8");
        using var again = ZarrStore.OpenExisting(store);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, again.OpenArray<byte>("s").Read(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("x,y\n1,2\n3,4,5\n", "line 3", "ragged")]
    [InlineData("1,2\n3,4\n5\n", "line 3", "ragged")]
    [InlineData("1,2\n3,abc\n", "line 2, column 2", "abc")]
    [InlineData("h1,h2\n1,2\n\n3,\n", "line 4, column 2", "empty")]
    [InlineData("1,2\n3,4.5\n", "line 2, column 2", "int32")]
    [InlineData("1,2\n3,99999999999\n", "line 2, column 2", "int32")]
    [InlineData("a,b,c\n1,2\n", "line 1", "header")]
    [InlineData("a,b\n", "", "no rows")]
    public void ImportCsv_BadInput_ExitsOneNamingLineAndColumn(string content, string where, string what)
    {
        using var tmp = new TempDirectory("cc-cli-csv");
        string csv = tmp.Combine("bad.csv");
        File.WriteAllText(csv, content);
        string store = tmp.Combine("s.zarr");
        string dtype = what == "int32" ? "int32" : "float64";
        var result = CliHarness.ExpectError(what, "import", csv, store, "--array", "t", "--dtype", dtype);
        Assert.Contains(where, result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(store), "bad input must not create the store");
    }

    [Fact]
    public void ImportCsv_DtypeWithNpy_ExitsTwo()
    {
        using var tmp = new TempDirectory("cc-cli-csv");
        string npy = tmp.Combine("in.npy");
        CliHarness.SaveMatrix(npy);
        CliHarness.Expect(2, "import", npy, tmp.Combine("s.zarr"), "--array", "m", "--dtype", "float32");
        CliHarness.Expect(2, "import", tmp.Combine("x.csv"), tmp.Combine("s.zarr"), "--array", "m", "--dtype", "complex128");
        CliHarness.Expect(2, "import", tmp.Combine("x.csv"), tmp.Combine("s.zarr"), "--array", "m", "--delimiter", "ab");
    }

    [Fact]
    public void ImportCsv_TinyBudget_StreamsManyBlocksAndMatches()
    {
        using var tmp = new TempDirectory("cc-cli-csv");
        string csv = tmp.Combine("in.csv");
        string text = WriteCsv(csv, 1000, 4, header: false, integers: false);
        string store = tmp.Combine("s.zarr");
        // 8-row blocks (256 B), one chunk's encoding (512 B) and the longest line (about 78 characters, 8 B each) fit 2 KiB.
        CliHarness.Expect(0, "import", csv, store, "--array", "t", "--chunks", "8,4", "--memory", "2KiB", "--quiet");
        using var zarr = ZarrStore.OpenExisting(store);
        Assert.Equal(ParseIndependently(text, false), zarr.OpenArray<double>("t").Read(TestContext.Current.CancellationToken));

        CliHarness.ExpectError("--memory", "import", csv, store, "--array", "u", "--chunks", "100,4", "--memory", "1KiB");
        using var after = ZarrStore.OpenExisting(store);
        Assert.Null(after.GetNodeKind("u"));
    }

    [Fact]
    public void ImportCsv_Cancelled_ExitsOneThirtyAndLeavesNoArray()
    {
        using var tmp = new TempDirectory("cc-cli-csv");
        string csv = tmp.Combine("in.csv");
        WriteCsv(csv, 100, 3, header: false, integers: false);
        string store = tmp.Combine("s.zarr");
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var result = CliHarness.RunCancellable(cancelled.Token, "import", csv, store, "--array", "t");
        Assert.True(result.ExitCode == 130, result.ToString());
        Assert.False(Directory.Exists(store));
    }
}
