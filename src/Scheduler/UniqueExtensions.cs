using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Scheduler;

/// <summary>
/// The distinct values of an array (NumPy's <c>unique</c>, and with <c>return_counts=True</c>), computed now: each chunk
/// is reduced to its sorted distinct values and counts in parallel within the budget, and the chunks' results are merged
/// as they finish. The result (one entry per distinct value) is held in memory, like any result asked for.
/// </summary>
public static class UniqueExtensions
{
    /// <summary>The sorted distinct values (NaN, for floats, and NaT, for datetimes and timedeltas, once and last).</summary>
    public static T[] Unique<T>(this ChunkedArray<T> array, ComputeOptions? options = null, CancellationToken cancellationToken = default)
        where T : unmanaged, IComparable<T> => UniqueCounts(array, options, cancellationToken).Values;

    /// <summary>The sorted distinct values and how many times each occurs.</summary>
    public static (T[] Values, long[] Counts) UniqueCounts<T>(this ChunkedArray<T> array, ComputeOptions? options = null, CancellationToken cancellationToken = default)
        where T : unmanaged, IComparable<T>
    {
        ArgumentNullException.ThrowIfNull(array);
        var node = new UniqueChunkNode<T>(array.Node);
        var sink = new MergeSink<T>(node);
        Computation.RunAsync([sink], options, cancellationToken).GetAwaiter().GetResult();
        return sink.Result();
    }

    // Merges each chunk's (value, count) runs into one sorted map as chunks finish.
    private sealed unsafe class MergeSink<T>(ArrayNode node) : Computation.ChunkSink(node)
        where T : unmanaged, IComparable<T>
    {
        private readonly SortedDictionary<T, long> _counts = new(Comparer<T>.Create(Compare));

        public override void Accept(ChunkTask task, ChunkBuffer buffer)
        {
            long n = *(long*)buffer.Pointer;
            var values = new ReadOnlySpan<T>((byte*)buffer.Pointer + sizeof(long), checked((int)n));
            var counts = new ReadOnlySpan<long>((byte*)buffer.Pointer + sizeof(long) + (n * sizeof(T)), checked((int)n));
            lock (_counts)
            {
                for (int i = 0; i < values.Length; i++)
                {
                    _counts[values[i]] = _counts.GetValueOrDefault(values[i]) + counts[i];
                }
            }
        }

        public (T[] Values, long[] Counts) Result() => ([.. _counts.Keys], [.. _counts.Values]);
    }

    // NumPy's order: NaN (a value unequal to itself) after every number, all NaN one value; NaT likewise after every
    // datetime or timedelta (NumPy sorts NaT last), though its bits are the smallest int64.
    internal static int Compare<T>(T a, T b)
        where T : IComparable<T>
    {
        bool na = IsMissing(a);
        bool nb = IsMissing(b);
        return na || nb ? na.CompareTo(nb) : a.CompareTo(b);
    }

    private static bool IsMissing<T>(T v)
        where T : IComparable<T> =>
        !v.Equals(v) || (v is double d && double.IsNaN(d)) || (v is float f && float.IsNaN(f)) || (v is Half h && Half.IsNaN(h))
        || (v is DateTime64 t && t.IsNaT) || (v is TimeDelta64 s && s.IsNaT);

    // A chunk's sorted distinct values and their counts: [n (int64)][n values][n counts (int64)].
    private sealed unsafe class UniqueChunkNode<T> : ArrayNode
        where T : unmanaged, IComparable<T>
    {
        public UniqueChunkNode(ArrayNode input)
            : base(DataType.UInt8, input.Grid, [input])
        {
        }

        public override string Label => "unique-partial";

        public override long OutputBytes(ReadOnlySpan<long> chunkIndex) => sizeof(long) + (Grid.ChunkElements(chunkIndex) * (sizeof(T) + sizeof(long)));

        /// <summary>The chunk's values, sorted in a managed copy.</summary>
        public override long HeldBytes(ReadOnlySpan<long> chunkIndex) => Grid.ChunkElements(chunkIndex) * sizeof(T);

        public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies)
        {
            ArgumentNullException.ThrowIfNull(dependencies);
            dependencies.Add(new ChunkDependency(0, chunkIndex.ToArray()));
        }

        public override void Execute(ChunkKernelContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            var input = context.Inputs[0];
            var sorted = new ReadOnlySpan<T>(input.Pointer, checked((int)input.ElementCount)).ToArray();
            Array.Sort(sorted, Compare);
            byte* output = (byte*)context.Output.Pointer;
            var values = new Span<T>(output + sizeof(long), sorted.Length);
            var counts = new Span<long>(output + sizeof(long) + ((long)sorted.Length * sizeof(T)), sorted.Length);
            int n = 0;
            for (int i = 0; i < sorted.Length; i++)
            {
                if (n > 0 && Compare(values[n - 1], sorted[i]) == 0)
                {
                    counts[n - 1]++;
                }
                else
                {
                    values[n] = sorted[i];
                    counts[n++] = 1;
                }
            }

            // Counts follow the n values directly: move them up when fewer values than elements.
            if (n < sorted.Length)
            {
                counts[..n].CopyTo(new Span<long>(output + sizeof(long) + ((long)n * sizeof(T)), n));
            }

            *(long*)output = n;
        }
    }
}
