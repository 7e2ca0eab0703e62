using System.Numerics;
using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>
/// What one pass of <see cref="HistogramQuantiles{T}"/> looks for. A group is the keys of one lane whose top
/// <see cref="Shift"/> bits equal <see cref="Prefix"/>; a histogram pass counts each group's next digit, a collect pass
/// returns each group's keys.
/// </summary>
internal sealed class QuantilePass
{
    public QuantilePass(bool collect, int digitBits, bool countNaN, long lanes, long[] lane, int[] shift, ulong[] prefix)
    {
        Collect = collect;
        DigitBits = digitBits;
        CountNaN = countNaN;
        Lanes = lanes;
        Lane = lane;
        Shift = shift;
        Prefix = prefix;
        var counts = new Dictionary<long, List<int>>();
        for (int g = 0; g < lane.Length; g++)
        {
            if (!counts.TryGetValue(lane[g], out var list))
            {
                counts[lane[g]] = list = [];
            }

            list.Add(g);
        }

        ByLane = counts.ToDictionary(p => p.Key, p => p.Value.ToArray());
    }

    public bool Collect { get; }

    public int DigitBits { get; }

    public bool CountNaN { get; }

    public long Lanes { get; }

    public long[] Lane { get; }

    public int[] Shift { get; }

    public ulong[] Prefix { get; }

    public IReadOnlyDictionary<long, int[]> ByLane { get; }

    public int Groups => Lane.Length;

    public long Bins => 1L << DigitBits;

    public long NaNBytes => CountNaN ? Lanes * sizeof(long) : 0;

    public long HistogramBytes => NaNBytes + (Groups * Bins * sizeof(int));

    public long CollectHeaderBytes => ((Groups * sizeof(int)) + 7) & ~7L;
}

/// <summary>
/// One pass of the histogram quantile over one input chunk: per group, either its histogram of the next digit (int32
/// counts, NaN counted per lane on the first pass) or its keys (int32 counts per group, then the keys group by group).
/// </summary>
internal sealed unsafe class QuantilePassNode<T> : ArrayNode
    where T : unmanaged, INumberBase<T>
{
    private readonly QuantileLanes _lanes;
    private readonly QuantilePass _pass;

    public QuantilePassNode(ArrayNode input, int? axis, QuantilePass pass)
        : base(DataType.UInt8, input.Grid, [input])
    {
        _lanes = new QuantileLanes(input.Grid, axis);
        _pass = pass;
    }

    public override string Label => _pass.Collect ? "quantile-collect" : "quantile-histogram";

    public override long OutputBytes(ReadOnlySpan<long> chunkIndex) =>
        _pass.Collect ? _pass.CollectHeaderBytes + (Grid.ChunkElements(chunkIndex) * sizeof(ulong)) : _pass.HistogramBytes;

    public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
    {
        ArgumentNullException.ThrowIfNull(dependencies);
        dependencies.Add(new ChunkDependency(0, chunkIndex.ToArray()));
    }

    /// <summary>With one lane (no axis), a chunk is read as it is decoded, piece by piece (never whole in memory).</summary>
    public override bool ConsumesStream(ReadOnlySpan<long> chunkIndex) => _pass.Lanes == 1;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override void Execute(ChunkKernelContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        byte* output = (byte*)context.Output.Pointer;
        int bits = SortableKeys<T>.Bits;
        if (_pass.Collect)
        {
            new Span<int>((int*)output, _pass.Groups).Clear();
        }
        else
        {
            new Span<byte>(output, checked((int)_pass.HistogramBytes)).Clear();
        }

        if (_pass.Lanes == 1)
        {
            long kept = 0;
            if (context.InputStream is { } stream)
            {
                while (stream.TryRead(out var values, out _))
                {
                    fixed (byte* piece = values)
                    {
                        OneLane((T*)piece, values.Length / sizeof(T), output, ref kept, bits);
                    }
                }
            }
            else
            {
                OneLane((T*)context.Inputs[0].Pointer, Grid.ChunkElements(context.ChunkIndex), output, ref kept, bits);
            }

            if (_pass.Collect)
            {
                GroupKept((int*)output, (ulong*)(output + _pass.CollectHeaderBytes), kept, bits);
            }

            return;
        }

        var x = (T*)context.Inputs[0].Pointer;
        var (outer, along, inner, outerLane, innerLane) = _lanes.Of(context.ChunkIndex);
        if (!_pass.Collect)
        {
            Scan(x, outer, along, inner, outerLane, innerLane, Mode.Histogram, (long*)output, (int*)(output + _pass.NaNBytes), null, null, null);
            return;
        }

        int* counts = (int*)output;
        Scan(x, outer, along, inner, outerLane, innerLane, Mode.Count, null, null, counts, null, null);
        var next = new long[_pass.Groups];
        for (int g = 1; g < next.Length; g++)
        {
            next[g] = next[g - 1] + counts[g - 1];
        }

        Scan(x, outer, along, inner, outerLane, innerLane, Mode.Fill, null, null, null, next, (ulong*)(output + _pass.CollectHeaderBytes));
    }

    // One lane (no axis), one piece of a chunk: the histogram of the top digit (pass 1, a tight loop), of the next digit
    // inside the groups (later passes), or the keys inside the groups' disjoint ranges (a range check per group),
    // appended after `kept`.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void OneLane(T* x, long n, byte* output, ref long kept, int bits)
    {
        if (!_pass.Collect)
        {
            long* nan = (long*)output;
            int* histogram = (int*)(output + _pass.NaNBytes);
            if (_pass.Groups == 1 && _pass.Shift[0] == 0)
            {
                int down = bits - Math.Min(_pass.DigitBits, bits);
                long nans = 0;
                for (long i = 0; i < n; i++)
                {
                    if (SortableKeys<T>.IsNaN(x[i]))
                    {
                        nans++;
                        continue;
                    }

                    histogram[SortableKeys<T>.Key(x[i]) >> down]++;
                }

                if (_pass.CountNaN)
                {
                    nan[0] += nans;
                }

                return;
            }

            Scan(x, 1, n, 1, [0], [0], Mode.Histogram, nan, histogram, null, null, null);
            return;
        }

        int groups = _pass.Groups;
        int* counts = (int*)output;
        ulong* keys = (ulong*)(output + _pass.CollectHeaderBytes);
        Span<ulong> low = stackalloc ulong[groups];
        Span<ulong> width = stackalloc ulong[groups];
        Ranges(low, width, bits);
        long at = kept;
        for (long i = 0; i < n; i++)
        {
            T v = x[i];
            if (SortableKeys<T>.IsNaN(v))
            {
                continue;
            }

            ulong key = SortableKeys<T>.Key(v);
            for (int g = 0; g < groups; g++)
            {
                if (key - low[g] < width[g])
                {
                    keys[at++] = key;
                    counts[g]++;
                    break;
                }
            }
        }

        kept = at;
    }

    // The collected keys, in the order they were found, reordered group by group (the layout the sink reads).
    private void GroupKept(int* counts, ulong* keys, long kept, int bits)
    {
        int groups = _pass.Groups;
        if (groups == 1 || kept == 0)
        {
            return;
        }

        Span<ulong> low = stackalloc ulong[groups];
        Span<ulong> width = stackalloc ulong[groups];
        Ranges(low, width, bits);
        var found = new ReadOnlySpan<ulong>(keys, checked((int)kept)).ToArray();
        var next = new long[groups];
        for (int g = 1; g < groups; g++)
        {
            next[g] = next[g - 1] + counts[g - 1];
        }

        foreach (ulong key in found)
        {
            int g = 0;
            while (key - low[g] >= width[g])
            {
                g++;
            }

            keys[next[g]++] = key;
        }
    }

    // Each group's keys are [low, low + width): the keys whose top Shift bits are its prefix.
    private void Ranges(Span<ulong> low, Span<ulong> width, int bits)
    {
        for (int g = 0; g < low.Length; g++)
        {
            int below = bits - _pass.Shift[g];
            low[g] = _pass.Prefix[g] << below;
            width[g] = below >= 64 ? ulong.MaxValue : 1UL << below;
        }
    }

    private enum Mode
    {
        Histogram,
        Count,
        Fill,
    }

    // Every element, lane by lane (the lane's groups looked up once per lane of the chunk).
    private void Scan(T* x, long outer, long along, long inner, long[] outerLane, long[] innerLane, Mode mode, long* nan, int* histogram, int* counts, long[]? next, ulong* keys)
    {
        int bits = SortableKeys<T>.Bits;
        for (long o = 0; o < outer; o++)
        {
            for (long k = 0; k < inner; k++)
            {
                long lane = outerLane[o] + innerLane[k];
                var groups = _pass.ByLane.TryGetValue(lane, out var found) ? found : [];
                if (groups.Length == 0 && !(mode == Mode.Histogram && _pass.CountNaN))
                {
                    continue;
                }

                T* at = x + (o * along * inner) + k;
                for (long i = 0; i < along; i++)
                {
                    T v = at[i * inner];
                    if (SortableKeys<T>.IsNaN(v))
                    {
                        if (mode == Mode.Histogram && _pass.CountNaN)
                        {
                            nan[lane]++;
                        }

                        continue;
                    }

                    ulong key = SortableKeys<T>.Key(v);
                    foreach (int g in groups)
                    {
                        int shift = _pass.Shift[g];
                        if (shift != 0 && (key >> (bits - shift)) != _pass.Prefix[g])
                        {
                            continue;
                        }

                        switch (mode)
                        {
                            case Mode.Histogram:
                                int width = Math.Min(_pass.DigitBits, bits - shift);
                                histogram[(g * _pass.Bins) + (long)((key >> (bits - shift - width)) & ((1UL << width) - 1))]++;
                                break;
                            case Mode.Count:
                                counts[g]++;
                                break;
                            default:
                                keys[next![g]++] = key;
                                break;
                        }
                    }
                }
            }
        }
    }
}
