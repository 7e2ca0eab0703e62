using System.Numerics;

namespace ChunkCompute.Ops;

/// <summary>Counts elements (all, non-NaN or non-zero) into an int64.</summary>
internal readonly struct CountOp<T> : IReduceOp<T, long, long>
    where T : unmanaged, INumberBase<T>
{
    private readonly CountMode _mode;

    public CountOp(CountMode mode) => _mode = mode;

    public long Identity => 0;

    public bool NeedsIndex => false;

    public void Add(ref long state, T value, long index) => state += Counts(value) ? 1 : 0;

    public void AddSpan(ref long state, ReadOnlySpan<T> values, long index, long step)
    {
        if (_mode == CountMode.All)
        {
            state += values.Length;
            return;
        }

        long n = 0;
        foreach (var v in values)
        {
            n += Counts(v) ? 1 : 0;
        }

        state += n;
    }

    public void Merge(ref long state, in long other) => state += other;

    public long Finalize(in long state) => state;

    private bool Counts(T value) => _mode switch
    {
        CountMode.NotNaN => !T.IsNaN(value),
        CountMode.NonZero => value != T.Zero,
        _ => true,
    };
}
