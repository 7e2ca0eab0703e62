using System.Runtime.InteropServices;

namespace ChunkCompute.Bench.Micro;

/// <summary>Deterministic inputs for the micro-benchmarks.</summary>
internal static class MicroData
{
    /// <summary><paramref name="n"/> doubles, rounded normals (seeded).</summary>
    public static double[] Doubles(int n)
    {
        var rng = new Random(20240601);
        var x = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = Math.Round(Normal(rng), 3);
        }

        return x;
    }

    /// <summary><paramref name="bytes"/> bytes of rounded normals as float32 (typesize 4) or float64 (typesize 8).</summary>
    public static byte[] RoundedNormals(int bytes, int typeSize)
    {
        var rng = new Random(20240601);
        var data = new byte[bytes];
        if (typeSize == 4)
        {
            var f = MemoryMarshal.Cast<byte, float>(data.AsSpan());
            for (int i = 0; i < f.Length; i++)
            {
                f[i] = (float)Math.Round(15 + (10 * Normal(rng)), 2);
            }
        }
        else
        {
            var d = MemoryMarshal.Cast<byte, double>(data.AsSpan());
            for (int i = 0; i < d.Length; i++)
            {
                d[i] = Math.Round(Normal(rng), 3);
            }
        }

        return data;
    }

    /// <summary>A little-endian ramp 0, 1, 2, ... of <paramref name="typeSize"/>-byte integers (wrapping).</summary>
    public static byte[] Ramp(int bytes, int typeSize)
    {
        var data = new byte[bytes];
        for (int i = 0; i < bytes / typeSize; i++)
        {
            ulong v = (ulong)i;
            for (int b = 0; b < typeSize; b++)
            {
                data[(i * typeSize) + b] = (byte)(v >> (8 * b));
            }
        }

        return data;
    }

    private static double Normal(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
