using System.Runtime.CompilerServices;
using System.Numerics;

namespace ChunkCompute.Ops;

/// <summary>
/// Floating-point sums accumulated in float64 with Neumaier compensation (float16/float32 inputs are widened, so
/// their results are correctly rounded sums; float64 runs are summed in vectorized blocks whose totals are
/// compensated). With <c>skipNaN</c>, NaNs are ignored (NumPy's <c>nansum</c>).
/// </summary>
internal readonly struct FloatSumOp<TIn, TOut> : IReduceOp<TIn, CompensatedSum, TOut>, IRowSumOp<TIn, CompensatedSum>
    where TIn : unmanaged, INumberBase<TIn>
    where TOut : unmanaged, INumberBase<TOut>
{
    private readonly bool _skipNaN;

    public FloatSumOp(bool skipNaN) => _skipNaN = skipNaN;

    public CompensatedSum Identity => default;

    public bool NeedsIndex => false;

    public bool AccumulatesRows => !_skipNaN;

    public void AddRow(Span<double> target, ReadOnlySpan<TIn> row, Span<double> scratch) => DoubleBlocks.AddInto(target, row, scratch);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddSums(Span<CompensatedSum> states, ReadOnlySpan<double> sums, long count)
    {
        for (int j = 0; j < states.Length; j++)
        {
            states[j].Add(sums[j]);
        }
    }

    public void Add(ref CompensatedSum state, TIn value, long index)
    {
        if (!(_skipNaN && TIn.IsNaN(value)))
        {
            state.Add(double.CreateTruncating(value));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddSpan(ref CompensatedSum state, ReadOnlySpan<TIn> values, long index, long step)
    {
        long count = 0;
        DoubleBlocks.Accumulate(values, _skipNaN, ref state, ref count);
    }

    public void Merge(ref CompensatedSum state, in CompensatedSum other) => state.Merge(other);

    public TOut Finalize(in CompensatedSum state) => TOut.CreateTruncating(state.Value);
}
