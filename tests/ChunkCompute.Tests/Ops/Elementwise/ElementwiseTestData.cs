using System.Numerics;
using ChunkCompute.Graph;

namespace ChunkCompute.Tests.Ops.Elementwise;

/// <summary>
/// Random inputs and a naive reference for the elementwise tests: broadcasting by explicit index arithmetic, one
/// element at a time, sharing no code with the engine.
/// </summary>
internal static class ElementwiseTestData
{
    private static readonly int[] DimSizes = [0, 1, 1, 2, 3, 5, 7, 9];

    /// <summary>A random output shape (rank 1–3, sizes 0–9) and two operand shapes that broadcast to it.</summary>
    public static (long[] Out, long[] A, long[] B) RandomShapes(Random rng)
    {
        int rank = rng.Next(1, 4);
        var output = new long[rank];
        for (int d = 0; d < rank; d++)
        {
            output[d] = DimSizes[rng.Next(DimSizes.Length)];
        }

        long[] Operand()
        {
            int drop = rng.Next(3) == 0 ? rng.Next(rank + 1) : 0;
            return output.Skip(drop).Select(s => rng.Next(4) == 0 ? 1L : s).ToArray();
        }

        var a = Operand();
        var b = Operand();
        return (BroadcastShape(a, b), a, b);
    }

    /// <summary>NumPy's broadcast shape, or null when the shapes do not broadcast.</summary>
    public static long[] BroadcastShape(long[] a, long[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new long[rank];
        for (int d = 0; d < rank; d++)
        {
            long x = d - (rank - a.Length) >= 0 ? a[d - (rank - a.Length)] : 1;
            long y = d - (rank - b.Length) >= 0 ? b[d - (rank - b.Length)] : 1;
            result[d] = x == 1 ? y : x;
        }

        return result;
    }

    /// <summary>Random irregular chunk sizes for each dimension of <paramref name="shape"/>.</summary>
    public static int[][] RandomChunks(long[] shape, Random rng) => shape.Select(s =>
    {
        var sizes = new List<int>();
        long left = s;
        while (left > 0)
        {
            int c = (int)Math.Min(left, rng.Next(1, 5));
            sizes.Add(c);
            left -= c;
        }

        return sizes.Count == 0 ? new[] { (int)s } : sizes.ToArray();
    }).ToArray();

    /// <summary>The grid of an operand of <paramref name="shape"/> inside an output chunked by <paramref name="outChunks"/>.</summary>
    public static ChunkGrid OperandGrid(long[] shape, long[] outShape, int[][] outChunks)
    {
        int offset = outShape.Length - shape.Length;
        return ChunkGrid.FromSizes(shape.Select((s, d) => (IReadOnlyList<int>)(s == outShape[d + offset] ? outChunks[d + offset] : [(int)s])).ToArray());
    }

    /// <summary>Random values: integers mixing small and full-range; floats with NaN, ±inf and ±0 sprinkled in.</summary>
    public static T[] RandomValues<T>(long count, Random rng)
        where T : INumber<T>
    {
        var values = new T[count];
        bool isFloat = typeof(T) == typeof(float) || typeof(T) == typeof(double);
        for (long i = 0; i < count; i++)
        {
            if (isFloat)
            {
                double v = rng.Next(10) switch
                {
                    0 => double.NaN,
                    1 => rng.Next(2) == 0 ? double.PositiveInfinity : double.NegativeInfinity,
                    2 => rng.Next(2) == 0 ? 0.0 : -0.0,
                    3 => Math.Round(rng.NextDouble() * 8 - 4) + 0.5,
                    _ => (rng.NextDouble() - 0.5) * 20,
                };
                values[i] = T.CreateTruncating(v);
            }
            else
            {
                values[i] = rng.Next(3) == 0 ? T.CreateTruncating(rng.NextInt64(long.MinValue, long.MaxValue)) : T.CreateTruncating(rng.Next(-10, 11));
            }
        }

        return values;
    }

    /// <summary>Naive broadcast of C-order <paramref name="data"/> of <paramref name="shape"/> to <paramref name="outShape"/>.</summary>
    public static T[] Expand<T>(T[] data, long[] shape, long[] outShape)
    {
        long n = outShape.Aggregate(1L, (x, y) => x * y);
        var result = new T[n];
        var index = new long[outShape.Length];
        int offset = outShape.Length - shape.Length;
        for (long k = 0; k < n; k++)
        {
            long rest = k;
            for (int d = outShape.Length - 1; d >= 0; d--)
            {
                index[d] = rest % outShape[d];
                rest /= outShape[d];
            }

            long flat = 0;
            for (int d = 0; d < shape.Length; d++)
            {
                flat = (flat * shape[d]) + (shape[d] == 1 ? 0 : index[d + offset]);
            }

            result[k] = data[flat];
        }

        return result;
    }
}
