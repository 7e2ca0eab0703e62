using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ChunkCompute.Ops;

/// <summary>
/// Vectorized float64 accumulation over contiguous runs, shared by sum, mean and var/std: the run is cut into blocks
/// of <see cref="Block"/> elements, each block (widened to double when needed) is summed with
/// <see cref="TensorPrimitives"/>, and block totals are added with compensation. A block is summed element by element
/// only when NaNs must be skipped and the block holds one (its SIMD sum is NaN).
/// </summary>
internal static class DoubleBlocks
{
    public const int Block = 256;

    /// <summary>Adds the values (NaNs skipped when asked) to <paramref name="sum"/> and their number to <paramref name="count"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Accumulate<TIn>(ReadOnlySpan<TIn> values, bool skipNaN, ref CompensatedSum sum, ref long count)
        where TIn : unmanaged, INumberBase<TIn>
    {
        Span<double> scratch = stackalloc double[Block];
        for (int i = 0; i < values.Length; i += Block)
        {
            var block = AsDoubles(values.Slice(i, Math.Min(Block, values.Length - i)), scratch);
            double s = TensorPrimitives.Sum(block);
            if (skipNaN && double.IsNaN(s))
            {
                foreach (var x in block)
                {
                    if (!double.IsNaN(x))
                    {
                        sum.Add(x);
                        count++;
                    }
                }

                continue;
            }

            sum.Add(s);
            count += block.Length;
        }
    }

    /// <summary>Σ (x − mean)² over the values (NaNs skipped when asked), compensated across blocks.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double SumSquaredDeviations<TIn>(ReadOnlySpan<TIn> values, double mean, bool skipNaN)
        where TIn : unmanaged, INumberBase<TIn>
    {
        Span<double> scratch = stackalloc double[Block];
        Span<double> deviations = stackalloc double[Block];
        var total = default(CompensatedSum);
        for (int i = 0; i < values.Length; i += Block)
        {
            var block = AsDoubles(values.Slice(i, Math.Min(Block, values.Length - i)), scratch);
            var d = deviations[..block.Length];
            TensorPrimitives.Subtract(block, mean, d);
            double s = TensorPrimitives.SumOfSquares(d);
            if (skipNaN && double.IsNaN(s))
            {
                // Skip the elements that are NaN, not the deviations that are (inf - inf must stay NaN, as NumPy).
                s = 0;
                for (int k = 0; k < d.Length; k++)
                {
                    if (!double.IsNaN(block[k]))
                    {
                        s += d[k] * d[k];
                    }
                }
            }

            total.Add(s);
        }

        return total.Value;
    }

    /// <summary>
    /// <paramref name="target"/>[i] += <paramref name="row"/>[i] in float64: one pass for float32 rows (widen and add per
    /// vector), otherwise the row as doubles (<paramref name="scratch"/>) added with SIMD.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void AddInto<TIn>(Span<double> target, ReadOnlySpan<TIn> row, Span<double> scratch)
        where TIn : unmanaged, INumberBase<TIn>
    {
        if (typeof(TIn) == typeof(float) && Avx.IsSupported && target.Length >= row.Length)
        {
            var values = MemoryMarshal.Cast<TIn, float>(row);
            int i = 0;
            fixed (float* v = values)
            fixed (double* t = target)
            {
                for (; i + 4 <= values.Length; i += 4)
                {
                    var wide = Avx.ConvertToVector256Double(Vector128.Load(v + i));
                    (Vector256.Load(t + i) + wide).Store(t + i);
                }
            }

            for (; i < values.Length; i++)
            {
                target[i] += values[i];
            }

            return;
        }

        TensorPrimitives.Add(target, AsDoubles(row, scratch), target);
    }

    // A block as doubles: a view for double input, otherwise widened into scratch (exact for every supported type
    // but 64-bit integers beyond 2^53, as NumPy's float64 accumulation).
    public static ReadOnlySpan<double> AsDoubles<TIn>(ReadOnlySpan<TIn> block, Span<double> scratch)
        where TIn : unmanaged, INumberBase<TIn>
    {
        if (typeof(TIn) == typeof(double))
        {
            return MemoryMarshal.Cast<TIn, double>(block);
        }

        var target = scratch[..block.Length];
        if (typeof(TIn) == typeof(float))
        {
            TensorPrimitives.ConvertTruncating(MemoryMarshal.Cast<TIn, float>(block), target);
        }
        else
        {
            for (int i = 0; i < block.Length; i++)
            {
                target[i] = double.CreateTruncating(block[i]);
            }
        }

        return target;
    }
}
