using System.Numerics;

namespace ChunkCompute.Ops;

/// <summary>What counts as a missing value for ArgMin/ArgMax: it beats every value, and the first one wins (NumPy).</summary>
/// <typeparam name="T">The element type.</typeparam>
internal interface IMissingValue<T>
{
    /// <summary>True for a missing value (NaN, NaT).</summary>
    static abstract bool IsMissing(T value);
}

/// <summary>NaN, for floating-point types (never, for integers).</summary>
internal readonly struct NaNIsMissing<T> : IMissingValue<T>
    where T : INumberBase<T>
{
    public static bool IsMissing(T value) => T.IsNaN(value);
}

/// <summary>NaT (<see cref="long.MinValue"/>), for datetime64/timedelta64 counts.</summary>
internal readonly struct NaTIsMissing : IMissingValue<long>
{
    public static bool IsMissing(long value) => value == long.MinValue;
}

/// <summary>
/// ArgMin/ArgMax: the index of the first extreme value; a missing value (NaN, or NaT for datetimes) beats everything
/// and the first one wins (NumPy). Merging compares indices on ties, so the result does not depend on the order states
/// are merged in.
/// </summary>
internal readonly struct ArgOp<T, TMissing> : IReduceOp<T, ArgState<T>, long>
    where T : unmanaged, INumber<T>
    where TMissing : struct, IMissingValue<T>
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

        bool sMissing = TMissing.IsMissing(state.Value), oMissing = TMissing.IsMissing(other.Value);
        bool take = sMissing || oMissing
            ? oMissing && (!sMissing || other.Index < state.Index)
            : (_max ? other.Value > state.Value : other.Value < state.Value) || (other.Value == state.Value && other.Index < state.Index);
        if (take)
        {
            state = other;
        }
    }

    public long Finalize(in ArgState<T> state) => state.Index;
}
