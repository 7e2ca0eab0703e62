using System.Runtime.InteropServices;
using ChunkCompute.Graph;
using ChunkCompute.Storage.Npy;

namespace ChunkCompute.Onnx.Tests;

/// <summary>The committed fixtures (tests/fixture-scripts/gen_onnx_fixtures.py) and an independent reference.</summary>
internal static class Fixtures
{
    public const int Features = 16;
    public const int Outputs = 4;

    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static string ModelPath => PathOf("linear_relu.onnx");

    public static string Model64Path => PathOf("linear_relu_f64.onnx");

    public static (T[] Data, long[] Shape) Load<T>(string name)
        where T : unmanaged
    {
        var (header, bytes) = Npy.Load(PathOf(name));
        return (MemoryMarshal.Cast<byte, T>(bytes).ToArray(), header.Shape);
    }

    /// <summary>Relu(x W + b) in float64 from the generator's weights, row by row: the reference for arrays not in the fixtures.</summary>
    public static double[] Reference(ReadOnlySpan<float> x)
    {
        var (w, _) = Load<float>("w.npy");
        var (b, _) = Load<float>("b.npy");
        int rows = x.Length / Features;
        var y = new double[rows * Outputs];
        for (int r = 0; r < rows; r++)
        {
            for (int o = 0; o < Outputs; o++)
            {
                double s = b[o];
                for (int f = 0; f < Features; f++)
                {
                    s += (double)x[(r * Features) + f] * w[(f * Outputs) + o];
                }

                y[(r * Outputs) + o] = Math.Max(s, 0);
            }
        }

        return y;
    }

    /// <summary>Irregular sizes 1, 2, …, cycling up to <paramref name="max"/>, adding up to <paramref name="total"/>.</summary>
    public static IReadOnlyList<int> Irregular(long total, int max)
    {
        var sizes = new List<int>();
        for (long left = total, k = 0; left > 0; k++)
        {
            int c = (int)Math.Min(left, 1 + (k % max));
            sizes.Add(c);
            left -= c;
        }

        return sizes;
    }

    public static ChunkedArray<T> OnGrid<T>(T[] data, IReadOnlyList<int> rows, IReadOnlyList<int> columns)
        where T : unmanaged => ChunkedArray.FromArray(data, ChunkGrid.FromSizes([rows, columns]));
}

/// <summary>A scratch directory deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory(string prefix)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), prefix + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory is harmless.
        }
    }
}
