using System.Globalization;
using ChunkCompute.Storage.Npy;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Cli;

public sealed class CliSliceTests
{
    private const long Rows = 10;
    private const long Cols = 6;

    [Theory]
    [InlineData("2:7,:")]
    [InlineData("::2")]
    [InlineData("::-1")]
    [InlineData("-3:")]
    [InlineData("1")]
    [InlineData("5:2")]
    [InlineData("::-3,-1:-5:-2")]
    [InlineData("-100:100,2")]
    [InlineData("8:1:-3,1:5:3")]
    [InlineData(":,::-1")]
    [InlineData("-1,-1")]
    [InlineData("")]
    public void Export_Slice_MatchesNaiveNumPyReference(string slice)
    {
        using var tmp = new TempDirectory("cc-cli-slice");
        var (data, output) = ExportSlice(tmp, slice, "3,4");
        var (expectedShape, expected) = NaiveSlice(data, [Rows, Cols], slice);
        var actual = Npy.Load<int>(output, out long[] shape);
        Assert.Equal(expectedShape, shape);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("::-1")]
    [InlineData("8:1:-3,1:5:3")]
    [InlineData("-3:,::-2")]
    [InlineData("5:2")]
    [InlineData("4,::-4")]
    public void Export_Slice_MatchesNumPySubprocess(string slice)
    {
        Assert.SkipUnless(PythonZarr.HasNumPy, "/usr/bin/python3 with numpy is not available");
        using var tmp = new TempDirectory("cc-cli-slice");
        var (_, output) = ExportSlice(tmp, slice, "4,5");
        string input = tmp.Combine("in.npy");
        string expectedPath = tmp.Combine("numpy.npy");
        PythonZarr.Run(
            "import sys, numpy as np\na = np.load(sys.argv[1])\nb = eval('a[' + sys.argv[2] + ']')\nnp.save(sys.argv[3], np.array(b, order='C'))\n",
            input,
            slice,
            expectedPath);
        var expected = Npy.Load<int>(expectedPath, out long[] expectedShape);
        var actual = Npy.Load<int>(output, out long[] shape);
        Assert.Equal(expectedShape, shape);
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("-11")]
    [InlineData("1,2,3")]
    [InlineData("a:b")]
    [InlineData("1:2:3:4")]
    public void Export_InvalidSlice_ExitsTwo(string slice)
    {
        using var tmp = new TempDirectory("cc-cli-slice");
        string input = tmp.Combine("in.npy");
        CliHarness.SaveMatrix(input, Rows, Cols);
        string store = tmp.Combine("s.zarr");
        CliHarness.Expect(0, "import", input, store, "--array", "m");
        var result = CliHarness.Expect(2, "export", store, tmp.Combine("o.npy"), "--array", "m", "--slice", slice);
        Assert.Contains("--slice", result.Stderr, StringComparison.Ordinal);
    }

    private static (int[] Data, string Output) ExportSlice(TempDirectory tmp, string slice, string chunks)
    {
        string input = tmp.Combine("in.npy");
        var data = CliHarness.SaveMatrix(input, Rows, Cols);
        string store = tmp.Combine("s.zarr");
        CliHarness.Expect(0, "import", input, store, "--array", "m", "--chunks", chunks);
        string output = tmp.Combine("out.npy");
        CliHarness.Expect(0, "export", store, output, "--array", "m", "--slice", slice);
        return (data, output);
    }

    // Python's slice semantics written out plainly: enumerate candidate indices one by one.
    private static (long[] Shape, int[] Values) NaiveSlice(int[] data, long[] shape, string slice)
    {
        var parts = slice.Length == 0 ? [] : slice.Split(',');
        var indices = new List<long[]>();
        var outShape = new List<long>();
        for (int d = 0; d < shape.Length; d++)
        {
            long n = shape[d];
            string part = d < parts.Length ? parts[d].Trim() : ":";
            if (!part.Contains(':', StringComparison.Ordinal))
            {
                long i = long.Parse(part, CultureInfo.InvariantCulture);
                indices.Add([i < 0 ? i + n : i]);
                continue;
            }

            var f = part.Split(':');
            long step = f.Length > 2 && f[2].Length > 0 ? long.Parse(f[2], CultureInfo.InvariantCulture) : 1;
            long? start = f[0].Length > 0 ? long.Parse(f[0], CultureInfo.InvariantCulture) : null;
            long? stop = f[1].Length > 0 ? long.Parse(f[1], CultureInfo.InvariantCulture) : null;
            var list = new List<long>();
            if (step > 0)
            {
                long s = start is null ? 0 : start.Value < 0 ? Math.Max(0, start.Value + n) : Math.Min(start.Value, n);
                long e = stop is null ? n : stop.Value < 0 ? Math.Max(0, stop.Value + n) : Math.Min(stop.Value, n);
                for (long i = s; i < e; i += step)
                {
                    list.Add(i);
                }
            }
            else
            {
                long s = start is null ? n - 1 : start.Value < 0 ? Math.Max(-1, start.Value + n) : Math.Min(start.Value, n - 1);
                long e = stop is null ? -1 : stop.Value < 0 ? Math.Max(-1, stop.Value + n) : Math.Min(stop.Value, n - 1);
                for (long i = s; i > e; i += step)
                {
                    list.Add(i);
                }
            }

            indices.Add([.. list]);
            outShape.Add(list.Count);
        }

        var values = new List<int>();
        foreach (long r in indices[0])
        {
            foreach (long c in indices[1])
            {
                values.Add(data[(r * shape[1]) + c]);
            }
        }

        return ([.. outShape], [.. values]);
    }
}
