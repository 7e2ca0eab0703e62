using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Scheduler;

/// <summary>
/// The rows of an array where a 1-D mask (chunked as the array along the axis) is true, once a counting pass knows how
/// many each mask chunk selects: output chunk g along the axis gathers the selected rows of the mask chunks
/// <c>Groups[g]</c> (consecutive, together at most one input chunk's rows, at most <see cref="MaxInputChunks"/> of them).
/// </summary>
internal sealed unsafe class CompressNode : ArrayNode
{
    /// <summary>The most input chunks one output chunk reads.</summary>
    public const int MaxInputChunks = 8;

    private readonly int _axis;
    private readonly long[][] _groups;

    public CompressNode(ArrayNode input, ArrayNode mask, int axis, ChunkGrid grid, long[][] groups)
        : base(input.DataType, grid, [input, mask])
    {
        _axis = axis;
        _groups = groups;
    }

    public override string Label => "compress";

    public override IReadOnlyList<string?>? DimensionNames => Inputs[0].DimensionNames;

    /// <summary>
    /// Groups mask chunks with <paramref name="counts"/> selected rows each into output chunks along the axis: empty ones
    /// dropped, neighbours merged while they stay within <paramref name="nominal"/> rows and <see cref="MaxInputChunks"/> chunks.
    /// </summary>
    public static (List<int> Sizes, long[][] Groups) Group(long[] counts, int nominal)
    {
        var sizes = new List<int>();
        var groups = new List<long[]>();
        var current = new List<long>();
        long size = 0;
        for (long c = 0; c < counts.Length; c++)
        {
            if (counts[c] == 0)
            {
                continue;
            }

            if (current.Count > 0 && (size + counts[c] > nominal || current.Count == MaxInputChunks))
            {
                sizes.Add(checked((int)size));
                groups.Add([.. current]);
                current.Clear();
                size = 0;
            }

            current.Add(c);
            size += counts[c];
        }

        if (current.Count > 0)
        {
            sizes.Add(checked((int)size));
            groups.Add([.. current]);
        }

        return (sizes, [.. groups]);
    }

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        if (Grid.ChunkElements(chunkIndex) == 0)
        {
            return;
        }

        foreach (long c in _groups[chunkIndex[_axis]])
        {
            var at = chunkIndex.ToArray();
            at[_axis] = c;
            dependencies.Add(new ChunkDependency(0, at));
            dependencies.Add(new ChunkDependency(1, [c]));
        }
    }

    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var shape = context.Output.Shape;
        if (shape.Any(s => s == 0))
        {
            return;
        }

        var (outer, rows, inner) = Lanes(shape, _axis);
        int es = DataType.Size;
        long rowBytes = inner * es;
        byte* output = (byte*)context.Output.Pointer;
        long at = 0;
        for (int m = 0; m < _groups[context.ChunkIndex[_axis]].Length; m++)
        {
            var input = context.Inputs[2 * m];
            var mask = (bool*)context.Inputs[(2 * m) + 1].Pointer;
            long inRows = input.Shape[_axis];
            long maskRows = context.Inputs[(2 * m) + 1].Shape[0];
            byte* source = (byte*)input.Pointer;
            for (long r = 0; r < maskRows; r++)
            {
                if (!mask[r])
                {
                    continue;
                }

                for (long o = 0; o < outer; o++)
                {
                    Buffer.MemoryCopy(source + ((((o * inRows) + r) * inner) * es), output + ((((o * rows) + at) * inner) * es), rowBytes, rowBytes);
                }

                at++;
            }
        }
    }

    internal static (long Outer, long Rows, long Inner) Lanes(int[] shape, int axis)
    {
        long outer = 1;
        long inner = 1;
        for (int d = 0; d < axis; d++)
        {
            outer *= shape[d];
        }

        for (int d = axis + 1; d < shape.Length; d++)
        {
            inner *= shape[d];
        }

        return (outer, shape[axis], inner);
    }
}

/// <summary>Branch-free compaction of single-element rows.</summary>
internal static unsafe class Compaction
{
    // For four 8-byte rows and their 4 flag bits: the 32-bit lanes that move the selected rows to the front.
    private static readonly Vector256<int>[] Front = Enumerable.Range(0, 16).Select(m =>
    {
        var lanes = new int[8];
        int at = 0;
        for (int j = 0; j < 4; j++)
        {
            if ((m & (1 << j)) != 0)
            {
                lanes[at++] = 2 * j;
                lanes[at++] = (2 * j) + 1;
            }
        }

        return Vector256.Create(lanes);
    }).ToArray();

    /// <summary>
    /// Copies the rows whose flag is set, in order, and returns how many. <paramref name="target"/> must have room for
    /// <paramref name="rows"/> rows (writes may run past the selected ones). 8-byte rows with AVX2: four rows at a time,
    /// moved to the front by a permutation picked by their flags and stored whole (no branch per row); otherwise eight
    /// flags at a time (a word of zeros skips eight rows; else the set flags' bits are visited).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static long Compact<TE>(TE* source, bool* mask, long rows, TE* target)
        where TE : unmanaged
    {
        byte* flags = (byte*)mask;
        long at = 0;
        long r = 0;
        if (sizeof(TE) == 8 && Avx2.IsSupported)
        {
            var front = Front;
            for (; r + 4 <= rows; r += 4)
            {
                // The low bit of each of the 4 flag bytes, gathered into bits 24..27 (flag j → bit 24 + j).
                uint m = ((Unsafe.ReadUnaligned<uint>(flags + r) & 0x0101_0101u) * 0x0102_0408u) >> 24;
                var moved = Avx2.PermuteVar8x32(Avx.LoadVector256((int*)(source + r)), front[m]);
                Avx.Store((int*)(target + at), moved);
                at += BitOperations.PopCount(m);
            }
        }

        for (; r + 8 <= rows; r += 8)
        {
            ulong word = Unsafe.ReadUnaligned<ulong>(flags + r);
            if (word == 0)
            {
                continue;
            }

            // Each flag byte is 0 or 1 (bool): gather the low bit of every byte into one byte.
            uint bits = (uint)(((word & 0x0101_0101_0101_0101UL) * 0x0102_0408_1020_4080UL) >> 56);
            while (bits != 0)
            {
                int k = BitOperations.TrailingZeroCount(bits);
                target[at++] = source[r + k];
                bits &= bits - 1;
            }
        }

        for (; r < rows; r++)
        {
            if (flags[r] != 0)
            {
                target[at++] = source[r];
            }
        }

        return at;
    }
}

/// <summary>
/// The counting pass of a compress: per input chunk, how many of its rows the mask selects, followed by those rows
/// (so a result small enough to keep is not computed twice). Layout: [int64 selected rows][the selected block].
/// </summary>
internal sealed unsafe class CompressCountNode : ArrayNode
{
    private readonly int _axis;

    public CompressCountNode(ArrayNode input, ArrayNode mask, int axis, ChunkGrid grid)
        : base(DataType.UInt8, grid, [input, mask])
    {
        _axis = axis;
    }

    public override string Label => "compress-count";

    public override long OutputBytes(ReadOnlySpan<long> chunkIndex) => sizeof(long) + (Grid.ChunkElements(chunkIndex) * Inputs[0].DataType.Size);

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        dependencies.Add(new ChunkDependency(0, chunkIndex.ToArray()));
        dependencies.Add(new ChunkDependency(1, [chunkIndex[_axis]]));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var input = context.Inputs[0];
        var mask = (bool*)context.Inputs[1].Pointer;
        long maskRows = context.Inputs[1].Shape[0];
        var (outer, rows, inner) = CompressNode.Lanes(input.Shape, _axis);
        byte* output = (byte*)context.Output.Pointer;
        int es = Inputs[0].DataType.Size;
        long rowBytes = inner * es;
        byte* source = (byte*)input.Pointer;
        byte* target = output + sizeof(long);
        if (outer == 1 && rowBytes is 1 or 2 or 4 or 8)
        {
            // Rows of one element (1-D): counted while compacted.
            *(long*)output = rowBytes switch
            {
                8 => Compaction.Compact((ulong*)source, mask, maskRows, (ulong*)target),
                4 => Compaction.Compact((uint*)source, mask, maskRows, (uint*)target),
                2 => Compaction.Compact((ushort*)source, mask, maskRows, (ushort*)target),
                _ => Compaction.Compact(source, mask, maskRows, target),
            };
            return;
        }

        long selected = 0;
        byte* flags = (byte*)mask;
        for (long r = 0; r < maskRows; r++)
        {
            selected += flags[r] != 0 ? 1 : 0;
        }

        *(long*)output = selected;

        long at = 0;
        for (long r = 0; r < maskRows; r++)
        {
            if (!mask[r])
            {
                continue;
            }

            for (long o = 0; o < outer; o++)
            {
                Buffer.MemoryCopy(source + ((((o * rows) + r) * inner) * es), target + ((((o * selected) + at) * inner) * es), rowBytes, rowBytes);
            }

            at++;
        }
    }
}
