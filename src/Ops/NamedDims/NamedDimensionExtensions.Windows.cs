using System.Numerics;
using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <content>Windows along a dimension given by name: differences, moving sums and means, gradients, convolutions.</content>
public static partial class NamedDimensionExtensions
{
    /// <summary>The <paramref name="n"/>-th discrete difference along the dimension named <paramref name="dim"/> (NumPy's <c>diff</c>).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative.</exception>
    public static ChunkedArray<T> Diff<T>(this ChunkedArray<T> x, string dim, int n = 1)
        where T : unmanaged, INumberBase<T> => x.Diff(n, NamedAxes.Of(x, dim));

    /// <summary>The moving sum of <paramref name="window"/> values along the dimension named <paramref name="dim"/> (xarray's <c>rolling(dim=window).sum()</c>).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The window is not positive.</exception>
    public static ChunkedArray<T> MovingSum<T>(this ChunkedArray<T> x, int window, string dim)
        where T : unmanaged, IFloatingPointIeee754<T> => x.MovingSum(window, NamedAxes.Of(x, dim));

    /// <summary>The moving mean of <paramref name="window"/> values along the dimension named <paramref name="dim"/> (xarray's <c>rolling(dim=window).mean()</c>).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The window is not positive.</exception>
    public static ChunkedArray<T> MovingMean<T>(this ChunkedArray<T> x, int window, string dim)
        where T : unmanaged, IFloatingPointIeee754<T> => x.MovingMean(window, NamedAxes.Of(x, dim));

    /// <summary>The gradient along the dimension named <paramref name="dim"/> with unit spacing (NumPy's <c>gradient</c>).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names), or it has fewer than 2 elements.</exception>
    public static ChunkedArray<T> Gradient<T>(this ChunkedArray<T> x, string dim)
        where T : unmanaged, IFloatingPointIeee754<T> => x.Gradient(NamedAxes.Of(x, dim));

    /// <summary>The convolution with <paramref name="kernel"/> along the dimension named <paramref name="dim"/> (NumPy's <c>convolve(mode="same")</c>).</summary>
    /// <exception cref="ArgumentException">No dimension has that name (or the array has no names), or the kernel is empty or longer than it.</exception>
    public static ChunkedArray<T> Convolve1D<T>(this ChunkedArray<T> x, T[] kernel, string dim)
        where T : unmanaged, INumberBase<T> => x.Convolve1D(kernel, NamedAxes.Of(x, dim));
}
