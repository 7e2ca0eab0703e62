using ChunkCompute.Graph;
using ChunkCompute.Storage.Npy;

namespace ChunkCompute.Tests.TestSupport;

/// <summary>NumPy fixtures loaded as lazy arrays on irregular grids, so operations cross chunk edges of every size.</summary>
internal static class NpyOnGrid
{
    /// <summary>
    /// Loads a .npy as a <c>ChunkedArray&lt;T&gt;</c> of its element type on an irregular grid: chunk sizes 1, 2, 3, 1, 2, 3…
    /// per dimension.
    /// </summary>
    public static object Load(string path, out long[] shape)
    {
        var (header, bytes) = Npy.Load(path);
        shape = header.Shape;
        var sizes = shape.Select(n =>
        {
            var s = new List<int>();
            for (long left = n, k = 0; left > 0; k++)
            {
                int c = (int)Math.Min(left, 1 + (k % 3));
                s.Add(c);
                left -= c;
            }

            return (IReadOnlyList<int>)s;
        }).ToList();
        var grid = ChunkGrid.FromSizes(sizes);
        return header.NormalizedDescr switch
        {
            "|b1" => Wrap<bool>(bytes, grid),
            "|i1" => Wrap<sbyte>(bytes, grid),
            "|u1" => Wrap<byte>(bytes, grid),
            "<i4" => Wrap<int>(bytes, grid),
            "<i8" => Wrap<long>(bytes, grid),
            "<u2" => Wrap<ushort>(bytes, grid),
            "<u8" => Wrap<ulong>(bytes, grid),
            "<f2" => Wrap<Half>(bytes, grid),
            "<f4" => Wrap<float>(bytes, grid),
            "<f8" => Wrap<double>(bytes, grid),
            "<c16" => Wrap<System.Numerics.Complex>(bytes, grid),
            var d => throw new InvalidOperationException(d),
        };
    }

    private static ChunkedArray<T> Wrap<T>(byte[] bytes, ChunkGrid grid)
        where T : unmanaged => ChunkedArray.FromArray(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(bytes).ToArray(), grid);
}
