using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;

namespace ChunkCompute.Examples.PythonInterop;

/// <summary>
/// Both directions of Zarr v2 interoperability with zarr-python 2 (Debian's <c>python3-zarr</c>): a 2-D float64 array
/// with attributes written by zarr-python is read and reduced by ChunkCompute next to NumPy's values, and an array
/// written by ChunkCompute is read back by zarr-python.
/// </summary>
public static class PythonInteropExample
{
    /// <summary>The array written first (by zarr-python, or by ChunkCompute without it).</summary>
    public const string InputArray = "matrix";

    /// <summary>The array ChunkCompute derives from it (<c>2 * matrix + 1</c>) and writes as Zarr v2.</summary>
    public const string OutputArray = "scaled";

    /// <summary>Shown when python3-zarr is missing.</summary>
    public const string InstallHint = "zarr-python is not available to /usr/bin/python3; install it with: sudo apt-get install python3-zarr";

    private const int Rows = 1000;
    private const int Columns = 6;

    private static readonly JsonSerializerOptions Display = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // The matrix, written by zarr-python into a v2 group; prints NumPy's sum and column means as JSON.
    private const string WriteScript = """
        import json, sys
        import numpy as np, zarr
        root = zarr.open_group(sys.argv[1], mode='a')
        i = np.arange(1000)[:, None]
        j = np.arange(6)[None, :]
        a = np.round(20 + 5 * np.sin(0.37 * i + j) + 0.01 * i, 2)
        z = root.create_dataset('matrix', data=a, chunks=(256, 4), dtype='f8', overwrite=True)
        z.attrs.update({'units': 'kelvin', 'written_by': 'zarr-python ' + zarr.__version__})
        print(json.dumps({'sum': float(a.sum()), 'col_means': a.mean(axis=0).tolist(), 'compressor': repr(z.compressor)}))
        """;

    // Reads an array with zarr-python and prints what it sees as JSON.
    private const string ReadScript = """
        import json, sys
        import zarr
        z = zarr.open_array(sys.argv[1], mode='r', path=sys.argv[2])
        a = z[...]
        print(json.dumps({'sum': float(a.sum()), 'shape': list(a.shape), 'dtype': str(a.dtype), 'attrs': z.attrs.asdict(), 'compressor': repr(z.compressor)}))
        """;

    /// <summary>
    /// Runs the example in <c>args[0]</c> (default: a folder in the temp directory; deleted first if it exists),
    /// printing what it shows to <paramref name="output"/>.
    /// </summary>
    /// <returns>The process exit code: 0, also when python3-zarr is missing (the ChunkCompute half still runs).</returns>
    public static int Run(string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        string directory = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "chunkcompute-python-interop.zarr");
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        bool python = PythonProcess.HasZarr();
        JsonNode? numpy = null;
        if (python)
        {
            numpy = JsonNode.Parse(PythonProcess.RunChecked(WriteScript, directory));
            output.WriteLine($"zarr-python wrote {directory}/{InputArray} (Zarr v2, {numpy!["compressor"]})");
        }
        else
        {
            output.WriteLine(InstallHint);
            output.WriteLine("running the ChunkCompute half alone.");
        }

        using var store = ZarrStore.Open(directory, new ZarrStoreOptions { DefaultFormat = ZarrFormat.V2 });
        if (!python)
        {
            WriteMatrix(store);
            output.WriteLine($"ChunkCompute wrote {directory}/{InputArray} (Zarr v2)");
        }

        // zarr-python -> ChunkCompute: metadata, attributes and two reductions in one pass.
        var stored = store.OpenArray(InputArray);
        output.WriteLine($"ChunkCompute opened {stored}; attributes {stored.Attributes.ToJsonString(Display)}");
        var x = store.Open<double>(InputArray);
        var options = new ComputeOptions { MemoryBudget = 16L << 20 };
        var (sum, means) = Computation.Compute(x.Sum(), x.Mean(axis: 0), options);
        output.WriteLine(Compare($"sum of {InputArray}", sum.Value, "numpy", numpy?["sum"]?.GetValue<double>()));
        var numpyMeans = numpy?["col_means"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        for (int col = 0; col < means.ToArray().Length; col++)
        {
            output.WriteLine(Compare($"column {col} mean", means.ToArray()[col], "numpy", numpyMeans?[col]));
        }

        // ChunkCompute -> zarr-python: a derived array written as Zarr v2, read back by zarr-python.
        var scaled = (x * 2.0) + 1.0;
        scaled.ToStore(store, OutputArray, new ArrayOptions
        {
            Format = ZarrFormat.V2,
            Attributes = new() { ["written_by"] = "ChunkCompute", ["expression"] = $"2 * {InputArray} + 1" },
        }).Compute(options);
        double scaledSum = store.Open<double>(OutputArray).Sum().ComputeScalar(options);
        output.WriteLine($"ChunkCompute wrote {directory}/{OutputArray} = 2 * {InputArray} + 1 (Zarr v2)");
        if (python)
        {
            var readBack = JsonNode.Parse(PythonProcess.RunChecked(ReadScript, directory, OutputArray))!;
            output.WriteLine($"zarr-python read it: shape {readBack["shape"]!.ToJsonString()}, dtype {readBack["dtype"]}, " +
                             $"{readBack["compressor"]}, attributes {readBack["attrs"]!.ToJsonString(Display)}");
            output.WriteLine(Compare($"sum of {OutputArray}", scaledSum, "zarr-python", readBack["sum"]!.GetValue<double>()));
        }
        else
        {
            output.WriteLine(Compare($"sum of {OutputArray}", scaledSum, "zarr-python", null));
            output.WriteLine("(zarr-python read-back skipped: python3-zarr is not installed)");
        }

        return 0;
    }

    /// <summary>The matrix zarr-python writes, computed in C#: round(20 + 5 sin(0.37 i + j) + 0.01 i, 2).</summary>
    public static double Value(int row, int column) => Math.Round(20 + (5 * Math.Sin((0.37 * row) + column)) + (0.01 * row), 2);

    private static void WriteMatrix(ZarrStore store)
    {
        var data = new double[Rows * Columns];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = Value(i / Columns, i % Columns);
        }

        var a = store.CreateArray<double>(InputArray, [Rows, Columns], [256, 4], new ArrayOptions
        {
            Format = ZarrFormat.V2,
            Attributes = new() { ["units"] = "kelvin", ["written_by"] = "ChunkCompute" },
        });
        a.Write(data);
    }

    private static string Compare(string what, double ours, string peer, double? theirs) => theirs is double t
        ? $"{what}: chunkcompute {ours:R}  {peer} {t:R}  (difference {Math.Abs(ours - t):0.0e+0})"
        : $"{what}: chunkcompute {ours:R}";
}
