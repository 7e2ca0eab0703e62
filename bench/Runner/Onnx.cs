using System.Diagnostics;
using System.Globalization;
using ChunkCompute.Graph;
using ChunkCompute.Onnx;
using ChunkCompute.Scheduler;
using Microsoft.ML.OnnxRuntime;

namespace ChunkCompute.Bench;

/// <summary>The onnx case (issue 23): chunked inference against one whole-array ONNX Runtime call.</summary>
internal static partial class Program
{
    /// <summary>
    /// onnx: a rows × features float32 array in memory (generated, untimed) run through an ONNX model, either as
    /// <c>x.Infer(model, input, output, batch).Compute(budget)</c> over row chunks (<c>--mode chunked</c>: one task per
    /// chunk on every core, one ORT thread each) or as one <c>InferenceSession.Run</c> on the whole array
    /// (<c>--mode whole</c>, ORT's default threading: its intra-op pool on every core). Timed: the inference only
    /// (for chunked, planning and collecting the result too). Checksum: Σ outputs.
    /// </summary>
    private static int OnnxCase(Dictionary<string, string> options)
    {
        string modelPath = Require(options, "model");
        string mode = options.GetValueOrDefault("mode", "chunked");
        string input = options.GetValueOrDefault("input", "X");
        string outputName = options.GetValueOrDefault("output", "Y");
        long rows = long.Parse(options.GetValueOrDefault("rows", "4000000"), CultureInfo.InvariantCulture);
        int features = int.Parse(options.GetValueOrDefault("features", "16"), CultureInfo.InvariantCulture);
        int chunk = int.Parse(options.GetValueOrDefault("chunk", "100000"), CultureInfo.InvariantCulture);
        int batch = int.Parse(options.GetValueOrDefault("batch", "8192"), CultureInfo.InvariantCulture);
        long budget = long.Parse(options.GetValueOrDefault("budget", ComputeOptions.DefaultMemoryBudget.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        string caseName = options.GetValueOrDefault("case", "onnx_" + mode);

        float[] x = ChunkedArray.Random.Normal<float>([rows, features], [chunk, features], 23).Compute().ToArray();
        float[] y;
        var clock = Stopwatch.StartNew();
        if (mode == "whole")
        {
            using var session = new InferenceSession(modelPath);
            using var value = OrtValue.CreateTensorValueFromMemory(x, [rows, features]);
            using var runOptions = new RunOptions();
            clock.Restart();
            using var results = session.Run(runOptions, [input], [value], [outputName]);
            y = results[0].GetTensorDataAsSpan<float>().ToArray();
        }
        else
        {
            using var model = new OnnxModel(modelPath);
            var array = ChunkedArray.FromArray(x, [rows, features], [chunk, features]);
            clock.Restart();
            y = array.Infer(model, input, outputName, batch).Compute(new ComputeOptions { MemoryBudget = budget }).ToArray();
        }

        double seconds = clock.Elapsed.TotalSeconds;
        Emit(caseName, seconds, x.LongLength * sizeof(float), Checksum(y.Select(v => (double)v).ToArray()), json =>
        {
            json.WriteString("mode", mode);
            json.WriteNumber("rows", rows);
            json.WriteNumber("rows_per_second", rows / seconds);
            json.WriteNumber("chunk_rows", chunk);
            json.WriteNumber("batch_rows", batch);
        });
        return 0;
    }
}
