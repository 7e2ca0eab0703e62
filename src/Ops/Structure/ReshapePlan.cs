using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>
/// Chunk-compatible reshape, like Dask's: input and output dimensions are matched into groups with equal products
/// (merges, splits, or both). Within a group every input chunk must be a contiguous run of the group's C-order
/// elements (its dimensions after the chunked one are whole, those before it are in chunks of 1), and the output is
/// chunked so that each output chunk is exactly one input chunk's run. Then each output chunk holds one input chunk's
/// bytes in the same order. Anything else is refused with a suggestion to rechunk first.
/// </summary>
internal sealed class ReshapePlan
{
    private readonly ChunkGrid _input;
    private readonly List<(int[] InDims, int[] OutDims)> _groups;

    private ReshapePlan(ChunkGrid input, ChunkGrid output, List<(int[] InDims, int[] OutDims)> groups)
    {
        _input = input;
        Output = output;
        _groups = groups;
    }

    public ChunkGrid Output { get; }

    public static ReshapePlan Create(ChunkGrid input, long[] outShape)
    {
        var inShape = input.Shape.ToArray();
        if (input.ElementCount == 0)
        {
            return new ReshapePlan(input, ChunkGrid.Regular(outShape, outShape.Select(s => (int)Math.Clamp(s, 1, int.MaxValue)).ToArray()), []);
        }

        var groups = Group(inShape, outShape);
        var outSizes = new int[outShape.Length][];
        var problems = new List<string>();
        foreach (var (inDims, outDims) in groups)
        {
            var boundaries = InputBoundaries(input, inDims);
            if (boundaries is null || !TryChunkOutput(outShape, outDims, boundaries, outSizes))
            {
                problems.Add($"input dimensions [{string.Join(", ", inDims)}] (sizes [{string.Join(", ", inDims.Select(d => inShape[d]))}], chunks {Describe(input, inDims)}) → output dimensions [{string.Join(", ", outDims)}] (sizes [{string.Join(", ", outDims.Select(d => outShape[d]))}])");
            }
        }

        if (problems.Count > 0)
        {
            var suggestion = new int[inShape.Length];
            for (int d = 0; d < inShape.Length; d++)
            {
                suggestion[d] = input.NominalChunkShape[d];
            }

            foreach (var (inDims, _) in groups)
            {
                if (inDims.Any(d => input.Sizes(d).Count > 1) && InputBoundaries(input, inDims) is null)
                {
                    foreach (int d in inDims.Skip(1))
                    {
                        suggestion[d] = -1;
                    }
                }
            }

            foreach (var (inDims, outDims) in groups)
            {
                var b = InputBoundaries(input, inDims);
                if (b is not null && !TryChunkOutput(outShape, outDims, b, new int[outShape.Length][]))
                {
                    foreach (int d in inDims)
                    {
                        suggestion[d] = -1;
                    }
                }
            }

            throw new ArgumentException(
                $"cannot reshape [{string.Join(", ", inShape)}] with chunks {input} to [{string.Join(", ", outShape)}] chunk by chunk: " +
                string.Join("; ", problems) +
                $". Each input chunk must be a contiguous run of its group's elements that output chunks can express. Rechunk first, e.g. x.Rechunk([{string.Join(", ", suggestion)}]).Reshape(...).");
        }

        return new ReshapePlan(input, ChunkGrid.FromSizes(outSizes), groups);
    }

    /// <summary>The input chunk holding output chunk <paramref name="outIndex"/>'s bytes.</summary>
    public long[] InputChunk(ReadOnlySpan<long> outIndex)
    {
        var inIndex = new long[_input.Rank];
        foreach (var (inDims, outDims) in _groups)
        {
            long r = 0;
            foreach (int d in outDims)
            {
                r = (r * Output.Sizes(d).Count) + outIndex[d];
            }

            for (int k = inDims.Length - 1; k >= 0; k--)
            {
                int n = _input.Sizes(inDims[k]).Count;
                inIndex[inDims[k]] = r % n;
                r /= n;
            }
        }

        return inIndex;
    }

    private static string Describe(ChunkGrid grid, int[] dims) =>
        "(" + string.Join(", ", dims.Select(d => grid.Sizes(d).Count > 4 ? $"({grid.Sizes(d)[0]}, … ×{grid.Sizes(d).Count})" : "(" + string.Join(", ", grid.Sizes(d)) + ")")) + ")";

    private static List<(int[] InDims, int[] OutDims)> Group(long[] inShape, long[] outShape)
    {
        var groups = new List<(int[], int[])>();
        int i = 0, j = 0;
        while (i < inShape.Length && j < outShape.Length)
        {
            int i0 = i, j0 = j;
            long pi = inShape[i], pj = outShape[j];
            while (pi != pj)
            {
                if (pi < pj)
                {
                    pi *= inShape[++i];
                }
                else
                {
                    pj *= outShape[++j];
                }
            }

            i++;
            j++;
            groups.Add((Enumerable.Range(i0, i - i0).ToArray(), Enumerable.Range(j0, j - j0).ToArray()));
        }

        // What is left is all size 1: attach it to the last group (or make one).
        var restIn = Enumerable.Range(i, inShape.Length - i).ToArray();
        var restOut = Enumerable.Range(j, outShape.Length - j).ToArray();
        if (restIn.Length + restOut.Length > 0)
        {
            if (groups.Count == 0)
            {
                groups.Add((restIn, restOut));
            }
            else
            {
                var (a, b) = groups[^1];
                groups[^1] = ([.. a, .. restIn], [.. b, .. restOut]);
            }
        }

        return groups;
    }

    /// <summary>The sorted C-order run boundaries of the input chunks within a group, or null when a chunk is not one run.</summary>
    private static long[]? InputBoundaries(ChunkGrid grid, int[] dims)
    {
        long total = dims.Aggregate(1L, (a, d) => a * grid.Shape[d]);
        int k = -1;
        for (int x = dims.Length - 1; x >= 0; x--)
        {
            if (grid.Sizes(dims[x]).Count > 1)
            {
                k = x;
                break;
            }
        }

        if (k < 0)
        {
            return [0, total];
        }

        for (int x = 0; x < k; x++)
        {
            if (grid.Sizes(dims[x]).Any(s => s != 1))
            {
                return null;
            }
        }

        long after = 1;
        for (int x = k + 1; x < dims.Length; x++)
        {
            after *= grid.Shape[dims[x]];
        }

        long outer = 1;
        for (int x = 0; x < k; x++)
        {
            outer *= grid.Shape[dims[x]];
        }

        long block = grid.Shape[dims[k]] * after;
        var sizes = grid.Sizes(dims[k]);
        var result = new List<long>((int)Math.Min(int.MaxValue / 2, (outer * sizes.Count) + 1));
        for (long o = 0; o < outer; o++)
        {
            long off = 0;
            foreach (int s in sizes)
            {
                result.Add((o * block) + (off * after));
                off += s;
            }
        }

        result.Add(total);
        return [.. result];
    }

    private static bool TryChunkOutput(long[] outShape, int[] dims, long[] boundaries, int[][] outSizes)
    {
        long total = boundaries[^1];
        if (boundaries.Length == 2)
        {
            foreach (int d in dims)
            {
                outSizes[d] = [checked((int)outShape[d])];
            }

            return true;
        }

        for (int k = dims.Length - 1; k >= 0; k--)
        {
            long after = 1;
            for (int x = k + 1; x < dims.Length; x++)
            {
                after *= outShape[dims[x]];
            }

            long block = outShape[dims[k]] * after;
            if (boundaries.Any(b => b % after != 0))
            {
                continue;
            }

            var pattern = boundaries.TakeWhile(b => b <= block).ToArray();
            if (pattern[^1] != block)
            {
                continue;
            }

            long blocks = total / block;
            if ((blocks * (pattern.Length - 1)) + 1 != boundaries.Length)
            {
                continue;
            }

            bool ok = true;
            for (long b = 0; b < blocks && ok; b++)
            {
                for (int p = 0; p < pattern.Length - 1; p++)
                {
                    if (boundaries[(b * (pattern.Length - 1)) + p] != (b * block) + pattern[p])
                    {
                        ok = false;
                        break;
                    }
                }
            }

            if (!ok)
            {
                continue;
            }

            for (int x = 0; x < k; x++)
            {
                outSizes[dims[x]] = Enumerable.Repeat(1, checked((int)outShape[dims[x]])).ToArray();
            }

            outSizes[dims[k]] = pattern.Zip(pattern.Skip(1), (a, b) => checked((int)((b - a) / after))).ToArray();
            for (int x = k + 1; x < dims.Length; x++)
            {
                outSizes[dims[x]] = [checked((int)outShape[dims[x]])];
            }

            return true;
        }

        return false;
    }
}
