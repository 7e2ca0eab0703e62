using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>Builds the partial → combine… → finalize node chain of a tree reduction.</summary>
internal static class ReductionBuilder
{
    /// <summary>Default fan-in of the combine steps (Dask's <c>split_every</c>).</summary>
    public const int DefaultSplitEvery = ReductionTree.DefaultSplitEvery;

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

        var result = ReductionTree.Build(new KernelReduction(input, kernel, reduced, keepDims), splitEvery).Finalize();
        return KeepNames(result, input.DimensionNames, reduced, keepDims);
    }

    /// <summary>
    /// The reduction's result under the input's dimension names of the dimensions it keeps (all of them with
    /// <paramref name="keepDims"/>), or the result itself when the input is unnamed.
    /// </summary>
    public static ArrayNode KeepNames(ArrayNode result, IReadOnlyList<string?>? names, bool[] reduced, bool keepDims)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (names is null || names.All(n => n is null))
        {
            return result;
        }

        var kept = keepDims ? names : names.Where((_, d) => !reduced[d]).ToArray();
        return kept.Count == result.Grid.Rank ? new NamedDimensionsNode(result, kept) : result;
    }
}
