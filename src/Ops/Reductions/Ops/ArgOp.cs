using System.Numerics;

namespace ChunkCompute.Ops;

/// <summary>
/// ArgMin/ArgMax: the index of the first extreme value; a NaN beats everything and the first NaN wins (NumPy).
/// Merging compares indices on ties, so the result does not depend on the order states are merged in.
/// </summary>
internal readonly struct ArgOp<T> : IReduceOp<T, ArgState<T>, long>
    where T : unmanaged, INumber<T>
{
    private readonly bool _max;

    public ArgOp(bool max) => _max = max;

    public ArgState<T> Identity => new() { Index = -1 };

    public bool NeedsIndex => true;

    public void Add(ref ArgState<T> state, T value, long index) => Merge(ref state, new ArgState<T> { Value = value, Index = index });

    public void AddSpan(ref ArgState<T> state, ReadOnlySpan<T> values, long index, long step)
    {
        for (int i = 0; i < values.Length; i++)
        {
            Merge(ref state, new ArgState<T> { Value = values[i], Index = index + (i * step) });
        }
    }

    public void Merge(ref ArgState<T> state, in ArgState<T> other)
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

        bool sNaN = T.IsNaN(state.Value), oNaN = T.IsNaN(other.Value);
        bool take = sNaN || oNaN
            ? oNaN && (!sNaN || other.Index < state.Index)
            : (_max ? other.Value > state.Value : other.Value < state.Value) || (other.Value == state.Value && other.Index < state.Index);
        if (take)
        {
            state = other;
        }
    }

    public long Finalize(in ArgState<T> state) => state.Index;
}
