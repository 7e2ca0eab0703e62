using ChunkCompute.Storage;

namespace ChunkCompute.Tests.TestSupport;

/// <summary>
/// The reference for region I/O: a whole array as C-order little-endian bytes, with element-by-element region
/// extraction and assignment (no chunking, no copies merged), so it shares no logic with the code under test.
/// </summary>
internal sealed class NaiveArray(long[] shape, int elementSize, byte[] data)
{
    public long[] Shape { get; } = shape;

    public byte[] Data { get; } = data;

    public static NaiveArray Random(DataType type, long[] shape, int seed)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        var rng = new Random(seed);
        var bytes = new byte[n * type.Size];
        for (long i = 0; i < n; i++)
        {
            var e = bytes.AsSpan((int)(i * type.Size), type.Size);
            switch (type.Kind)
            {
                case DataTypeKind.Bool: e[0] = (byte)rng.Next(2); break;
                case DataTypeKind.Float16: BitConverter.TryWriteBytes(e, (Half)Math.Round((rng.NextDouble() - 0.5) * 100, 2)); break;
                case DataTypeKind.Float32: BitConverter.TryWriteBytes(e, (float)Math.Round((rng.NextDouble() - 0.5) * 1000, 3)); break;
                case DataTypeKind.Float64: BitConverter.TryWriteBytes(e, Math.Round(rng.NextDouble() * 1e6, 4) - 5e5); break;
                default: rng.NextBytes(e); break;
            }
        }

        return new NaiveArray(shape, type.Size, bytes);
    }

    public static IEnumerable<long[]> Indices(long[] start, long[] extent)
    {
        if (extent.Any(e => e == 0))
        {
            yield break;
        }

        var index = (long[])start.Clone();
        while (true)
        {
            yield return index;
            int d = index.Length - 1;
            for (; d >= 0; d--)
            {
                if (++index[d] < start[d] + extent[d])
                {
                    break;
                }

                index[d] = start[d];
            }

            if (d < 0)
            {
                yield break;
            }
        }
    }

    public long Flat(long[] index)
    {
        long f = 0;
        for (int d = 0; d < Shape.Length; d++)
        {
            f = (f * Shape[d]) + index[d];
        }

        return f;
    }

    public byte[] Region(ArraySubset region)
    {
        var result = new byte[region.ElementCount * elementSize];
        long k = 0;
        foreach (var idx in Indices(region.Start.ToArray(), region.Shape.ToArray()))
        {
            Array.Copy(Data, Flat(idx) * elementSize, result, k++ * elementSize, elementSize);
        }

        return result;
    }

    public void Assign(ArraySubset region, byte[] values)
    {
        long k = 0;
        foreach (var idx in Indices(region.Start.ToArray(), region.Shape.ToArray()))
        {
            Array.Copy(values, k++ * elementSize, Data, Flat(idx) * elementSize, elementSize);
        }
    }

    public static ArraySubset RandomRegion(long[] shape, Random rng)
    {
        var start = new long[shape.Length];
        var extent = new long[shape.Length];
        for (int d = 0; d < shape.Length; d++)
        {
            start[d] = shape[d] == 0 ? 0 : rng.NextInt64(shape[d]);
            extent[d] = rng.NextInt64(shape[d] - start[d] + 1);
        }

        return new ArraySubset(start, extent);
    }
}
