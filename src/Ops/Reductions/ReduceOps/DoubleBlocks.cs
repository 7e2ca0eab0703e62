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
[SkipLocalsInit] // the stackalloc'd block buffers are written before they are read: no need to zero them per call
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
            var block = values.Slice(i, Math.Min(Block, values.Length - i));
            double s = BlockSum(block, scratch);
            if (skipNaN && double.IsNaN(s))
            {
                foreach (var value in block)
                {
                    double x = double.CreateTruncating(value);
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
            var block = values.Slice(i, Math.Min(Block, values.Length - i));
            double s = BlockSquaredDeviations(block, mean, scratch, deviations);
            if (skipNaN && double.IsNaN(s))
            {
                // Skip the elements that are NaN, not the deviations that are (inf - inf must stay NaN, as NumPy).
                s = 0;
                foreach (var value in block)
                {
                    double x = double.CreateTruncating(value);
                    if (!double.IsNaN(x))
                    {
                        s += (x - mean) * (x - mean);
                    }
                }
            }

            total.Add(s);
        }

        return total.Value;
    }

    // Σ of one block in float64. float32 and float64 blocks are summed in registers (four AVX accumulators: no widened
    // copy, no call per block); other types are widened into scratch and summed with TensorPrimitives.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe double BlockSum<TIn>(ReadOnlySpan<TIn> block, Span<double> scratch)
        where TIn : unmanaged, INumberBase<TIn>
    {
        if (Avx.IsSupported && (typeof(TIn) == typeof(float) || typeof(TIn) == typeof(double)))
        {
            fixed (TIn* p = block)
            {
                return typeof(TIn) == typeof(float)
                    ? Vectors.Sum(new FloatsAsDoubles((float*)p), block.Length)
                    : Vectors.Sum(new Doubles((double*)p), block.Length);
            }
        }

        return TensorPrimitives.Sum(AsDoubles(block, scratch));
    }

    // Σ (x − mean)² of one block in float64, as BlockSum.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe double BlockSquaredDeviations<TIn>(ReadOnlySpan<TIn> block, double mean, Span<double> scratch, Span<double> deviations)
        where TIn : unmanaged, INumberBase<TIn>
    {
        if (Avx.IsSupported && (typeof(TIn) == typeof(float) || typeof(TIn) == typeof(double)))
        {
            fixed (TIn* p = block)
            {
                return typeof(TIn) == typeof(float)
                    ? Vectors.SumSquaredDeviations(new FloatsAsDoubles((float*)p), block.Length, mean)
                    : Vectors.SumSquaredDeviations(new Doubles((double*)p), block.Length, mean);
            }
        }

        var d = deviations[..block.Length];
        TensorPrimitives.Subtract(AsDoubles(block, scratch), mean, d);
        return TensorPrimitives.SumOfSquares(d);
    }

    // Loads four float64 lanes at an element offset: from float64 values, or float32 values widened.
    private interface ILanes
    {
        Vector256<double> Load(int k);

        double this[int k] { get; }
    }

    private readonly unsafe struct Doubles(double* values) : ILanes
    {
        public Vector256<double> Load(int k) => Vector256.Load(values + k);

        public double this[int k] => values[k];
    }

    private readonly unsafe struct FloatsAsDoubles(float* values) : ILanes
    {
        public Vector256<double> Load(int k) => Avx.ConvertToVector256Double(Vector128.Load(values + k));

        public double this[int k] => values[k];
    }

    private static class Vectors
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Sum<TLanes>(TLanes v, int n)
            where TLanes : struct, ILanes
        {
            Vector256<double> a0 = Vector256<double>.Zero, a1 = a0, a2 = a0, a3 = a0;
            int k = 0;
            for (; k + 16 <= n; k += 16)
            {
                a0 += v.Load(k);
                a1 += v.Load(k + 4);
                a2 += v.Load(k + 8);
                a3 += v.Load(k + 12);
            }

            for (; k + 4 <= n; k += 4)
            {
                a0 += v.Load(k);
            }

            double s = Vector256.Sum((a0 + a1) + (a2 + a3));
            for (; k < n; k++)
            {
                s += v[k];
            }

            return s;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double SumSquaredDeviations<TLanes>(TLanes v, int n, double mean)
            where TLanes : struct, ILanes
        {
            var m = Vector256.Create(mean);
            Vector256<double> a0 = Vector256<double>.Zero, a1 = a0, a2 = a0, a3 = a0;
            int k = 0;
            for (; k + 16 <= n; k += 16)
            {
                var d0 = v.Load(k) - m;
                var d1 = v.Load(k + 4) - m;
                var d2 = v.Load(k + 8) - m;
                var d3 = v.Load(k + 12) - m;
                a0 += d0 * d0;
                a1 += d1 * d1;
                a2 += d2 * d2;
                a3 += d3 * d3;
            }

            for (; k + 4 <= n; k += 4)
            {
                var d = v.Load(k) - m;
                a0 += d * d;
            }

            double s = Vector256.Sum((a0 + a1) + (a2 + a3));
            for (; k < n; k++)
            {
                double d = v[k] - mean;
                s += d * d;
            }

            return s;
        }
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
                if (Avx512F.IsSupported)
                {
                    for (; i + 16 <= values.Length; i += 16)
                    {
                        (Vector512.Load(t + i) + Avx512F.ConvertToVector512Double(Vector256.Load(v + i))).Store(t + i);
                        (Vector512.Load(t + i + 8) + Avx512F.ConvertToVector512Double(Vector256.Load(v + i + 8))).Store(t + i + 8);
                    }
                }

                for (; i + 8 <= values.Length; i += 8)
                {
                    (Vector256.Load(t + i) + Avx.ConvertToVector256Double(Vector128.Load(v + i))).Store(t + i);
                    (Vector256.Load(t + i + 4) + Avx.ConvertToVector256Double(Vector128.Load(v + i + 4))).Store(t + i + 4);
                }

                for (; i + 4 <= values.Length; i += 4)
                {
                    (Vector256.Load(t + i) + Avx.ConvertToVector256Double(Vector128.Load(v + i))).Store(t + i);
                }
            }

            for (; i < values.Length; i++)
            {
                target[i] += values[i];
            }

            return;
        }

        var head = target[..row.Length]; // as the AVX loop: a longer target keeps its rest (found by the non-AVX run)
        TensorPrimitives.Add(head, AsDoubles(row, scratch), head);
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
