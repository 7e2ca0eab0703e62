namespace ChunkCompute.Ops;

/// <summary>
/// Minimum or maximum of datetime64/timedelta64 counts: NaT (<see cref="long.MinValue"/>) propagates, as in NumPy's
/// <c>min</c>/<c>max</c> since 1.18.
/// </summary>
internal readonly struct NaTMinMaxOp : IReduceOp<long, long, long>
{
    private const long NaT = long.MinValue;
    private readonly bool _max;

    public NaTMinMaxOp(bool max) => _max = max;

    // The identity loses to every value: NaT cannot serve (it wins), so the extreme the other way does.
    public long Identity => _max ? long.MinValue + 1 : long.MaxValue;

    public bool NeedsIndex => false;

    public void Add(ref long state, long value, long index) => Merge(ref state, value);

    public void AddSpan(ref long state, ReadOnlySpan<long> values, long index, long step)
    {
        foreach (var v in values)
        {
            Merge(ref state, v);
        }
    }

    public void Merge(ref long state, in long other)
    {
        if (state == NaT)
        {
            return;
        }

        if (other == NaT || (_max ? other > state : other < state))
        {
            state = other;
        }
    }

    public long Finalize(in long state) => state;
}

/// <summary>ArgMin/ArgMax of datetime64/timedelta64: the first NaT wins (NumPy), else the first extreme value.</summary>
internal readonly struct NaTArgOp : IReduceOp<long, ArgState<long>, long>
{
    private const long NaT = long.MinValue;
    private readonly bool _max;

    public NaTArgOp(bool max) => _max = max;

    public ArgState<long> Identity => new() { Index = -1 };

    public bool NeedsIndex => true;

    public void Add(ref ArgState<long> state, long value, long index) => Merge(ref state, new ArgState<long> { Value = value, Index = index });

    public void AddSpan(ref ArgState<long> state, ReadOnlySpan<long> values, long index, long step)
    {
        for (int i = 0; i < values.Length; i++)
        {
            Merge(ref state, new ArgState<long> { Value = values[i], Index = index + (i * step) });
        }
    }

    public void Merge(ref ArgState<long> state, in ArgState<long> other)
    {
        if (other.Index < 0)
        {
            return;
        }

        if (state.Index < 0)
        {
            state = other;
            return;
        }

        bool sNaT = state.Value == NaT, oNaT = other.Value == NaT;
        bool take = sNaT || oNaT
            ? oNaT && (!sNaT || other.Index < state.Index)
            : (_max ? other.Value > state.Value : other.Value < state.Value) || (other.Value == state.Value && other.Index < state.Index);
        if (take)
        {
            state = other;
        }
    }

    public long Finalize(in ArgState<long> state) => state.Index;
}
