using System.Runtime.CompilerServices;
using System.Numerics;

namespace ChunkCompute.Ops;

/// <summary>Mean as (compensated float64 sum, count); an empty (or all-NaN with <c>skipNaN</c>) slice gives NaN.</summary>
internal readonly struct MeanOp<TIn, TOut> : IReduceOp<TIn, MeanState, TOut>, IRowSumOp<TIn, MeanState>
    where TIn : unmanaged, INumberBase<TIn>
    where TOut : unmanaged, INumberBase<TOut>
{
    private readonly bool _skipNaN;

    public MeanOp(bool skipNaN) => _skipNaN = skipNaN;

    public MeanState Identity => default;

    public bool NeedsIndex => false;

    public bool AccumulatesRows => !_skipNaN;

    public void AddRow(Span<double> target, ReadOnlySpan<TIn> row, Span<double> scratch) => DoubleBlocks.AddInto(target, row, scratch);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddSums(Span<MeanState> states, ReadOnlySpan<double> sums, long count)
    {
        for (int j = 0; j < states.Length; j++)
        {
            states[j].Sum.Add(sums[j]);
            states[j].Count += count;
        }
    }

    public void Add(ref MeanState state, TIn value, long index)
    {
        if (!(_skipNaN && TIn.IsNaN(value)))
        {
            state.Sum.Add(double.CreateTruncating(value));
            state.Count++;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddSpan(ref MeanState state, ReadOnlySpan<TIn> values, long index, long step)
    {
        long count = 0;
        DoubleBlocks.Accumulate(values, _skipNaN, ref state.Sum, ref count);
        state.Count += count;
    }

    public void Merge(ref MeanState state, in MeanState other)
    {
        state.Sum.Merge(other.Sum);
        state.Count += other.Count;
    }

    public TOut Finalize(in MeanState state) => TOut.CreateTruncating(state.Count == 0 ? double.NaN : state.Sum.Value / state.Count);
}
