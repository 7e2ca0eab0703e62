using System.Globalization;
using System.Text.RegularExpressions;
using ChunkCompute.Examples.OnnxInference;
using ChunkCompute.Graph;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using Xunit;

namespace ChunkCompute.Onnx.Tests;

/// <summary>Runs examples/OnnxInference in-process (all its Program.cs does) and checks what it wrote.</summary>
public sealed partial class OnnxInferenceExampleTests
{
    [Fact]
    public void OnnxInference_WritesRelu_XW_Plus_B_ForEveryStoredRow_WithinTheBudget()
    {
        using var tmp = new TempDirectory("cc-example-onnx");
        string directory = Path.Combine(tmp.Path, "onnx.zarr");
        using var writer = new StringWriter();
        Assert.Equal(0, OnnxInferenceExample.Run([directory], writer));
        string output = writer.ToString();
        TestContext.Current.TestOutputHelper?.WriteLine(output);

        var peak = PeakLine().Match(output);
        Assert.True(peak.Success, output);
        Assert.InRange(double.Parse(peak.Groups[1].Value, CultureInfo.InvariantCulture), 0.1, OnnxInferenceExample.Budget >> 20);
        Assert.Contains("onnx-infer", output, StringComparison.Ordinal);
        Assert.Equal(4, OutputLine().Matches(output).Count);

        // What it wrote, against Relu(x W + b) from the generator's weights for every stored row.
        using var store = ZarrStore.Open(directory);
        float[] x = store.Open<float>(OnnxInferenceExample.InputArray).Compute().ToArray();
        float[] y = store.Open<float>(OnnxInferenceExample.OutputArray).Compute().ToArray();
        double[] reference = Fixtures.Reference(x);
        Assert.Equal(OnnxInferenceExample.Rows * Fixtures.Outputs, y.Length);
        for (int i = 0; i < y.Length; i++)
        {
            Assert.True(Math.Abs(y[i] - reference[i]) <= 2e-5 + (2e-6 * Math.Abs(reference[i])), $"element {i}: {y[i]} vs {reference[i]}");
        }
    }

    [GeneratedRegex(@"peak chunk memory (\S+) MiB of a \d+ MiB budget")]
    private static partial Regex PeakLine();

    [GeneratedRegex(@"^output \d: mean \S+  positive", RegexOptions.Multiline)]
    private static partial Regex OutputLine();
}
