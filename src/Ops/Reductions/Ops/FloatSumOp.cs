using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace ChunkCompute.Ops;

/// <summary>
/// Floating-point sums accumulated in float64 with Neumaier compensation (float16/float32 inputs are widened, so
/// their results are correctly rounded sums; float64 runs are summed in vectorized blocks whose totals are
/// compensated). With <c>skipNaN</c>, NaNs are ignored (NumPy's <c>nansum</c>).
/// </summary>
internal readonly struct FloatSumOp<TIn, TOut> : IReduceOp<TIn, CompensatedSum, TOut>
    where TIn : unmanaged, INumberBase<TIn>
    where TOut : unmanaged, INumberBase<TOut>
{
    private const int Block = 128;
    private readonly bool _skipNaN;

    public FloatSumOp(bool skipNaN) => _skipNaN = skipNaN;

    public CompensatedSum Identity => default;

    public bool NeedsIndex => false;

    public void Add(ref CompensatedSum state, TIn value, long index)
    {
        if (!(_skipNaN && TIn.IsNaN(value)))
        {
            state.Add(double.CreateTruncating(value));
        }
    }

    public void AddSpan(ref CompensatedSum state, ReadOnlySpan<TIn> values, long index, long step)
    {
        if (typeof(TIn) == typeof(double) && !_skipNaN)
        {
            var d = MemoryMarshal.Cast<TIn, double>(values);
            for (int i = 0; i < d.Length; i += Block)
            {
                state.Add(TensorPrimitives.Sum(d.Slice(i, Math.Min(Block, d.Length - i))));
            }

            return;
        }

        foreach (var v in values)
        {
            if (!(_skipNaN && TIn.IsNaN(v)))
            {
                state.Add(double.CreateTruncating(v));
            }
        }
    }

    public void Merge(ref CompensatedSum state, in CompensatedSum other) => state.Merge(other);

    public TOut Finalize(in CompensatedSum state) => TOut.CreateTruncating(state.Value);
}
