using System.Runtime.CompilerServices;
using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <content>
/// The reductions over dimensions given by name (xarray's <c>x.mean("time")</c>, here <c>x.Mean("time")</c>): each
/// resolves its names with <see cref="ChunkedArray{T}.AxisOf"/> and calls its axis form, so the result, its dimension
/// names and its plan are the axis form's. The name forms have a lower overload priority, so a call that binds to an
/// axis form (<c>x.ArgMin(null)</c>, <c>x.Sum([])</c>) still does.
/// </content>
public static partial class ChunkedArrayReductions
{
    /// <summary>Minimum over the dimension named <paramref name="dim"/>; NaN propagates, as NumPy's <c>min</c>.</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    [OverloadResolutionPriority(-1)]
    public static ChunkedArray<T> Min<T>(this ChunkedArray<T> x, string dim, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => Min(x, NamedAxes.Of(x, dim), keepDims, splitEvery);

    /// <summary>Minimum over the dimensions named <paramref name="dims"/>; NaN propagates, as NumPy's <c>min</c>.</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    [OverloadResolutionPriority(-1)]
    public static ChunkedArray<T> Min<T>(this ChunkedArray<T> x, string[] dims, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => Min(x, NamedAxes.Of(x, dims), keepDims, splitEvery);

    /// <summary>Maximum over the dimension named <paramref name="dim"/>; NaN propagates, as NumPy's <c>max</c>.</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    [OverloadResolutionPriority(-1)]
    public static ChunkedArray<T> Max<T>(this ChunkedArray<T> x, string dim, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => Max(x, NamedAxes.Of(x, dim), keepDims, splitEvery);

    /// <summary>Maximum over the dimensions named <paramref name="dims"/>; NaN propagates, as NumPy's <c>max</c>.</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    [OverloadResolutionPriority(-1)]
    public static ChunkedArray<T> Max<T>(this ChunkedArray<T> x, string[] dims, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => Max(x, NamedAxes.Of(x, dims), keepDims, splitEvery);

    /// <summary>Minimum over the dimension named <paramref name="dim"/> ignoring NaNs, as NumPy's <c>nanmin</c>.</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    [OverloadResolutionPriority(-1)]
    public static ChunkedArray<T> NanMin<T>(this ChunkedArray<T> x, string dim, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => NanMin(x, NamedAxes.Of(x, dim), keepDims, splitEvery);

    /// <summary>Minimum over the dimensions named <paramref name="dims"/> ignoring NaNs, as NumPy's <c>nanmin</c>.</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    [OverloadResolutionPriority(-1)]
    public static ChunkedArray<T> NanMin<T>(this ChunkedArray<T> x, string[] dims, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => NanMin(x, NamedAxes.Of(x, dims), keepDims, splitEvery);

    /// <summary>Maximum over the dimension named <paramref name="dim"/> ignoring NaNs, as NumPy's <c>nanmax</c>.</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    [OverloadResolutionPriority(-1)]
    public static ChunkedArray<T> NanMax<T>(this ChunkedArray<T> x, string dim, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => NanMax(x, NamedAxes.Of(x, dim), keepDims, splitEvery);

    /// <summary>Maximum over the dimensions named <paramref name="dims"/> ignoring NaNs, as NumPy's <c>nanmax</c>.</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    [OverloadResolutionPriority(-1)]
    public static ChunkedArray<T> NanMax<T>(this ChunkedArray<T> x, string[] dims, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => NanMax(x, NamedAxes.Of(x, dims), keepDims, splitEvery);

    /// <summary>Index of the first minimum along the dimension named <paramref name="dim"/> (NumPy's <c>argmin</c>); the first NaN wins when there is one.</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    [OverloadResolutionPriority(-1)]
    public static ChunkedArray<long> ArgMin<T>(this ChunkedArray<T> x, string dim, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => ArgMin(x, NamedAxes.Of(x, dim), keepDims, splitEvery);

    /// <summary>Index of the first maximum along the dimension named <paramref name="dim"/> (NumPy's <c>argmax</c>); the first NaN wins when there is one.</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    [OverloadResolutionPriority(-1)]
    public static ChunkedArray<long> ArgMax<T>(this ChunkedArray<T> x, string dim, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => ArgMax(x, NamedAxes.Of(x, dim), keepDims, splitEvery);

    /// <summary>Number of non-zero elements over the dimension named <paramref name="dim"/> (NaN counts), as NumPy's <c>count_nonzero</c>.</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    [OverloadResolutionPriority(-1)]
    public static ChunkedArray<long> CountNonZero<T>(this ChunkedArray<T> x, string dim, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => CountNonZero(x, NamedAxes.Of(x, dim), keepDims, splitEvery);

    /// <summary>Number of non-zero elements over the dimensions named <paramref name="dims"/> (NaN counts), as NumPy's <c>count_nonzero</c>.</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    [OverloadResolutionPriority(-1)]
    public static ChunkedArray<long> CountNonZero<T>(this ChunkedArray<T> x, string[] dims, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => CountNonZero(x, NamedAxes.Of(x, dims), keepDims, splitEvery);

    /// <summary>Number of elements over the dimension named <paramref name="dim"/>, or of non-NaN elements when <paramref name="skipNaN"/>.</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    [OverloadResolutionPriority(-1)]
    public static ChunkedArray<long> Count<T>(this ChunkedArray<T> x, string dim, bool keepDims = false, bool skipNaN = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => Count(x, NamedAxes.Of(x, dim), keepDims, skipNaN, splitEvery);

    /// <summary>Number of elements over the dimensions named <paramref name="dims"/>, or of non-NaN elements when <paramref name="skipNaN"/>.</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    [OverloadResolutionPriority(-1)]
    public static ChunkedArray<long> Count<T>(this ChunkedArray<T> x, string[] dims, bool keepDims = false, bool skipNaN = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => Count(x, NamedAxes.Of(x, dims), keepDims, skipNaN, splitEvery);

    /// <summary>True where any element over the dimension named <paramref name="dim"/> is non-zero (NaN is true), as NumPy's <c>any</c>.</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    [OverloadResolutionPriority(-1)]
    public static ChunkedArray<bool> Any<T>(this ChunkedArray<T> x, string dim, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => Any(x, NamedAxes.Of(x, dim), keepDims, splitEvery);

    /// <summary>True where any element over the dimensions named <paramref name="dims"/> is non-zero (NaN is true), as NumPy's <c>any</c>.</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    [OverloadResolutionPriority(-1)]
    public static ChunkedArray<bool> Any<T>(this ChunkedArray<T> x, string[] dims, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => Any(x, NamedAxes.Of(x, dims), keepDims, splitEvery);

    /// <summary>True where every element over the dimension named <paramref name="dim"/> is non-zero, as NumPy's <c>all</c>.</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    [OverloadResolutionPriority(-1)]
    public static ChunkedArray<bool> All<T>(this ChunkedArray<T> x, string dim, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => All(x, NamedAxes.Of(x, dim), keepDims, splitEvery);

    /// <summary>True where every element over the dimensions named <paramref name="dims"/> is non-zero, as NumPy's <c>all</c>.</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    [OverloadResolutionPriority(-1)]
    public static ChunkedArray<bool> All<T>(this ChunkedArray<T> x, string[] dims, bool keepDims = false, int splitEvery = DefaultSplitEvery)
        where T : unmanaged => All(x, NamedAxes.Of(x, dims), keepDims, splitEvery);

    /// <summary>Sum over the dimension named <paramref name="dim"/> of complex128 values.</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    [OverloadResolutionPriority(-1)]
    public static ChunkedArray<System.Numerics.Complex> Sum(this ChunkedArray<System.Numerics.Complex> x, string dim, bool keepDims = false, int splitEvery = DefaultSplitEvery) =>
        Sum(x, NamedAxes.Of(x, dim), keepDims, splitEvery);

    /// <summary>Sum over the dimension named <paramref name="dim"/> of complex64 values.</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    [OverloadResolutionPriority(-1)]
    public static ChunkedArray<Complex32> Sum(this ChunkedArray<Complex32> x, string dim, bool keepDims = false, int splitEvery = DefaultSplitEvery) =>
        Sum(x, NamedAxes.Of(x, dim), keepDims, splitEvery);

    /// <summary>Mean over the dimension named <paramref name="dim"/> of complex128 values; NaN+NaNi for an empty slice.</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    [OverloadResolutionPriority(-1)]
    public static ChunkedArray<System.Numerics.Complex> Mean(this ChunkedArray<System.Numerics.Complex> x, string dim, bool keepDims = false, int splitEvery = DefaultSplitEvery) =>
        Mean(x, NamedAxes.Of(x, dim), keepDims, splitEvery);

    /// <summary>Mean over the dimension named <paramref name="dim"/> of complex64 values; NaN+NaNi for an empty slice.</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    [OverloadResolutionPriority(-1)]
    public static ChunkedArray<Complex32> Mean(this ChunkedArray<Complex32> x, string dim, bool keepDims = false, int splitEvery = DefaultSplitEvery) =>
        Mean(x, NamedAxes.Of(x, dim), keepDims, splitEvery);

    /// <summary>Product over the dimension named <paramref name="dim"/> of complex128 values (NumPy's <c>prod</c>).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    [OverloadResolutionPriority(-1)]
    public static ChunkedArray<System.Numerics.Complex> Prod(this ChunkedArray<System.Numerics.Complex> x, string dim, bool keepDims = false, int splitEvery = DefaultSplitEvery) =>
        Prod(x, NamedAxes.Of(x, dim), keepDims, splitEvery);

    /// <summary>Product over the dimension named <paramref name="dim"/> of complex64 values (NumPy's <c>prod</c>).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    [OverloadResolutionPriority(-1)]
    public static ChunkedArray<Complex32> Prod(this ChunkedArray<Complex32> x, string dim, bool keepDims = false, int splitEvery = DefaultSplitEvery) =>
        Prod(x, NamedAxes.Of(x, dim), keepDims, splitEvery);
}
