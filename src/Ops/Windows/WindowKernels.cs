using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace ChunkCompute.Ops;

/// <summary>NumPy's <c>diff</c>: the n-th difference by n rounds of first differences (as NumPy computes it).</summary>
internal sealed class DiffKernel<T>(int n) : WindowKernel<T, T>
    where T : unmanaged, INumberBase<T>
{
    public override string Label => n == 1 ? "diff" : $"diff{n}";

    public override int Before => 0;

    public override int After => n;

    public override long OutputLength(long length) => Math.Max(0, length - n);

    public override void Compute(ReadOnlySpan<T> window, Span<T> output, int outputRows, int inner, long firstRow, long length)
    {
        int rows = outputRows + n;
        var work = ArrayPool<T>.Shared.Rent(rows * inner);
        try
        {
            var w = work.AsSpan(0, rows * inner);
            window[..(rows * inner)].CopyTo(w);
            for (int round = 0; round < n; round++)
            {
                int count = rows - round - 1;
                for (int r = 0; r < count; r++)
                {
                    var a = w.Slice(r * inner, inner);
                    TensorPrimitives.Subtract(w.Slice((r + 1) * inner, inner), a, a);
                }
            }

            w[..(outputRows * inner)].CopyTo(output);
        }
        finally
        {
            ArrayPool<T>.Shared.Return(work);
        }
    }
}

/// <summary>
/// The sum (or mean) of the last <c>window</c> values up to each position (xarray's <c>rolling(window).sum()/mean()</c>
/// with the default <c>min_periods = window</c>): NaN until a full window is available.
/// </summary>
internal sealed class MovingKernel<T>(int window, bool mean) : WindowKernel<T, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public override string Label => mean ? "moving-mean" : "moving-sum";

    public override int Before => window - 1;

    public override int After => 0;

    public override void Compute(ReadOnlySpan<T> values, Span<T> output, int outputRows, int inner, long firstRow, long length)
    {
        var scale = T.One / T.CreateChecked(window);
        for (int r = 0; r < outputRows; r++)
        {
            var y = output.Slice(r * inner, inner);
            if (firstRow + r < window - 1)
            {
                y.Fill(T.NaN);
                continue;
            }

            // Output row r ends at window row r + window − 1: the rows r … r + window − 1, added in order.
            // Vectorized row by row: each element's additions are the same, in the same order, as one at a time.
            values.Slice(r * inner, inner).CopyTo(y);
            for (int j = 1; j < window; j++)
            {
                TensorPrimitives.Add(y, values.Slice((r + j) * inner, inner), y);
            }

            if (mean)
            {
                TensorPrimitives.Multiply(y, scale, y);
            }
        }
    }
}

/// <summary>NumPy's <c>gradient</c> along one axis with unit spacing: central differences inside, one-sided at the edges.</summary>
internal sealed class GradientKernel<T> : WindowKernel<T, T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    public override string Label => "gradient";

    public override int Before => 1;

    public override int After => 1;

    public override void Compute(ReadOnlySpan<T> values, Span<T> output, int outputRows, int inner, long firstRow, long length)
    {
        var two = T.CreateChecked(2);
        for (int r = 0; r < outputRows; r++)
        {
            long i = firstRow + r;
            var y = output.Slice(r * inner, inner);
            var previous = values.Slice(r * inner, inner);        // x[i − 1]
            var current = values.Slice((r + 1) * inner, inner);   // x[i]
            var next = values.Slice((r + 2) * inner, inner);      // x[i + 1]
            if (i == 0)
            {
                TensorPrimitives.Subtract(next, current, y);
            }
            else if (i == length - 1)
            {
                TensorPrimitives.Subtract(current, previous, y);
            }
            else
            {
                TensorPrimitives.Subtract(next, previous, y);
                TensorPrimitives.Divide(y, two, y);
            }
        }
    }
}

/// <summary>NumPy's <c>convolve(x, kernel, mode="same")</c> along an axis (zeros beyond the ends).</summary>
internal sealed class ConvolveKernel<T>(T[] kernel) : WindowKernel<T, T>
    where T : unmanaged, INumberBase<T>
{
    public override string Label => "convolve";

    public override int Before => kernel.Length / 2;

    public override int After => (kernel.Length - 1) / 2;

    public override void Compute(ReadOnlySpan<T> values, Span<T> output, int outputRows, int inner, long firstRow, long length)
    {
        int m = kernel.Length;
        for (int r = 0; r < outputRows; r++)
        {
            // y[i] = Σ_j kernel[j] · x[i + (m − 1)/2 − j]; x[i + (m − 1)/2 − j] is window row r + m − 1 − j.
            var y = output.Slice(r * inner, inner);
            y.Clear();
            for (int j = 0; j < m; j++)
            {
                // (c · x) + y, not fused: the same rounding as one element at a time.
                TensorPrimitives.MultiplyAdd(values.Slice((r + m - 1 - j) * inner, inner), kernel[j], y, y);
            }
        }
    }
}
