using System.Numerics;
using System.Runtime.InteropServices;
using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>
/// NumPy's equal-width <c>histogram</c>: the state of a chunk is one int64 count per bin. Bin assignment follows
/// NumPy's fast path exactly (scale, truncate, then correct against the edges); the last bin is closed; NaNs and
/// values outside the range are ignored.
/// </summary>
internal sealed class HistogramKernel<T> : ReductionKernel
    where T : unmanaged, INumberBase<T>
{
    private readonly int _bins;
    private readonly double[] _edges;
    private readonly double _first;
    private readonly double _last;
    private readonly double _norm;

    public HistogramKernel(int bins, double[] edges)
        : base("histogram", DataType.Int64)
    {
        _bins = bins;
        _edges = edges;
        _first = edges[0];
        _last = edges[^1];
        _norm = bins / (_last - _first);
    }

    public override int StateSize => _bins * sizeof(long);

    public override void Partial(ChunkBuffer input, ReadOnlySpan<long> origin, ReductionSpec spec, Span<byte> state)
    {
        var counts = MemoryMarshal.Cast<byte, long>(state);
        counts.Clear();
        foreach (var v in MemoryMarshal.Cast<byte, T>(input.Bytes)[..(int)input.ElementCount])
        {
            double x = double.CreateTruncating(v);
            if (!(x >= _first && x <= _last))
            {
                continue;
            }

            int i = (int)((x - _first) * _norm);
            if (i == _bins)
            {
                i--;
            }

            if (x < _edges[i])
            {
                i--;
            }
            else if (i != _bins - 1 && x >= _edges[i + 1])
            {
                i++;
            }

            counts[i]++;
        }
    }

    public override void Combine(IReadOnlyList<ChunkBuffer> parts, Span<byte> state) => CountsKernel.Add(parts, state);

    public override void Finalize(ReadOnlySpan<byte> state, Span<byte> output) => state[..output.Length].CopyTo(output);
}
