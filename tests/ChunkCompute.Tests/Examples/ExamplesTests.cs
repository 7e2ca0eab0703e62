using System.Globalization;
using System.Text.RegularExpressions;
using ChunkCompute.Examples.Preprocessing;
using ChunkCompute.Examples.PythonInterop;
using ChunkCompute.Examples.Quickstart;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Examples;

/// <summary>
/// Runs every example in-process through its <c>Run(args, output)</c> entry point (all its Program.cs does) in a
/// temporary directory and checks the numbers it prints, so the examples cannot rot.
/// </summary>
public sealed partial class ExamplesTests
{
    [Fact]
    public void Quickstart_PrintsTheClosedFormColumnMeansAndStds()
    {
        using var tmp = new TempDirectory("cc-example-quickstart");
        string output = RunExample(QuickstartExample.Run, tmp.Combine("quickstart.zarr"));

        // Column j holds round(100 sin(0.001 r) + j, 2) for r < N: closed forms of the mean and variance of sin(a r).
        const double A = 0.001;
        double n = QuickstartExample.Rows;
        double meanSin = Math.Sin(n * A / 2) * Math.Sin((n - 1) * A / 2) / Math.Sin(A / 2) / n;
        double meanSin2 = 0.5 - (Math.Sin(n * A) * Math.Cos((n - 1) * A) / Math.Sin(A) / (2 * n));
        double std = 100 * Math.Sqrt(meanSin2 - (meanSin * meanSin));
        var columns = ColumnLine().Matches(output);
        Assert.Equal(4, columns.Count);
        foreach (Match m in columns)
        {
            int col = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.Equal(col + (100 * meanSin), Number(m.Groups[2]), 2e-3);
            Assert.Equal(std, Number(m.Groups[3]), 2e-3);
        }

        Assert.Contains("of a 64 MiB budget", output, StringComparison.Ordinal);
        Assert.Contains($"in {QuickstartExample.Rows / (8L << 20 >> 3 >> 4)} appends", output, StringComparison.Ordinal);
        Assert.True(Directory.Exists(tmp.Combine("quickstart.zarr", "x")), "the array is stored in the given directory");
    }

    [Fact]
    public void Preprocessing_WrittenColumnsHaveMeanZeroAndStdOne()
    {
        using var tmp = new TempDirectory("cc-example-preprocessing");
        string output = RunExample(PreprocessingExample.Run, tmp.Combine("features.zarr"));

        var rows = PreprocessingRow().Matches(output);
        Assert.Equal(PreprocessingExample.Columns, rows.Count);
        double samples = PreprocessingExample.Rows;
        foreach (Match m in rows)
        {
            int col = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            double scale = PreprocessingExample.GeneratedScale(col);

            // The raw statistics match the generator (5 standard errors), the written ones are standardized.
            Assert.Equal(PreprocessingExample.GeneratedMean(col), Number(m.Groups[2]), (5 * scale / Math.Sqrt(samples)) + 1e-3);
            Assert.Equal(scale, Number(m.Groups[3]), (0.01 * scale) + 1e-3);
            Assert.Equal(0, Number(m.Groups[4]), 1e-3);
            Assert.Equal(1, Number(m.Groups[5]), 1e-3);
        }

        var peak = PeakLine().Match(output);
        Assert.True(peak.Success, output);
        Assert.InRange(Number(peak.Groups[1]), 0.1, Number(peak.Groups[2]));
        Assert.True(Directory.Exists(tmp.Combine("features.zarr", "features_standardized")), "the standardized array is written");

        // A second run reuses the stored features and overwrites the standardized array.
        string again = RunExample(PreprocessingExample.Run, tmp.Combine("features.zarr"));
        Assert.DoesNotContain("generated", again, StringComparison.Ordinal);
        Assert.Equal(PreprocessingExample.Columns, PreprocessingRow().Matches(again).Count);
    }

    [Fact]
    public void PythonInterop_SumsAgreeInBothDirections()
    {
        using var tmp = new TempDirectory("cc-example-python");
        string output = RunExample(PythonInteropExample.Run, tmp.Combine("interop.zarr"));

        var sums = SumLine().Matches(output).ToDictionary(m => m.Groups[1].Value);
        Assert.True(sums.ContainsKey(PythonInteropExample.InputArray) && sums.ContainsKey(PythonInteropExample.OutputArray), output);
        double input = Number(sums[PythonInteropExample.InputArray].Groups[2]);
        double scaled = Number(sums[PythonInteropExample.OutputArray].Groups[2]);
        Assert.Equal((2 * input) + (1000 * 6), scaled, 1e-9 * Math.Abs(scaled));
        if (!PythonZarr.IsAvailable)
        {
            Assert.Contains("apt-get install python3-zarr", output, StringComparison.Ordinal);
            Assert.Skip(PythonZarr.SkipReason + " (the ChunkCompute half ran and was checked)");
        }

        // ChunkCompute's reductions of zarr-python's array equal NumPy's, and zarr-python reads ChunkCompute's sum.
        Assert.Equal("numpy", sums[PythonInteropExample.InputArray].Groups[3].Value);
        Assert.Equal(Number(sums[PythonInteropExample.InputArray].Groups[4]), input, 1e-12 * Math.Abs(input));
        Assert.Equal("zarr-python", sums[PythonInteropExample.OutputArray].Groups[3].Value);
        Assert.Equal(Number(sums[PythonInteropExample.OutputArray].Groups[4]), scaled, 1e-12 * Math.Abs(scaled));
        var means = MeanLine().Matches(output);
        Assert.Equal(6, means.Count);
        Assert.All(means, m => Assert.Equal(Number(m.Groups[3]), Number(m.Groups[2]), 1e-12 * Math.Abs(Number(m.Groups[3]))));
        Assert.Contains("\"units\":\"kelvin\"", output, StringComparison.Ordinal);
    }

    private static string RunExample(Func<string[], TextWriter, int> run, string directory)
    {
        using var output = new StringWriter();
        int code = run([directory], output);
        Assert.True(code == 0, $"exit code {code}\n{output}");
        TestContext.Current.TestOutputHelper?.WriteLine(output.ToString());
        return output.ToString();
    }

    private static double Number(Group group) => double.Parse(group.Value, NumberStyles.Float, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^column (\d+): mean\s+(\S+)\s+std\s+(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex ColumnLine();

    [GeneratedRegex(@"^\s*(\d+)\s+(\S+)\s+(\S+)\s+->\s+(\S+)\s+(\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex PreprocessingRow();

    [GeneratedRegex(@"peak chunk memory over all passes: (\S+) MiB of a (\d+) MiB budget")]
    private static partial Regex PeakLine();

    [GeneratedRegex(@"^sum of (\w+): chunkcompute (\S+)(?:\s+(numpy|zarr-python) (\S+))?", RegexOptions.Multiline)]
    private static partial Regex SumLine();

    [GeneratedRegex(@"^column (\d+) mean: chunkcompute (\S+)\s+numpy (\S+)", RegexOptions.Multiline)]
    private static partial Regex MeanLine();
}
