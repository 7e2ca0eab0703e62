using System.Globalization;
using System.Text.RegularExpressions;
using ChunkCompute.Examples.MLNetRegression;
using Xunit;

namespace ChunkCompute.MLNet.Tests;

/// <summary>Runs examples/MLNetRegression in-process and checks what it prints against the generating model.</summary>
public sealed partial class ExampleTests
{
    [Fact]
    public void MLNetRegression_RecoversTheGeneratingModelWithinTheBudget()
    {
        string directory = Path.Combine(Path.GetTempPath(), "cc-example-mlnet-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var writer = new StringWriter();
            int code = MLNetRegressionExample.Run([directory], writer);
            string output = writer.ToString();
            TestContext.Current.TestOutputHelper?.WriteLine(output);
            Assert.True(code == 0, $"exit code {code}\n{output}");

            // y = x w + b + s e with x, e standard normal: the residual RMSE is s, R^2 = 1 - s^2 / (|w|^2 + s^2).
            double s = MLNetRegressionExample.NoiseStd;
            double w2 = Enumerable.Range(0, MLNetRegressionExample.Columns).Sum(j => Math.Pow(MLNetRegressionExample.Weight(j), 2));
            Assert.Equal(s, Number(Rmse().Match(output)), 0.01);
            Assert.Equal(1 - (s * s / (w2 + (s * s))), Number(RSquared().Match(output)), 0.002);

            var weights = WeightLine().Matches(output);
            Assert.Equal(MLNetRegressionExample.Columns, weights.Count);
            foreach (Match m in weights)
            {
                int j = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                Assert.Equal(MLNetRegressionExample.Weight(j), Number(m), 0.015); // SDCA stops after 10 epochs, about 0.007 from OLS
            }

            Assert.Equal(MLNetRegressionExample.Bias, Number(BiasLine().Match(output)), 0.01);

            var peak = PeakLine().Match(output);
            Assert.True(peak.Success, output);
            double budgetMib = MLNetRegressionExample.Budget / (double)(1 << 20);
            Assert.InRange(double.Parse(peak.Groups[1].Value, CultureInfo.InvariantCulture), 0.01, budgetMib);
            Assert.True(double.Parse(peak.Groups[2].Value, CultureInfo.InvariantCulture) > 2.5 * budgetMib, "the data is several times the budget");
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a leftover temp directory is harmless.
            }
        }
    }

    private static double Number(Match m)
    {
        Assert.True(m.Success);
        return double.Parse(m.Groups[m.Groups.Count - 1].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^RMSE: (\S+)$", RegexOptions.Multiline)]
    private static partial Regex Rmse();

    [GeneratedRegex(@"^R\^2: (\S+)$", RegexOptions.Multiline)]
    private static partial Regex RSquared();

    [GeneratedRegex(@"^weight\s+(\d+):\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex WeightLine();

    [GeneratedRegex(@"^bias: (\S+)", RegexOptions.Multiline)]
    private static partial Regex BiasLine();

    [GeneratedRegex(@"peak buffered by one cursor: (\S+) MiB of a \d+ MiB budget \(array (\S+) MiB\)")]
    private static partial Regex PeakLine();
}
