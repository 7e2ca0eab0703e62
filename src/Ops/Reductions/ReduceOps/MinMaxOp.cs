using System.Runtime.CompilerServices;
using System.Numerics;
using System.Numerics.Tensors;

namespace ChunkCompute.Ops;

/// <summary>
/// Minimum or maximum. NaN propagates (NumPy's <c>min</c>/<c>max</c>) unless <c>skipNaN</c>
/// (<c>nanmin</c>/<c>nanmax</c>: NaNs are ignored and an all-NaN slice gives NaN). Contiguous runs use
/// <see cref="TensorPrimitives"/>.
/// </summary>
internal readonly struct MinMaxOp<T> : IReduceOp<T, T, T>
    where T : unmanaged, INumber<T>
{
    private readonly bool _max;
    private readonly bool _skipNaN;
    private readonly T _identity;

    public MinMaxOp(bool max, bool skipNaN)
    {
        _max = max;
        bool isFloat = T.IsNaN(T.CreateTruncating(double.NaN));
        _skipNaN = skipNaN && isFloat;
        _identity = _skipNaN ? T.CreateTruncating(double.NaN) : T.CreateSaturating(max ? double.NegativeInfinity : double.PositiveInfinity);
    }

    public T Identity => _identity;

    public bool NeedsIndex => false;

    public void Add(ref T state, T value, long index) => Merge(ref state, value);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddSpan(ref T state, ReadOnlySpan<T> values, long index, long step)
    {
        if (!_skipNaN && values.Length > 0)
        {
            Merge(ref state, _max ? TensorPrimitives.Max(values) : TensorPrimitives.Min(values));
            return;
        }

        foreach (var v in values)
        {
            Merge(ref state, v);
        }
    }

    public void Merge(ref T state, in T other)
    {
        if (_skipNaN)
        {
            if (T.IsNaN(other))
            {
                return;
            }

            if (T.IsNaN(state) || (_max ? other > state : other < state))
            {
                state = other;
            }

            return;
        }

        if (T.IsNaN(state))
        {
            return;
        }

        if (T.IsNaN(other) || (_max ? other > state : other < state))
        {
            state = other;
        }
    }

    public T Finalize(in T state) => state;
}
