using System.Runtime.InteropServices;
using ChunkCompute.Storage;

namespace ChunkCompute.Graph;

/// <summary>Sources of lazy arrays: in-memory data, Zarr arrays, constants, ranges and seeded random numbers.</summary>
public static class ChunkedArray
{
    /// <summary>Wraps an in-memory C-order array of <paramref name="shape"/> cut into <paramref name="chunks"/>.</summary>
    public static ChunkedArray<T> FromArray<T>(T[] data, long[] shape, int[] chunks)
        where T : unmanaged => FromArray(data, ChunkGrid.Regular(shape, chunks));

    /// <summary>Wraps an in-memory C-order array on a (possibly irregular) grid.</summary>
    public static ChunkedArray<T> FromArray<T>(T[] data, ChunkGrid grid)
        where T : unmanaged => new(new InMemoryNode(data, DataType.Of<T>(), grid));

    /// <summary>A 1-D array over <paramref name="data"/> in chunks of <paramref name="chunk"/> elements.</summary>
    public static ChunkedArray<T> FromArray<T>(T[] data, int chunk)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        return FromArray(data, [data.LongLength], [chunk]);
    }

    /// <summary>Reads a stored array, one task per stored chunk.</summary>
    public static ChunkedArray<T> FromZarr<T>(ZarrArray<T> array)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        return new(new ZarrSourceNode(array.Untyped));
    }

    /// <summary>An array of zeros.</summary>
    public static ChunkedArray<T> Zeros<T>(long[] shape, int[] chunks)
        where T : unmanaged => Full<T>(shape, chunks, default);

    /// <summary>An array of ones.</summary>
    public static ChunkedArray<T> Ones<T>(long[] shape, int[] chunks)
        where T : unmanaged => new(new GeneratorNode("ones", DataType.Of<T>(), ChunkGrid.Regular(shape, chunks), _ => 1));

    /// <summary>An array filled with <paramref name="value"/>.</summary>
    public static ChunkedArray<T> Full<T>(long[] shape, int[] chunks, T value)
        where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(new[] { value }.AsSpan()).ToArray();
        return new(new GeneratorNode("full", DataType.Of<T>(), ChunkGrid.Regular(shape, chunks), bytes));
    }

    /// <summary>NumPy's <c>arange(start, stop, step)</c>: ceil((stop - start) / step) values start + k·step.</summary>
    public static ChunkedArray<T> Arange<T>(double start, double stop, double step, int chunk)
        where T : unmanaged
    {
        if (step == 0 || double.IsNaN(step))
        {
            throw new ArgumentOutOfRangeException(nameof(step), "arange step must be non-zero");
        }

        long n = Math.Max(0, (long)Math.Ceiling((stop - start) / step));
        return new(new GeneratorNode("arange", DataType.Of<T>(), ChunkGrid.Regular([n], [chunk]), k => start + (k * step)));
    }

    /// <summary>NumPy's <c>linspace(start, stop, num)</c> (endpoint included).</summary>
    public static ChunkedArray<T> Linspace<T>(double start, double stop, long num, int chunk)
        where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(num);
        double step = num > 1 ? (stop - start) / (num - 1) : 0;
        return new(new GeneratorNode("linspace", DataType.Of<T>(), ChunkGrid.Regular([num], [chunk]), k => k == num - 1 && num > 1 ? stop : start + (k * step)));
    }

    /// <summary>
    /// Seeded random arrays. The value at flat index k depends only on (seed, k) — a counter-based generator — so it
    /// is the same whatever the chunking, the thread count or the order chunks run in.
    /// </summary>
    public static class Random
    {
        /// <summary>Uniform values in [<paramref name="low"/>, <paramref name="high"/>).</summary>
        public static ChunkedArray<T> Uniform<T>(long[] shape, int[] chunks, ulong seed, double low = 0, double high = 1)
            where T : unmanaged =>
            new(new GeneratorNode("random-uniform", DataType.Of<T>(), ChunkGrid.Regular(shape, chunks), k => low + ((high - low) * CounterRandom.Uniform(seed, (ulong)k))));

        /// <summary>Normally distributed values with <paramref name="mean"/> and standard deviation <paramref name="std"/>.</summary>
        public static ChunkedArray<T> Normal<T>(long[] shape, int[] chunks, ulong seed, double mean = 0, double std = 1)
            where T : unmanaged =>
            new(new GeneratorNode("random-normal", DataType.Of<T>(), ChunkGrid.Regular(shape, chunks), k => mean + (std * CounterRandom.Normal(seed, (ulong)k))));
    }
}
