using System.Runtime.CompilerServices;
using System.Numerics;

namespace ChunkCompute.Ops;

/// <summary>
/// Variance or standard deviation with <c>ddof</c>: each contiguous run is reduced two-pass (mean, then Σ(x−mean)²)
/// in float64 and runs are merged with Chan's update. The result divides M2 by max(n − ddof, 0), as NumPy does.
/// </summary>
internal readonly struct MomentOp<TIn, TOut> : IReduceOp<TIn, MomentState, TOut>
    where TIn : unmanaged, INumberBase<TIn>
    where TOut : unmanaged, INumberBase<TOut>
{
    private readonly bool _skipNaN;
    private readonly double _ddof;
    private readonly bool _sqrt;

    public MomentOp(bool skipNaN, double ddof, bool sqrt)
    {
        _skipNaN = skipNaN;
        _ddof = ddof;
        _sqrt = sqrt;
    }

    public MomentState Identity => default;

    public bool NeedsIndex => false;

    public void Add(ref MomentState state, TIn value, long index)
    {
        if (_skipNaN && TIn.IsNaN(value))
        {
            return;
        }

        double x = double.CreateTruncating(value);
        state.Count++;
        double delta = x - state.Mean;
        state.Mean += delta / state.Count;
        state.M2 += delta * (x - state.Mean);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddSpan(ref MomentState state, ReadOnlySpan<TIn> values, long index, long step)
    {
        // Two passes over the run (it is in cache): the mean, then the squared deviations; merged by Chan's formula.
        var sum = default(CompensatedSum);
        long n = 0;
        DoubleBlocks.Accumulate(values, _skipNaN, ref sum, ref n);
        if (n == 0)
        {
            return;
        }

        double mean = sum.Value / n;
        double m2 = DoubleBlocks.SumSquaredDeviations(values, mean, _skipNaN);
        state.Merge(new MomentState { Count = n, Mean = mean, M2 = m2 });
    }

    public void Merge(ref MomentState state, in MomentState other) => state.Merge(other);

    public TOut Finalize(in MomentState state)
    {
        double v = state.Count == 0 ? double.NaN : state.M2 / Math.Max(state.Count - _ddof, 0);
        return TOut.CreateTruncating(_sqrt ? Math.Sqrt(v) : v);
    }
}
