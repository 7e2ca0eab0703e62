using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>
/// NumPy reductions on lazy arrays, computed as trees of mergeable partials (DESIGN decision 3): one partial task per
/// input chunk, combine tasks merging <c>splitEvery</c> partials at a time (Dask's <c>split_every</c>, default 4) until
/// one state remains per output chunk, and a finalize task per output chunk.
/// </summary>
/// <remarks>
/// <para><c>axis</c>: null reduces every axis; an int or an array of ints selects axes (negative axes count from the
/// end; repeats are an error). <c>keepDims</c> keeps reduced axes as size 1. Result types follow NumPy: sums of
/// signed integers and bool are int64, of unsigned integers uint64, of floats their own type; means, variances and
/// standard deviations of integers are float64. Float sums accumulate in float64 with compensation.</para>
/// <para>Reductions without an identity (Min, Max, ArgMin, ArgMax, NanMin, NanMax) over a zero-size extent throw
/// <see cref="ArgumentException"/> when built, as NumPy raises.</para>
/// </remarks>
public static partial class ChunkedArrayReductions
{
    /// <summary>The default fan-in of the combine steps (Dask's <c>split_every</c>).</summary>
    public const int DefaultSplitEvery = ReductionBuilder.DefaultSplitEvery;

    /// <summary>Minimum over <paramref name="axis"/> (null: all axes); NaN propagates, as NumPy's <c>min</c>.</summary>
    public static ChunkedArray<T> Min<T>(this ChunkedArray<T> x, int? axis = null, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => new(Reduce(x, ReductionKind.Min, Axes(axis), keepDims, splitEvery));

    /// <summary>Minimum over <paramref name="axes"/>; NaN propagates, as NumPy's <c>min</c>.</summary>
    public static ChunkedArray<T> Min<T>(this ChunkedArray<T> x, int[] axes, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => new(Reduce(x, ReductionKind.Min, axes, keepDims, splitEvery));

    /// <summary>Maximum over <paramref name="axis"/> (null: all axes); NaN propagates, as NumPy's <c>max</c>.</summary>
    public static ChunkedArray<T> Max<T>(this ChunkedArray<T> x, int? axis = null, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => new(Reduce(x, ReductionKind.Max, Axes(axis), keepDims, splitEvery));

    /// <summary>Maximum over <paramref name="axes"/>; NaN propagates, as NumPy's <c>max</c>.</summary>
    public static ChunkedArray<T> Max<T>(this ChunkedArray<T> x, int[] axes, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => new(Reduce(x, ReductionKind.Max, axes, keepDims, splitEvery));

    /// <summary>Minimum ignoring NaNs (an all-NaN slice gives NaN), as NumPy's <c>nanmin</c>.</summary>
    public static ChunkedArray<T> NanMin<T>(this ChunkedArray<T> x, int? axis = null, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => new(Reduce(x, ReductionKind.Min, Axes(axis), keepDims, splitEvery, skipNaN: true));

    /// <summary>Minimum over <paramref name="axes"/> ignoring NaNs, as NumPy's <c>nanmin</c>.</summary>
    public static ChunkedArray<T> NanMin<T>(this ChunkedArray<T> x, int[] axes, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => new(Reduce(x, ReductionKind.Min, axes, keepDims, splitEvery, skipNaN: true));

    /// <summary>Maximum ignoring NaNs (an all-NaN slice gives NaN), as NumPy's <c>nanmax</c>.</summary>
    public static ChunkedArray<T> NanMax<T>(this ChunkedArray<T> x, int? axis = null, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => new(Reduce(x, ReductionKind.Max, Axes(axis), keepDims, splitEvery, skipNaN: true));

    /// <summary>Maximum over <paramref name="axes"/> ignoring NaNs, as NumPy's <c>nanmax</c>.</summary>
    public static ChunkedArray<T> NanMax<T>(this ChunkedArray<T> x, int[] axes, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => new(Reduce(x, ReductionKind.Max, axes, keepDims, splitEvery, skipNaN: true));

    /// <summary>
    /// Index of the first minimum along <paramref name="axis"/>, or the flat C-order index over the whole array when
    /// null (NumPy's <c>argmin</c>); the first NaN wins when there is one.
    /// </summary>
    public static ChunkedArray<long> ArgMin<T>(this ChunkedArray<T> x, int? axis = null, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => new(Reduce(x, ReductionKind.ArgMin, Axes(axis), keepDims, splitEvery));

    /// <summary>
    /// Index of the first maximum along <paramref name="axis"/>, or the flat C-order index over the whole array when
    /// null (NumPy's <c>argmax</c>); the first NaN wins when there is one.
    /// </summary>
    public static ChunkedArray<long> ArgMax<T>(this ChunkedArray<T> x, int? axis = null, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => new(Reduce(x, ReductionKind.ArgMax, Axes(axis), keepDims, splitEvery));

    /// <summary>Number of non-zero elements (NaN counts), as NumPy's <c>count_nonzero</c>.</summary>
    public static ChunkedArray<long> CountNonZero<T>(this ChunkedArray<T> x, int? axis = null, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => new(Reduce(x, ReductionKind.CountNonZero, Axes(axis), keepDims, splitEvery));

    /// <summary>Number of non-zero elements over <paramref name="axes"/>, as NumPy's <c>count_nonzero</c>.</summary>
    public static ChunkedArray<long> CountNonZero<T>(this ChunkedArray<T> x, int[] axes, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => new(Reduce(x, ReductionKind.CountNonZero, axes, keepDims, splitEvery));

    /// <summary>Number of elements, or of non-NaN elements when <paramref name="skipNaN"/> (the divisor of NanMean).</summary>
    public static ChunkedArray<long> Count<T>(this ChunkedArray<T> x, int? axis = null, bool keepDims = false, bool skipNaN = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => new(Reduce(x, ReductionKind.Count, Axes(axis), keepDims, splitEvery, skipNaN));

    /// <summary>Number of elements over <paramref name="axes"/>, or of non-NaN elements when <paramref name="skipNaN"/>.</summary>
    public static ChunkedArray<long> Count<T>(this ChunkedArray<T> x, int[] axes, bool keepDims = false, bool skipNaN = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => new(Reduce(x, ReductionKind.Count, axes, keepDims, splitEvery, skipNaN));

    /// <summary>True where any element is non-zero (NaN is true), as NumPy's <c>any</c>; false for an empty slice.</summary>
    public static ChunkedArray<bool> Any<T>(this ChunkedArray<T> x, int? axis = null, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => new(Reduce(x, ReductionKind.Any, Axes(axis), keepDims, splitEvery));

    /// <summary>True where any element over <paramref name="axes"/> is non-zero, as NumPy's <c>any</c>.</summary>
    public static ChunkedArray<bool> Any<T>(this ChunkedArray<T> x, int[] axes, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => new(Reduce(x, ReductionKind.Any, axes, keepDims, splitEvery));

    /// <summary>True where every element is non-zero, as NumPy's <c>all</c>; true for an empty slice.</summary>
    public static ChunkedArray<bool> All<T>(this ChunkedArray<T> x, int? axis = null, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => new(Reduce(x, ReductionKind.All, Axes(axis), keepDims, splitEvery));

    /// <summary>True where every element over <paramref name="axes"/> is non-zero, as NumPy's <c>all</c>.</summary>
    public static ChunkedArray<bool> All<T>(this ChunkedArray<T> x, int[] axes, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => new(Reduce(x, ReductionKind.All, axes, keepDims, splitEvery));

    private static int[]? Axes(int? axis) => axis is int a ? [a] : null;

    // datetime64/timedelta64: Min, Max (NaT propagates), ArgMin, ArgMax (the first NaT wins), Count; results of Min
    // and Max keep the unit.
    private static ReductionKernel TemporalKernel(DataType type, ReductionKind kind, string name) => kind switch
    {
        ReductionKind.Min or ReductionKind.Max =>
            new ReduceOpKernel<long, long, long, NaTMinMaxOp>(name.ToLowerInvariant(), new(kind == ReductionKind.Max), type),
        ReductionKind.ArgMin or ReductionKind.ArgMax =>
            new ReduceOpKernel<long, ArgState<long>, long, ArgOp<long, NaTIsMissing>>(name.ToLowerInvariant(), new(kind == ReductionKind.ArgMax)),
        ReductionKind.Count => new ReduceOpKernel<long, long, long, CountOp<long>>(name.ToLowerInvariant(), new(CountMode.All)),
        _ => throw new NotSupportedException($"{name} is not defined for {type.Name} (datetime and timedelta arrays have Min, Max, ArgMin, ArgMax and Count)"),
    };

    /// <summary>Sum over <paramref name="axis"/> (null: all axes) of complex128 values (parts summed in float64 with compensation).</summary>
    public static ChunkedArray<System.Numerics.Complex> Sum(this ChunkedArray<System.Numerics.Complex> x, int? axis = null, bool keepDims = false, int splitEvery = DefaultSplitEvery) =>
        new(ReduceComplex(x, "sum", new ReduceOpKernel<System.Numerics.Complex, ComplexSumState, System.Numerics.Complex, ComplexSumOp<System.Numerics.Complex>>("sum", new(false)), Axes(axis), keepDims, splitEvery));

    /// <summary>Sum over <paramref name="axis"/> (null: all axes) of complex64 values (accumulated in float64, rounded once).</summary>
    public static ChunkedArray<Complex32> Sum(this ChunkedArray<Complex32> x, int? axis = null, bool keepDims = false, int splitEvery = DefaultSplitEvery) =>
        new(ReduceComplex(x, "sum", new ReduceOpKernel<Complex32, ComplexSumState, Complex32, ComplexSumOp<Complex32>>("sum", new(false)), Axes(axis), keepDims, splitEvery));

    /// <summary>Mean over <paramref name="axis"/> (null: all axes) of complex128 values; NaN+NaNi for an empty slice.</summary>
    public static ChunkedArray<System.Numerics.Complex> Mean(this ChunkedArray<System.Numerics.Complex> x, int? axis = null, bool keepDims = false, int splitEvery = DefaultSplitEvery) =>
        new(ReduceComplex(x, "mean", new ReduceOpKernel<System.Numerics.Complex, ComplexSumState, System.Numerics.Complex, ComplexSumOp<System.Numerics.Complex>>("mean", new(true)), Axes(axis), keepDims, splitEvery));

    /// <summary>Mean over <paramref name="axis"/> (null: all axes) of complex64 values; NaN+NaNi for an empty slice.</summary>
    public static ChunkedArray<Complex32> Mean(this ChunkedArray<Complex32> x, int? axis = null, bool keepDims = false, int splitEvery = DefaultSplitEvery) =>
        new(ReduceComplex(x, "mean", new ReduceOpKernel<Complex32, ComplexSumState, Complex32, ComplexSumOp<Complex32>>("mean", new(true, axis is null && !keepDims)), Axes(axis), keepDims, splitEvery));

    /// <summary>Product over <paramref name="axis"/> (null: all axes) of complex128 values (NumPy's <c>prod</c>; 1 for an empty slice).</summary>
    public static ChunkedArray<System.Numerics.Complex> Prod(this ChunkedArray<System.Numerics.Complex> x, int? axis = null, bool keepDims = false, int splitEvery = DefaultSplitEvery) =>
        new(ReduceComplex(x, "prod", new ReduceOpKernel<System.Numerics.Complex, System.Numerics.Complex, System.Numerics.Complex, ComplexProdOp<System.Numerics.Complex>>("prod", default), Axes(axis), keepDims, splitEvery));

    /// <summary>Product over <paramref name="axis"/> (null: all axes) of complex64 values (multiplied in float64, rounded once).</summary>
    public static ChunkedArray<Complex32> Prod(this ChunkedArray<Complex32> x, int? axis = null, bool keepDims = false, int splitEvery = DefaultSplitEvery) =>
        new(ReduceComplex(x, "prod", new ReduceOpKernel<Complex32, System.Numerics.Complex, Complex32, ComplexProdOp<Complex32>>("prod", default), Axes(axis), keepDims, splitEvery));

    private static ArrayNode ReduceComplex<T>(ChunkedArray<T> x, string name, ReductionKernel kernel, int[]? axes, bool keepDims, int splitEvery)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(x);
        var reduced = ReductionBuilder.NormalizeAxes(x.Rank, axes, axes is null, name);
        return ReductionBuilder.Reduce(x.Node, kernel, reduced, keepDims, splitEvery);
    }

    private static ArrayNode Reduce<T>(ChunkedArray<T> x, ReductionKind kind, int[]? axes, bool keepDims, int splitEvery, bool skipNaN = false, double ddof = 0)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(x);
        string name = (skipNaN ? "Nan" : string.Empty) + kind;
        var reduced = ReductionBuilder.NormalizeAxes(x.Rank, axes, axes is null, name);
        if (kind is ReductionKind.ArgMin or ReductionKind.ArgMax && axes is not null && axes.Length != 1)
        {
            throw new ArgumentException($"{name} takes one axis or none (NumPy has no multi-axis arg-reductions)", nameof(axes));
        }

        if (skipNaN && kind is ReductionKind.Sum or ReductionKind.Mean or ReductionKind.Var or ReductionKind.Std or ReductionKind.Min or ReductionKind.Max
            && x.DataType.Kind is not (DataTypeKind.Float16 or DataTypeKind.Float32 or DataTypeKind.Float64))
        {
            skipNaN = false; // integers have no NaN: nan-reductions are the plain ones (NumPy does the same)
        }

        var kernel = x.DataType.IsTemporal
            ? TemporalKernel(x.DataType, kind, name)
            : x.DataType.IsComplex
                ? throw new NotSupportedException($"{name} is not defined for {x.DataType.Name} (complex arrays have Sum, Mean and Prod)")
                : NumericDispatch.Create(x.DataType, new KernelFactory(kind, skipNaN, ddof));
        bool needsNonEmpty = kind is ReductionKind.Min or ReductionKind.Max or ReductionKind.ArgMin or ReductionKind.ArgMax;
        return ReductionBuilder.Reduce(x.Node, kernel, reduced, keepDims, splitEvery, needsNonEmpty);
    }
}
