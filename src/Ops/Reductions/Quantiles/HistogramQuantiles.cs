using System.Numerics;
using System.Runtime.InteropServices;
using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Ops;

/// <summary>
/// Exact quantiles of lanes too large for the budget, by histogram refinement over order-preserving keys
/// (<see cref="SortableKeys{T}"/>). Pass 1 counts NaN and the top digit (16 bits: fewer when many lanes' histograms
/// would crowd the budget, or for small chunks) of every key per lane; each order statistic the quantiles need (NumPy's
/// linear method: ranks ⌊q(n−1)⌋ and the next) is then inside one bin. While the bins still hold more keys than a
/// quarter of the budget, another histogram pass counts the next digit inside them; once they fit, one pass collects
/// their keys and the ranks are found in memory (radix selection, no sort). With 16-bit digits (a histogram that stays
/// in the L2 cache, merged cheaply chunk by chunk) float32 and smaller types take at most 2 histogram passes before the
/// collection, float64 and int64 at most 4; for data that is not piled into a few values the second pass is the
/// collection (2 passes over the data in all).
/// </summary>
internal static class HistogramQuantiles<T>
    where T : unmanaged, INumberBase<T>
{
    private const int MostDigitBits = 16;

    /// <summary>The quantiles, laid out [q][lane], as <see cref="QuantileNode{T}"/> lays out its output.</summary>
    public static double[] Compute(ArrayNode input, int? axis, double[] q, bool skipNaN, IChunkRunner runner, long budget, CancellationToken cancellationToken)
    {
        var lanes = new QuantileLanes(input.Grid, axis);
        int bits = SortableKeys<T>.Bits;
        long laneCount = lanes.Count;
        var result = new double[q.Length * laneCount];

        // Pass 1: every lane is one group (no bits known yet).
        var firstLanes = new long[laneCount];
        for (long l = 0; l < laneCount; l++)
        {
            firstLanes[l] = l;
        }

        var first = new QuantilePass(false, DigitBits(laneCount, budget, ChunkElements(input)), countNaN: true, laneCount, firstLanes, new int[laneCount], new ulong[laneCount]);
        var (nan, histogram) = RunHistogram(input, axis, first, runner, cancellationToken);

        // The targets: for each valid lane, the ranks below and above each quantile's virtual index.
        var targets = new List<Target>();
        var rankOf = new Dictionary<(long Lane, long Rank), int>();
        var wanted = new (int Below, int Above, double T)[q.Length * laneCount];
        for (long l = 0; l < laneCount; l++)
        {
            long n = 0;
            for (long b = 0; b < first.Bins; b++)
            {
                n += histogram[(l * first.Bins) + b];
            }

            for (int j = 0; j < q.Length; j++)
            {
                long at = (j * laneCount) + l;
                if (n == 0 || (nan[l] > 0 && !skipNaN))
                {
                    result[at] = double.NaN;
                    wanted[at] = (-1, -1, 0);
                    continue;
                }

                double index = q[j] * (n - 1);
                long below = (long)Math.Floor(index);
                long above = Math.Min(below + 1, n - 1);
                wanted[at] = (TargetOf(l, below), TargetOf(l, above), index - below);
            }
        }

        int TargetOf(long lane, long rank)
        {
            if (!rankOf.TryGetValue((lane, rank), out int t))
            {
                rankOf[(lane, rank)] = t = targets.Count;
                targets.Add(new Target { Lane = lane, Within = rank, Group = checked((int)lane) });
            }

            return t;
        }

        Descend(targets, first, histogram, bits);

        while (targets.Any(t => t.Shift < bits))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (pass, groupOf) = NextPass(targets, bits, laneCount, budget, ChunkElements(input));
            long held = pass.Lane.Select((_, g) => GroupCount(targets, groupOf, g)).Sum() * sizeof(ulong);
            if (held <= budget / 4)
            {
                var collect = new QuantilePass(true, pass.DigitBits, false, laneCount, pass.Lane, pass.Shift, pass.Prefix);
                var keys = RunCollect(input, axis, collect, targets, groupOf, runner, cancellationToken);
                foreach (var t in targets.Where(t => t.Shift < bits))
                {
                    t.Key = Select(keys[groupOf[t]], t.Within);
                    t.Shift = bits;
                }

                break;
            }

            var (_, next) = RunHistogram(input, axis, pass, runner, cancellationToken);
            foreach (var t in targets.Where(t => t.Shift < bits))
            {
                t.Group = groupOf[t];
            }

            Descend(targets, pass, next, bits);
        }

        for (int at = 0; at < wanted.Length; at++)
        {
            var (below, above, fraction) = wanted[at];
            if (below < 0)
            {
                continue;
            }

            double a = SortableKeys<T>.Value(targets[below].Key);
            double b = SortableKeys<T>.Value(targets[above].Key);
            double diff = b - a;
            result[at] = fraction >= 0.5 ? b - (diff * (1 - fraction)) : a + (diff * fraction);
        }

        return result;
    }

    /// <summary>Whether the first pass's histograms (one per lane, the narrowest digit) fit the budget at all.</summary>
    public static bool Fits(long lanes, long budget) => lanes * 16 * sizeof(int) <= budget / 16;

    // The digit width for a pass of `groups` histograms: 16 bits, fewer when that many histograms would take more than
    // a sixteenth of the budget per chunk task.
    private static int DigitBits(long groups, long budget, long chunkElements)
    {
        for (int bits = MostDigitBits; bits >= 4; bits -= 4)
        {
            // Wide digits while each chunk's histograms stay small next to the budget and to the chunk itself (the
            // partial histograms are merged chunk by chunk).
            if (groups * (1L << bits) * sizeof(int) <= budget / 16 && (bits <= 8 || (1L << bits) <= 2 * chunkElements))
            {
                return bits;
            }
        }

        throw new ChunkComputeException(
            $"quantile: {groups} lanes larger than the budget need {ByteSize.Format(groups * 16 * sizeof(int) * 16)} of histograms per chunk task, more than a {ByteSize.Format(budget)} budget allows; raise the budget or compute fewer lanes at once");
    }

    private static long ChunkElements(ArrayNode input) => input.Grid.NominalChunkShape.Aggregate(1L, (p, s) => p * s);

    // Each unresolved target moves into the bin of its group's histogram that holds its rank.
    private static void Descend(List<Target> targets, QuantilePass pass, long[] histogram, int bits)
    {
        foreach (var t in targets)
        {
            if (t.Shift >= bits)
            {
                continue;
            }

            int width = Math.Min(pass.DigitBits, bits - t.Shift);
            long start = t.Group * pass.Bins;
            long below = 0;
            for (long d = 0; d < (1L << width); d++)
            {
                long count = histogram[start + d];
                if (t.Within < below + count)
                {
                    t.Within -= below;
                    t.Prefix = (t.Prefix << width) | (ulong)d;
                    t.Shift += width;
                    t.Count = count;
                    if (t.Shift >= bits)
                    {
                        t.Key = t.Prefix;
                    }

                    break;
                }

                below += count;
            }
        }
    }

    // Groups the unresolved targets by (lane, known bits); targets in the same bin share one group.
    private static (QuantilePass Pass, Dictionary<Target, int> GroupOf) NextPass(List<Target> targets, int bits, long laneCount, long budget, long chunkElements)
    {
        var groups = new Dictionary<(long, int, ulong), int>();
        var groupOf = new Dictionary<Target, int>(ReferenceEqualityComparer.Instance);
        var lane = new List<long>();
        var shift = new List<int>();
        var prefix = new List<ulong>();
        foreach (var t in targets.Where(t => t.Shift < bits))
        {
            if (!groups.TryGetValue((t.Lane, t.Shift, t.Prefix), out int g))
            {
                groups[(t.Lane, t.Shift, t.Prefix)] = g = lane.Count;
                lane.Add(t.Lane);
                shift.Add(t.Shift);
                prefix.Add(t.Prefix);
            }

            groupOf[t] = g;
        }

        return (new QuantilePass(false, DigitBits(lane.Count, budget, chunkElements), false, laneCount, [.. lane], [.. shift], [.. prefix]), groupOf);
    }

    private static long GroupCount(List<Target> targets, Dictionary<Target, int> groupOf, int group) =>
        targets.First(t => t.Shift < SortableKeys<T>.Bits && groupOf[t] == group).Count;

    private static unsafe (long[] NaN, long[] Histogram) RunHistogram(ArrayNode input, int? axis, QuantilePass pass, IChunkRunner runner, CancellationToken cancellationToken)
    {
        var nan = new long[pass.Lanes];
        var histogram = new long[pass.Groups * pass.Bins];
        var gate = new object();
        runner.Run(new QuantilePassNode<T>(input, axis, pass), (_, data) =>
        {
            var nanPart = MemoryMarshal.Cast<byte, long>(data[..(int)pass.NaNBytes]);
            var counts = MemoryMarshal.Cast<byte, int>(data[(int)pass.NaNBytes..(int)pass.HistogramBytes]);
            lock (gate)
            {
                for (int l = 0; l < nanPart.Length; l++)
                {
                    nan[l] += nanPart[l];
                }

                for (int i = 0; i < counts.Length; i++)
                {
                    histogram[i] += counts[i];
                }
            }
        }, cancellationToken);
        return (nan, histogram);
    }

    // The keys of every group, each group's array exactly as long as its last histogram said.
    private static ulong[][] RunCollect(ArrayNode input, int? axis, QuantilePass pass, List<Target> targets, Dictionary<Target, int> groupOf, IChunkRunner runner, CancellationToken cancellationToken)
    {
        var keys = new ulong[pass.Groups][];
        var filled = new long[pass.Groups];
        for (int g = 0; g < pass.Groups; g++)
        {
            keys[g] = new ulong[GroupCount(targets, groupOf, g)];
        }

        var gate = new object();
        runner.Run(new QuantilePassNode<T>(input, axis, pass), (_, data) =>
        {
            var counts = MemoryMarshal.Cast<byte, int>(data[..(pass.Groups * sizeof(int))]);
            var all = MemoryMarshal.Cast<byte, ulong>(data[(int)pass.CollectHeaderBytes..]);
            lock (gate)
            {
                int from = 0;
                for (int g = 0; g < counts.Length; g++)
                {
                    all.Slice(from, counts[g]).CopyTo(keys[g].AsSpan(checked((int)filled[g])));
                    filled[g] += counts[g];
                    from += counts[g];
                }
            }
        }, cancellationToken);
        return keys;
    }

    // The k-th smallest key (0-based), by in-memory radix narrowing: O(n) per 8 bits, no full sort.
    private static ulong Select(ulong[] keys, long k)
    {
        var candidates = (ulong[])keys.Clone();
        int count = candidates.Length;
        var histogram = new long[256];
        for (int shift = 56; shift >= 0 && count > 1; shift -= 8)
        {
            Array.Clear(histogram);
            for (int i = 0; i < count; i++)
            {
                histogram[(candidates[i] >> shift) & 0xFF]++;
            }

            long below = 0;
            int digit = 0;
            while (k >= below + histogram[digit])
            {
                below += histogram[digit++];
            }

            k -= below;
            int kept = 0;
            for (int i = 0; i < count; i++)
            {
                if ((int)((candidates[i] >> shift) & 0xFF) == digit)
                {
                    candidates[kept++] = candidates[i];
                }
            }

            count = kept;
        }

        return candidates[0];
    }

    private sealed class Target
    {
        public long Lane { get; init; }

        /// <summary>The rank among the keys of the target's bin (shrinks as the bin narrows).</summary>
        public long Within { get; set; }

        public int Shift { get; set; }

        public ulong Prefix { get; set; }

        /// <summary>The keys in the target's bin (known after a histogram).</summary>
        public long Count { get; set; }

        /// <summary>The group whose histogram the target reads next.</summary>
        public int Group { get; set; }

        public ulong Key { get; set; }
    }
}
