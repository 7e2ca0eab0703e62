using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <content>Histogram and Bincount: reductions over every axis whose state is a vector of counts.</content>
public static partial class ChunkedArrayReductions
{
    /// <summary>
    /// NumPy's <c>histogram(x, bins, range)</c> with equal-width bins: every bin is half-open except the last, which
    /// is closed; NaNs and values outside <paramref name="range"/> are ignored. The range is required (NumPy's default,
    /// the data's min and max, would need a pass over the data before the graph could be built); a range of zero
    /// width is widened by ±0.5 as NumPy does.
    /// </summary>
    /// <exception cref="ArgumentException">The range is not finite or min &gt; max, or bins &lt; 1.</exception>
    public static HistogramResult Histogram<T>(this ChunkedArray<T> x, int bins, (double Min, double Max) range, int splitEvery = DefaultSplitEvery)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        var (first, last) = range;
        if (!double.IsFinite(first) || !double.IsFinite(last) || first > last)
        {
            throw new ArgumentException($"Histogram: range ({first}, {last}) must be finite with min <= max", nameof(range));
        }

        if (first == last)
        {
            first -= 0.5;
            last += 0.5;
        }

        // np.linspace: i * step + start, with the last edge exactly stop.
        var edges = new double[bins + 1];
        double step = (last - first) / bins;
        for (int i = 0; i < bins; i++)
        {
            edges[i] = (i * step) + first;
        }

        edges[bins] = last;
        var kernel = NumericDispatch.Create(x.DataType, new HistogramFactory(bins, edges));
        var counts = CountsResult(x.Node, kernel, bins, splitEvery);
        return new HistogramResult(new ChunkedArray<long>(counts), edges);
    }

    /// <summary>
    /// NumPy's <c>bincount</c>: counts of each value 0…<paramref name="minLength"/> − 1 of a non-negative integer
    /// array. The result length is fixed when the graph is built, so it is <paramref name="minLength"/>: pass
    /// <c>Max() + 1</c> (computed first) for NumPy's max + 1. A negative value, or one ≥ <paramref name="minLength"/>,
    /// fails the computation with an <see cref="ArgumentException"/> naming the array and the element.
    /// </summary>
    /// <exception cref="NotSupportedException">The element type is not an integer type.</exception>
    public static ChunkedArray<long> Bincount<T>(this ChunkedArray<T> x, int minLength, int splitEvery = DefaultSplitEvery)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentOutOfRangeException.ThrowIfLessThan(minLength, 1);
        ReductionKernel kernel = x.DataType.Kind switch
        {
            DataTypeKind.Int8 => new BincountKernel<sbyte>(minLength),
            DataTypeKind.Int16 => new BincountKernel<short>(minLength),
            DataTypeKind.Int32 => new BincountKernel<int>(minLength),
            DataTypeKind.Int64 => new BincountKernel<long>(minLength),
            DataTypeKind.Bool or DataTypeKind.UInt8 => new BincountKernel<byte>(minLength),
            DataTypeKind.UInt16 => new BincountKernel<ushort>(minLength),
            DataTypeKind.UInt32 => new BincountKernel<uint>(minLength),
            DataTypeKind.UInt64 => new BincountKernel<ulong>(minLength),
            _ => throw new NotSupportedException($"Bincount needs an integer array, not {x.DataType.Name} ({x})"),
        };
        return new ChunkedArray<long>(CountsResult(x.Node, kernel, minLength, splitEvery));
    }

    private static ArrayNode CountsResult(ArrayNode input, ReductionKernel kernel, int length, int splitEvery) =>
        ReductionTree.Build(new KernelReduction(input, kernel, ChunkGrid.FromSizes([[length]])), splitEvery).Finalize();
}
