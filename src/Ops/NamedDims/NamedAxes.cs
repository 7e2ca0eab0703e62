using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>Resolves dimension names to axes for the overloads that take names (each then calls its axis form).</summary>
internal static class NamedAxes
{
    /// <summary>The axis named <paramref name="dim"/>; <see cref="ChunkedArray{T}.AxisOf"/> names a missing dimension.</summary>
    public static int Of<T>(ChunkedArray<T> x, string dim)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(dim);
        return x.AxisOf(dim);
    }

    /// <summary>The axes named <paramref name="dims"/>, in that order.</summary>
    public static int[] Of<T>(ChunkedArray<T> x, string[] dims)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(dims);
        var axes = new int[dims.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            axes[i] = Of(x, dims[i]);
        }

        return axes;
    }
}
