using System.Numerics;

namespace ChunkCompute.Ops;

/// <summary>Any / All: truthiness is "not zero" (NaN is true), the state and result are one byte (bool).</summary>
internal readonly struct LogicalOp<T> : IReduceOp<T, byte, byte>
    where T : unmanaged, INumberBase<T>
{
    private readonly bool _all;

    public LogicalOp(bool all) => _all = all;

    public byte Identity => _all ? (byte)1 : (byte)0;

    public bool NeedsIndex => false;

    public void Add(ref byte state, T value, long index) => Merge(ref state, value != T.Zero ? (byte)1 : (byte)0);

    public void AddSpan(ref byte state, ReadOnlySpan<T> values, long index, long step)
    {
        foreach (var v in values)
        {
            if ((v != T.Zero) != _all)
            {
                state = _all ? (byte)0 : (byte)1;
                return;
            }
        }
    }

    public void Merge(ref byte state, in byte other) => state = _all ? (byte)(state & other) : (byte)(state | other);

    public byte Finalize(in byte state) => state;
}
