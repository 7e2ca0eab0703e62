using ChunkCompute.Graph;

namespace ChunkCompute.Ops;

/// <summary>
/// Which lane (one quantile problem) each element of a chunk belongs to: with no axis, every element is in lane 0;
/// along an axis, lanes are numbered in C order over the other dimensions (the order of the quantile output's trailing
/// axes). A chunk is walked as (outer, along, inner) with lane = <c>Outer[o] + Inner[k]</c>.
/// </summary>
internal sealed class QuantileLanes
{
    private readonly ChunkGrid _grid;
    private readonly int? _axis;
    private readonly long[] _keptStride;

    public QuantileLanes(ChunkGrid grid, int? axis)
    {
        _grid = grid;
        _axis = axis;
        _keptStride = new long[grid.Rank];
        long stride = 1;
        for (int d = grid.Rank - 1; d >= 0; d--)
        {
            if (axis is null || d == axis)
            {
                continue;
            }

            _keptStride[d] = stride;
            stride *= grid.Shape[d];
        }

        Count = axis is null ? 1 : stride;
        Length = axis is null ? grid.ElementCount : grid.Shape[axis.Value];
    }

    /// <summary>The number of lanes.</summary>
    public long Count { get; }

    /// <summary>The elements in each lane.</summary>
    public long Length { get; }

    public (long Outer, long Along, long Inner, long[] OuterLane, long[] InnerLane) Of(ReadOnlySpan<long> chunkIndex)
    {
        var shape = _grid.ChunkShape(chunkIndex);
        if (_axis is not int a)
        {
            return (1, shape.Aggregate(1L, (p, s) => p * s), 1, [0], [0]);
        }

        var origin = _grid.Origin(chunkIndex);
        var (outer, along, inner) = ScanLanes.Of(shape, a);
        return (outer, along, inner, Offsets(shape, origin, 0, a, outer), Offsets(shape, origin, a + 1, shape.Length, inner));
    }

    // The lane offsets of every position of dimensions [from, to) of the chunk, in C order.
    private long[] Offsets(int[] shape, long[] origin, int from, int to, long count)
    {
        var result = new long[count];
        var local = new long[shape.Length];
        for (long i = 0; i < count; i++)
        {
            long offset = 0;
            for (int d = from; d < to; d++)
            {
                offset += (origin[d] + local[d]) * _keptStride[d];
            }

            result[i] = offset;
            for (int d = to - 1; d >= from; d--)
            {
                if (++local[d] < shape[d])
                {
                    break;
                }

                local[d] = 0;
            }
        }

        return result;
    }
}
