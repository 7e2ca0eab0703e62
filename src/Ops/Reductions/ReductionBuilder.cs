using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>Builds the partial → combine… → finalize node chain of a tree reduction.</summary>
internal static class ReductionBuilder
{
    /// <summary>Default fan-in of the combine steps (Dask's <c>split_every</c>).</summary>
    public const int DefaultSplitEvery = 4;

    /// <summary>
    /// NumPy's axis normalization: null → every axis; negative axes count from the end; out of range or repeated
    /// axes are errors. Returns a per-dimension mask.
    /// </summary>
    public static bool[] NormalizeAxes(int rank, ReadOnlySpan<int> axes, bool all, string operation)
    {
        var reduced = new bool[rank];
        if (all)
        {
            Array.Fill(reduced, true);
            return reduced;
        }

        foreach (int a in axes)
        {
            int d = a < 0 ? a + rank : a;
            if (d < 0 || d >= rank)
            {
                throw new ArgumentOutOfRangeException(nameof(axes), $"{operation}: axis {a} is out of bounds for an array of {rank} dimensions");
            }

            if (reduced[d])
            {
                throw new ArgumentException($"{operation}: axis {a} is repeated in [{string.Join(", ", axes.ToArray())}]", nameof(axes));
            }

            reduced[d] = true;
        }

        return reduced;
    }

    /// <summary>A standard reduction: the result keeps the unreduced dimensions (and the reduced ones as size 1 when <paramref name="keepDims"/>).</summary>
    public static ArrayNode Reduce(ArrayNode input, ReductionKernel kernel, bool[] reduced, bool keepDims, int splitEvery, bool needsNonEmpty = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (needsNonEmpty)
        {
            long extent = 1;
            for (int d = 0; d < reduced.Length; d++)
            {
                extent *= reduced[d] ? input.Grid.Shape[d] : 1;
            }

            if (extent == 0)
            {
                throw new ArgumentException($"{kernel.Name} of a zero-size reduction has no identity (input {input}); NumPy raises the same");
            }
        }

        var state = BuildTree(input, kernel, reduced, splitEvery);
        var sizes = new List<IReadOnlyList<int>>();
        var map = new List<int>();
        for (int d = 0; d < reduced.Length; d++)
        {
            if (keepDims || !reduced[d])
            {
                sizes.Add(state.Grid.Sizes(d));
                map.Add(d);
            }
        }

        return new ReduceFinalizeNode(state, kernel, ChunkGrid.FromSizes(sizes), map.ToArray());
    }

    /// <summary>Partial and combine nodes down to one state chunk along every reduced dimension.</summary>
    public static ArrayNode BuildTree(ArrayNode input, ReductionKernel kernel, bool[] reduced, int splitEvery)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(splitEvery, 2);
        var spec = new ReductionSpec(input.Grid.Shape.ToArray(), reduced, input.ToString());
        ArrayNode node = new ReducePartialNode(input, kernel, spec);
        while (true)
        {
            int wide = 0;
            for (int d = 0; d < reduced.Length; d++)
            {
                wide += reduced[d] && node.Grid.Sizes(d).Count > 1 ? 1 : 0;
            }

            if (wide == 0)
            {
                return node;
            }

            // Spread the fan-in over the reduced dimensions that still have several chunks: the largest f with
            // f^wide <= splitEvery, at least 2 (Dask: max(int(split_every ** (1 / len(axis))), 2)).
            int f = 2;
            while (Math.Pow(f + 1, wide) <= splitEvery)
            {
                f++;
            }

            var fan = new int[reduced.Length];
            for (int d = 0; d < reduced.Length; d++)
            {
                fan[d] = reduced[d] ? f : 1;
            }

            node = new ReduceCombineNode(node, kernel, reduced, fan);
        }
    }
}
