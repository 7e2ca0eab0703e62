using ChunkCompute.Graph;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Arrays;

namespace ChunkCompute.Ops;

/// <summary>How <see cref="MapOverlapExtensions.MapOverlap{T, U}"/> pads beyond the array's edges (Dask's <c>boundary</c>).</summary>
public abstract class OverlapBoundary
{
    private OverlapBoundary()
    {
    }

    /// <summary>Mirror images including the edge element (Dask's "reflect": …, 1, 0 | 0, 1, 2, …).</summary>
    public static OverlapBoundary Reflect { get; } = new Mapped("reflect");

    /// <summary>Wrap around to the other end (Dask's "periodic").</summary>
    public static OverlapBoundary Periodic { get; } = new Mapped("periodic");

    /// <summary>Repeat the edge element (Dask's "nearest").</summary>
    public static OverlapBoundary Nearest { get; } = new Mapped("nearest");

    /// <summary>No padding at the edges: chunks at an edge get a smaller block (Dask's "none").</summary>
    public static OverlapBoundary None { get; } = new Mapped("none");

    /// <summary>A constant beyond the edges (Dask's numeric boundary).</summary>
    public static OverlapBoundary Constant(double value) => new ConstantBoundary(value);

    internal abstract string Name { get; }

    // The source coordinate of position p (may be outside [0, length)) along an axis, or −1 for the constant.
    internal abstract long Source(long p, long length);

    private sealed class Mapped(string name) : OverlapBoundary
    {
        internal override string Name => name;

        internal override long Source(long p, long length) => name switch
        {
            _ when p >= 0 && p < length => p,
            "reflect" => p < 0 ? -p - 1 : (2 * length) - p - 1,
            "periodic" => ((p % length) + length) % length,
            _ => p < 0 ? 0 : length - 1,
        };
    }

    internal sealed class ConstantBoundary(double value) : OverlapBoundary
    {
        public double Value { get; } = value;

        internal override string Name => "constant";

        internal override long Source(long p, long length) => p >= 0 && p < length ? p : -1;
    }
}

/// <summary>Dask's <c>map_overlap</c>: a user kernel per chunk extended by its neighbours' edges, trimmed afterwards.</summary>
public static class MapOverlapExtensions
{
    /// <summary>
    /// Applies <paramref name="kernel"/> to every chunk of <paramref name="array"/> extended by <paramref name="depth"/>
    /// elements on each side along each axis (from the neighbouring chunks, and beyond the array's edges as
    /// <paramref name="boundary"/> says), then trims the result back to the chunk (Dask's <c>map_overlap</c> with
    /// <c>trim=True</c>). The kernel sees the extended block (<see cref="ChunkInfo.ChunkShape"/>; its
    /// <see cref="ChunkInfo.Origin"/> may be negative) and fills an output of the same shape.
    /// </summary>
    /// <exception cref="ArgumentException">The depth has the wrong rank or a negative entry, or a reflect/periodic depth exceeds the axis.</exception>
    public static ChunkedArray<U> MapOverlap<T, U>(this ChunkedArray<T> array, int[] depth, OverlapBoundary boundary, ChunkKernel<T, U> kernel)
        where T : unmanaged
        where U : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentNullException.ThrowIfNull(depth);
        ArgumentNullException.ThrowIfNull(boundary);
        ArgumentNullException.ThrowIfNull(kernel);
        if (depth.Length != array.Rank || depth.Any(d => d < 0))
        {
            throw new ArgumentException($"depth [{string.Join(", ", depth)}] must give a non-negative depth for each of the {array.Rank} axes", nameof(depth));
        }

        for (int d = 0; d < depth.Length; d++)
        {
            if (boundary.Name is "reflect" or "periodic" && depth[d] > array.Shape[d])
            {
                throw new ArgumentException($"a {boundary.Name} depth of {depth[d]} along axis {d} exceeds its length {array.Shape[d]}", nameof(depth));
            }
        }

        return new ChunkedArray<U>(new OverlapNode<T, U>(array.Node, (int[])depth.Clone(), boundary, kernel));
    }
}

/// <summary>
/// The chunks of a map_overlap: gathers the extended block from the chunks it touches (and the boundary), runs the
/// kernel into scratch, copies the block's interior out.
/// </summary>
internal sealed unsafe class OverlapNode<T, U> : ArrayNode
    where T : unmanaged
    where U : unmanaged
{
    private readonly int[] _depth;
    private readonly OverlapBoundary _boundary;
    private readonly ChunkKernel<T, U> _kernel;
    private readonly T _constant;

    public OverlapNode(ArrayNode input, int[] depth, OverlapBoundary boundary, ChunkKernel<T, U> kernel)
        : base(DataType.Of<U>(), input.Grid, [input])
    {
        _depth = depth;
        _boundary = boundary;
        _kernel = kernel;
        _constant = boundary is OverlapBoundary.ConstantBoundary c ? Convert(c.Value) : default;
    }

    public override string Label => "map-overlap";

    public override IReadOnlyList<string?>? DimensionNames => Inputs[0].DimensionNames;

    /// <summary>The extended block, as input and as the kernel's output.</summary>
    public override long ScratchBytes(ReadOnlySpan<long> chunkIndex)
    {
        long elements = 1;
        foreach (var axis in Axes(chunkIndex))
        {
            elements *= axis.Sources.Length;
        }

        return elements * (sizeof(T) + sizeof(U));
    }

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        if (Grid.ChunkElements(chunkIndex) == 0)
        {
            return;
        }

        var axes = Axes(chunkIndex);
        var index = new long[axes.Length];
        var at = new int[axes.Length];
        while (true)
        {
            for (int d = 0; d < axes.Length; d++)
            {
                index[d] = axes[d].Chunks[at[d]];
            }

            dependencies.Add(new ChunkDependency(0, (long[])index.Clone()));
            int k = axes.Length - 1;
            while (k >= 0 && ++at[k] == axes[k].Chunks.Length)
            {
                at[k--] = 0;
            }

            if (k < 0)
            {
                break;
            }
        }
    }

    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Output.ElementCount == 0)
        {
            return;
        }

        var axes = Axes(context.ChunkIndex);
        int rank = axes.Length;
        var shape = axes.Select(a => a.Sources.Length).ToArray();
        long total = shape.Aggregate(1L, (a, b) => a * b);
        var block = new Span<T>(context.Scratch!.Pointer, checked((int)total));
        var result = new Span<U>((byte*)context.Scratch.Pointer + (total * sizeof(T)), checked((int)total));

        // Strides of the dependency list (C order over each axis's chunks) and of each input chunk.
        var depStride = new long[rank];
        long s = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            depStride[d] = s;
            s *= axes[d].Chunks.Length;
        }

        var position = new int[rank];
        for (long e = 0; e < total; e++)
        {
            long dep = 0;
            bool constant = false;
            for (int d = 0; d < rank; d++)
            {
                int ordinal = axes[d].Ordinals[position[d]];
                constant |= ordinal < 0;
                dep += ordinal * depStride[d];
            }

            if (constant)
            {
                block[(int)e] = _constant;
            }
            else
            {
                var buffer = context.Inputs[(int)dep];
                long offset = 0;
                for (int d = 0; d < rank; d++)
                {
                    offset = (offset * buffer.Shape[d]) + axes[d].Locals[position[d]];
                }

                block[(int)e] = ((T*)buffer.Pointer)[offset];
            }

            for (int d = rank - 1; d >= 0 && ++position[d] == shape[d]; d--)
            {
                position[d] = 0;
            }
        }

        var origin = Grid.Origin(context.ChunkIndex);
        var blockOrigin = Enumerable.Range(0, rank).Select(d => origin[d] - axes[d].Before).ToArray();
        _kernel(block, result, new ChunkInfo(context.ChunkIndex, shape, blockOrigin, shape));

        // The interior: the chunk itself inside the block.
        var chunkShape = context.Output.Shape.Select(v => (long)v).ToArray();
        fixed (U* src = result)
        {
            NdCopy.Copy((byte*)src, shape.Select(v => (long)v).ToArray(), axes.Select(a => (long)a.Before).ToArray(), (byte*)context.Output.Pointer, chunkShape, new long[rank], chunkShape, sizeof(U));
        }
    }

    // Per axis: the block's source coordinates, the input chunks they fall in, and for each position its chunk's
    // ordinal in that list (−1: the constant) and its offset in the chunk.
    private AxisBlock[] Axes(ReadOnlySpan<long> chunkIndex)
    {
        var input = Inputs[0].Grid;
        var axes = new AxisBlock[chunkIndex.Length];
        for (int d = 0; d < axes.Length; d++)
        {
            long length = input.Shape[d];
            long start = input.Offset(d, chunkIndex[d]);
            long end = start + input.Size(d, chunkIndex[d]);
            int before = _boundary.Name == "none" ? (int)Math.Min(_depth[d], start) : _depth[d];
            int after = _boundary.Name == "none" ? (int)Math.Min(_depth[d], length - end) : _depth[d];
            var sources = new long[before + (end - start) + after];
            for (int p = 0; p < sources.Length; p++)
            {
                sources[p] = _boundary.Source(start - before + p, length);
            }

            var chunks = sources.Where(v => v >= 0).Select(v => input.ChunkOf(d, v)).Distinct().Order().ToArray();
            var ordinals = sources.Select(v => v < 0 ? -1 : Array.BinarySearch(chunks, input.ChunkOf(d, v))).ToArray();
            var locals = sources.Select(v => v < 0 ? 0 : v - input.Offset(d, input.ChunkOf(d, v))).ToArray();
            axes[d] = new AxisBlock(before, sources, chunks.Length == 0 ? [chunkIndex[d]] : chunks, ordinals, locals);
        }

        return axes;
    }

    private static T Convert(double value) => typeof(T) == typeof(double) ? (T)(object)value
        : typeof(T) == typeof(float) ? (T)(object)(float)value
        : typeof(T) == typeof(long) ? (T)(object)(long)value
        : typeof(T) == typeof(int) ? (T)(object)(int)value
        : typeof(T) == typeof(short) ? (T)(object)(short)value
        : typeof(T) == typeof(byte) ? (T)(object)(byte)value
        : throw new ArgumentException($"a constant boundary is not supported for {typeof(T).Name} arrays");

    private sealed record AxisBlock(int Before, long[] Sources, long[] Chunks, int[] Ordinals, long[] Locals);
}
