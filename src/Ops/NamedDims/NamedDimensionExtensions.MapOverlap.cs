using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <content>map_overlap with the depth given per dimension name.</content>
public static partial class NamedDimensionExtensions
{
    /// <summary>
    /// <see cref="MapOverlapExtensions.MapOverlap{T, U}(ChunkedArray{T}, int[], OverlapBoundary, ChunkKernel{T, U})"/>
    /// with the depth given by dimension name (Dask's <c>depth={"time": 2}</c>, here <c>[("time", 2)]</c>); a dimension
    /// not listed has depth 0.
    /// </summary>
    /// <exception cref="ArgumentException">A name is not one of the array's dimension names, or is listed twice; a depth is negative, or a reflect/periodic depth exceeds its dimension.</exception>
    public static ChunkedArray<U> MapOverlap<T, U>(this ChunkedArray<T> array, (string Dim, int Depth)[] depth, OverlapBoundary boundary, ChunkKernel<T, U> kernel)
        where T : unmanaged
        where U : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentNullException.ThrowIfNull(depth);
        var axes = new int[array.Rank];
        var given = new bool[array.Rank];
        foreach (var (dim, d) in depth)
        {
            int axis = NamedAxes.Of(array, dim);
            if (given[axis])
            {
                throw new ArgumentException($"the depth of dimension '{dim}' is given twice", nameof(depth));
            }

            given[axis] = true;
            axes[axis] = d;
        }

        return array.MapOverlap(axes, boundary, kernel);
    }
}
