using ChunkCompute.Graph;
using ChunkCompute.Storage.Npy;

namespace ChunkCompute.Tests.Ops.Elementwise;

/// <summary>The NumPy-generated fixtures (tests/fixture-scripts/gen_elementwise_fixtures.py), loaded as chunked arrays.</summary>
internal static class ElementwiseFixtures
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", "ops", "elementwise", name + ".npy");

    /// <summary>Loads input <paramref name="role"/> of <paramref name="fixture"/> on an irregular grid (chunks of 1, 2, 3, … per dimension).</summary>
    public static ChunkedArray<T> Input<T>(string fixture, string role)
        where T : unmanaged
    {
        var data = Npy.Load<T>(Path($"{fixture}.{role}"), out var shape);
        var sizes = shape.Select(s =>
        {
            var list = new List<int>();
            for (int c = 1; s > 0; c++)
            {
                int take = (int)Math.Min(s, c);
                list.Add(take);
                s -= take;
            }

            return (IReadOnlyList<int>)(list.Count == 0 ? [0] : list);
        }).ToArray();
        return ChunkedArray.FromArray(data, ChunkGrid.FromSizes(sizes));
    }

    /// <summary>The expected output of <paramref name="fixture"/>.</summary>
    public static T[] Expected<T>(string fixture, out long[] shape)
        where T : unmanaged => Npy.Load<T>(Path($"{fixture}.out"), out shape);
}
