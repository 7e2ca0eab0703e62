using System.Numerics;

namespace ChunkCompute.Ops;

/// <summary>Integer (and bool) sums in a 64-bit accumulator that wraps on overflow like NumPy's int64/uint64.</summary>
internal readonly struct IntegerSumOp<TIn, TAcc> : IReduceOp<TIn, TAcc, TAcc>
    where TIn : unmanaged, INumberBase<TIn>
    where TAcc : unmanaged, IBinaryInteger<TAcc>
{
    public TAcc Identity => TAcc.Zero;

    public bool NeedsIndex => false;

    public void Add(ref TAcc state, TIn value, long index) => state = unchecked(state + TAcc.CreateTruncating(value));

    public void AddSpan(ref TAcc state, ReadOnlySpan<TIn> values, long index, long step)
    {
        var s = state;
        foreach (var v in values)
        {
            s = unchecked(s + TAcc.CreateTruncating(v));
        }

        state = s;
    }

    public void Merge(ref TAcc state, in TAcc other) => state = unchecked(state + other);

    public TAcc Finalize(in TAcc state) => state;
}
