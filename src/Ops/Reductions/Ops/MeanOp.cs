using System.Numerics;

namespace ChunkCompute.Ops;

/// <summary>Mean as (compensated float64 sum, count); an empty (or all-NaN with <c>skipNaN</c>) slice gives NaN.</summary>
internal readonly struct MeanOp<TIn, TOut> : IReduceOp<TIn, MeanState, TOut>
    where TIn : unmanaged, INumberBase<TIn>
    where TOut : unmanaged, INumberBase<TOut>
{
    private readonly bool _skipNaN;

    public MeanOp(bool skipNaN) => _skipNaN = skipNaN;

    public MeanState Identity => default;

    public bool NeedsIndex => false;

    public void Add(ref MeanState state, TIn value, long index)
    {
        if (!(_skipNaN && TIn.IsNaN(value)))
        {
            state.Sum.Add(double.CreateTruncating(value));
            state.Count++;
        }
    }

    public void AddSpan(ref MeanState state, ReadOnlySpan<TIn> values, long index, long step)
    {
        foreach (var v in values)
        {
            Add(ref state, v, 0);
        }
    }

    public void Merge(ref MeanState state, in MeanState other)
    {
        state.Sum.Merge(other.Sum);
        state.Count += other.Count;
    }

    public TOut Finalize(in MeanState state) => TOut.CreateTruncating(state.Count == 0 ? double.NaN : state.Sum.Value / state.Count);
}
