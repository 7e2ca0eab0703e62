using System.Numerics;
using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>
/// Operations over a window along one axis — differences, moving sums and means, gradients, convolutions — each output
/// chunk computed from its input chunk plus the few rows of its neighbours the window reaches (Dask's
/// <c>map_overlap</c> along one axis): lazy, chunk-parallel, reading only the chunks a window touches.
/// </summary>
public static class ChunkedArrayWindows
{
    /// <summary>
    /// The <paramref name="n"/>-th discrete difference along <paramref name="axis"/> (NumPy's <c>diff</c>): one element
    /// shorter per difference along the axis; n = 0 is the array itself.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range or <paramref name="n"/> is negative.</exception>
    public static ChunkedArray<T> Diff<T>(this ChunkedArray<T> x, int n = 1, int axis = -1)
        where T : unmanaged, INumberBase<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        int a = StructureExtensions.NormalizeAxis(axis, x.Node.Grid.Rank, nameof(axis));
        return n == 0 ? x : new ChunkedArray<T>(new AxisWindowNode<T, T>(x.Node, a, new DiffKernel<T>(n)));
    }

    /// <summary>
    /// The sum of the last <paramref name="window"/> values up to each position along <paramref name="axis"/> (xarray's
    /// <c>rolling(window).sum()</c>): same shape, NaN where fewer than <paramref name="window"/> values precede.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range or the window is not positive.</exception>
    public static ChunkedArray<T> MovingSum<T>(this ChunkedArray<T> x, int window, int axis = -1)
        where T : unmanaged, IFloatingPointIeee754<T> => Moving(x, window, axis, mean: false);

    /// <summary>
    /// The mean of the last <paramref name="window"/> values up to each position along <paramref name="axis"/> (xarray's
    /// <c>rolling(window).mean()</c>): same shape, NaN where fewer than <paramref name="window"/> values precede.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range or the window is not positive.</exception>
    public static ChunkedArray<T> MovingMean<T>(this ChunkedArray<T> x, int window, int axis = -1)
        where T : unmanaged, IFloatingPointIeee754<T> => Moving(x, window, axis, mean: true);

    /// <summary>
    /// The gradient along <paramref name="axis"/> with unit spacing (NumPy's <c>gradient(x, axis=axis)</c>): central
    /// differences inside, one-sided differences at both ends.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    /// <exception cref="ArgumentException">The axis has fewer than 2 elements.</exception>
    public static ChunkedArray<T> Gradient<T>(this ChunkedArray<T> x, int axis = -1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        int a = StructureExtensions.NormalizeAxis(axis, x.Node.Grid.Rank, nameof(axis));
        if (x.Node.Grid.Shape[a] < 2)
        {
            throw new ArgumentException($"a gradient along axis {axis} needs at least 2 elements; the axis has {x.Node.Grid.Shape[a]}", nameof(x));
        }

        return new ChunkedArray<T>(new AxisWindowNode<T, T>(x.Node, a, new GradientKernel<T>()));
    }

    /// <summary>
    /// The convolution with <paramref name="kernel"/> along <paramref name="axis"/>, the same length as the axis and
    /// centred as NumPy's <c>convolve(x, kernel, mode="same")</c> (zeros beyond the ends).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The axis is out of range.</exception>
    /// <exception cref="ArgumentException">The kernel is empty or longer than the axis.</exception>
    public static ChunkedArray<T> Convolve1D<T>(this ChunkedArray<T> x, T[] kernel, int axis = -1)
        where T : unmanaged, INumberBase<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(kernel);
        int a = StructureExtensions.NormalizeAxis(axis, x.Node.Grid.Rank, nameof(axis));
        if (kernel.Length == 0 || kernel.Length > x.Node.Grid.Shape[a])
        {
            throw new ArgumentException($"the kernel has {kernel.Length} elements; it must have between 1 and the axis length ({x.Node.Grid.Shape[a]})", nameof(kernel));
        }

        return new ChunkedArray<T>(new AxisWindowNode<T, T>(x.Node, a, new ConvolveKernel<T>((T[])kernel.Clone())));
    }

    private static ChunkedArray<T> Moving<T>(ChunkedArray<T> x, int window, int axis, bool mean)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        int a = StructureExtensions.NormalizeAxis(axis, x.Node.Grid.Rank, nameof(axis));
        return new ChunkedArray<T>(new AxisWindowNode<T, T>(x.Node, a, new MovingKernel<T>(window, mean)));
    }
}
