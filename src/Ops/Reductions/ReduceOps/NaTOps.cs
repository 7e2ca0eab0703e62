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
