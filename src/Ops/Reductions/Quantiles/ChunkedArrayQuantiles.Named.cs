using System.Numerics;
using System.Runtime.CompilerServices;
using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <content>Quantiles, percentiles and medians along a dimension given by name (xarray's <c>quantile(q, dim="time")</c>).</content>
public static partial class ChunkedArrayQuantiles
{
    /// <summary>Quantiles <paramref name="q"/> (each in [0, 1]) along the dimension named <paramref name="dim"/> (NumPy's <c>quantile</c>).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A quantile is outside [0, 1].</exception>
    [OverloadResolutionPriority(-1)]
    public static ChunkedArray<double> Quantile<T>(this ChunkedArray<T> x, double[] q, string dim)
        where T : unmanaged, INumberBase<T> => x.Quantile(q, NamedAxes.Of(x, dim));

    /// <summary>Quantiles <paramref name="q"/> along the dimension named <paramref name="dim"/> ignoring NaN (NumPy's <c>nanquantile</c>).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A quantile is outside [0, 1].</exception>
    [OverloadResolutionPriority(-1)]
    public static ChunkedArray<double> NanQuantile<T>(this ChunkedArray<T> x, double[] q, string dim)
        where T : unmanaged, INumberBase<T> => x.NanQuantile(q, NamedAxes.Of(x, dim));

    /// <summary>Percentiles <paramref name="p"/> (each in [0, 100]) along the dimension named <paramref name="dim"/> (NumPy's <c>percentile</c>).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A percentile is outside [0, 100].</exception>
    [OverloadResolutionPriority(-1)]
    public static ChunkedArray<double> Percentile<T>(this ChunkedArray<T> x, double[] p, string dim)
        where T : unmanaged, INumberBase<T> => x.Percentile(p, NamedAxes.Of(x, dim));

    /// <summary>The median along the dimension named <paramref name="dim"/>; NaN in a lane gives NaN (NumPy's <c>median</c>).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    [OverloadResolutionPriority(-1)]
    public static ChunkedArray<double> Median<T>(this ChunkedArray<T> x, string dim)
        where T : unmanaged, INumberBase<T> => x.Median(NamedAxes.Of(x, dim));

    /// <summary>The median along the dimension named <paramref name="dim"/> ignoring NaN (NumPy's <c>nanmedian</c>).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    [OverloadResolutionPriority(-1)]
    public static ChunkedArray<double> NanMedian<T>(this ChunkedArray<T> x, string dim)
        where T : unmanaged, INumberBase<T> => x.NanMedian(NamedAxes.Of(x, dim));
}
