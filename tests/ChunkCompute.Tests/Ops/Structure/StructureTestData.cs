using ChunkCompute.Graph;

namespace ChunkCompute.Tests.Ops.Structure;

/// <summary>Random shapes, irregular chunkings and C-order index helpers for the naive references.</summary>
internal static class StructureTestData
{
    public static int[] RandomSizes(long length, Random rng)
    {
        var sizes = new List<int>();
        long left = length;
        while (left > 0)
        {
            int s = (int)Math.Min(left, rng.Next(1, (int)Math.Max(2, (length / 2) + 1)));
            sizes.Add(s);
            left -= s;
        }

        return [.. sizes];
    }

    public static ChunkGrid RandomGrid(long[] shape, Random rng) =>
        ChunkGrid.FromSizes(shape.Select(n => (IReadOnlyList<int>)RandomSizes(n, rng)).ToArray());

    public static int[] Iota(long[] shape, int offset = 0)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        return Enumerable.Range(offset, (int)n).ToArray();
    }

    public static long Flat(long[] shape, long[] index)
    {
        long f = 0;
        for (int d = 0; d < shape.Length; d++)
        {
            f = (f * shape[d]) + index[d];
        }

        return f;
    }

    public static IEnumerable<long[]> Indices(long[] shape)
    {
        if (shape.Any(s => s == 0))
        {
            yield break;
        }

        var index = new long[shape.Length];
        while (true)
        {
            yield return (long[])index.Clone();
            int d = shape.Length - 1;
            for (; d >= 0; d--)
            {
                if (++index[d] < shape[d])
                {
                    break;
                }

                index[d] = 0;
            }

            if (d < 0)
            {
                yield break;
            }
        }
    }
}
