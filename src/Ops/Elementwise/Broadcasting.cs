using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>
/// NumPy broadcasting of chunked operands: shapes align at the trailing dimension, and a dimension of size 1 (or a
/// missing leading one) stretches. The output takes each dimension's chunking from the operands that are not
/// stretched along it; those must agree.
/// </summary>
internal static class Broadcasting
{
    /// <summary>The output grid of an elementwise operation over <paramref name="grids"/>.</summary>
    /// <exception cref="ArgumentException">The shapes cannot be broadcast, or are chunked differently along a shared dimension.</exception>
    public static ChunkGrid Grid(params ReadOnlySpan<ChunkGrid> grids)
    {
        if (grids.Length == 1)
        {
            return grids[0];
        }

        int rank = 0;
        foreach (var g in grids)
        {
            rank = Math.Max(rank, g.Rank);
        }

        var sizes = new IReadOnlyList<int>[rank];
        for (int dim = 0; dim < rank; dim++)
        {
            long size = 1;
            foreach (var g in grids)
            {
                int d = dim - (rank - g.Rank);
                if (d < 0 || g.Shape[d] == 1)
                {
                    continue;
                }

                if (size != 1 && g.Shape[d] != size)
                {
                    throw new ArgumentException($"operands could not be broadcast together with shapes {Shapes(grids)}: dimension {dim} is {size} in one and {g.Shape[d]} in another (sizes must match or be 1)");
                }

                size = g.Shape[d];
            }

            IReadOnlyList<int>? chunks = null;
            foreach (var g in grids)
            {
                int d = dim - (rank - g.Rank);
                if (d < 0 || g.Shape[d] != size)
                {
                    continue;
                }

                if (chunks is null)
                {
                    chunks = g.Sizes(d);
                }
                else if (!chunks.SequenceEqual(g.Sizes(d)))
                {
                    throw new ArgumentException($"operands with shapes {Shapes(grids)} are chunked differently along dimension {dim}: ({string.Join(", ", chunks)}) vs ({string.Join(", ", g.Sizes(d))}); Rechunk one operand to match the other");
                }
            }

            sizes[dim] = chunks ?? [1];
        }

        return ChunkGrid.FromSizes(sizes);
    }

    /// <summary>
    /// The input chunk of an operand of shape <paramref name="inputShape"/> for output chunk <paramref name="outputChunk"/>
    /// of an output of shape <paramref name="outputShape"/>: the same chunk along kept dimensions, chunk 0 along stretched ones.
    /// </summary>
    public static long[] InputChunk(IReadOnlyList<long> inputShape, IReadOnlyList<long> outputShape, ReadOnlySpan<long> outputChunk)
    {
        int offset = outputShape.Count - inputShape.Count;
        var index = new long[inputShape.Count];
        for (int d = 0; d < index.Length; d++)
        {
            index[d] = inputShape[d] == 1 ? 0 : outputChunk[d + offset];
        }

        return index;
    }

    /// <summary>True when an operand of <paramref name="inputShape"/> is stretched along some dimension of <paramref name="outputShape"/>.</summary>
    public static bool IsStretched(IReadOnlyList<long> inputShape, IReadOnlyList<long> outputShape)
    {
        int offset = outputShape.Count - inputShape.Count;
        for (int d = 0; d < outputShape.Count; d++)
        {
            long s = d < offset ? 1 : inputShape[d - offset];
            if (s != outputShape[d])
            {
                return true;
            }
        }

        return false;
    }

    private static string Shapes(ReadOnlySpan<ChunkGrid> grids)
    {
        var parts = new List<string>(grids.Length);
        foreach (var g in grids)
        {
            parts.Add("[" + string.Join(", ", g.Shape) + "]");
        }

        return string.Join(" and ", parts);
    }
}
