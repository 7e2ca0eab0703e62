using ChunkCompute.Graph;

namespace ChunkCompute.ML;

/// <summary>Mini-batches over the rows (axis 0) of chunked arrays, lockstep batching of several arrays, and train/test splits.</summary>
public static class Batching
{
    /// <summary>
    /// Streams <paramref name="array"/> (rank ≥ 1) as batches of <paramref name="batchSize"/> rows, reading one row
    /// block (a chunk along axis 0) at a time through the engine with background prefetch, within
    /// <see cref="BatchOptions.MemoryBudget"/> (see <see cref="BatchStream{TBatch}"/> for the bound and the shuffle).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The batch size is 0 or negative, or an option is out of range.</exception>
    /// <exception cref="ArgumentException">The array is 0-d, <see cref="BatchOptions.Rows"/> was made for another row count, or the buffers do not fit the budget.</exception>
    public static BatchStream<Batch<T>> Batches<T>(this ChunkedArray<T> array, int batchSize, BatchOptions? options = null)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        RequireRows(array.Rank, nameof(array));
        var batcher = new RowBatcher([new Lane<T>(array)], batchSize, options);
        return new BatchStream<Batch<T>>(batcher, parts => (Batch<T>)parts[0]);
    }

    /// <summary>
    /// Pairs two arrays with the same number of rows (e.g. features and labels; chunking and element types may
    /// differ) so that <see cref="ZippedArrays{T1, T2}.Batches"/> yields aligned batches.
    /// </summary>
    /// <exception cref="ArgumentException">The row counts differ, or an array is 0-d.</exception>
    public static ZippedArrays<T1, T2> Zip<T1, T2>(ChunkedArray<T1> first, ChunkedArray<T2> second)
        where T1 : unmanaged
        where T2 : unmanaged
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        RequireRows(first.Rank, nameof(first));
        RequireRows(second.Rank, nameof(second));
        if (first.Shape[0] != second.Shape[0])
        {
            throw new ArgumentException(
                $"arrays batched in lockstep need the same number of rows: the first has {first.Shape[0]:N0} rows (shape [{string.Join(", ", first.Shape)}]), " +
                $"the second {second.Shape[0]:N0} (shape [{string.Join(", ", second.Shape)}])",
                nameof(second));
        }

        return new ZippedArrays<T1, T2>(first, second);
    }

    /// <summary>
    /// Splits rows 0…<paramref name="rowCount"/> − 1 into test rows (ceil(testFraction × rowCount), as scikit-learn's
    /// <c>train_test_split</c>) and train rows (the rest), by a seeded permutation: the same seed gives the same split,
    /// independent of chunking, in O(1) memory.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is not strictly between 0 and 1.</exception>
    /// <exception cref="ArgumentException">One side would be empty.</exception>
    public static RowSplit TrainTestSplit(long rowCount, double testFraction, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        if (!(testFraction > 0 && testFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, $"test fraction must be between 0 and 1 (exclusive), not {testFraction}");
        }

        long test = (long)Math.Ceiling(testFraction * rowCount);
        if (test <= 0 || test >= rowCount)
        {
            throw new ArgumentException($"a test fraction of {testFraction} of {rowCount} rows leaves {test} test and {rowCount - test} train rows; both sides need at least one", nameof(testFraction));
        }

        var permutation = new FeistelPermutation(rowCount, seed);
        return new RowSplit(new RowSelection(permutation, test, below: false), new RowSelection(permutation, test, below: true));
    }

    /// <summary>Splits the rows (axis 0) of <paramref name="array"/> (see <see cref="TrainTestSplit(long, double, int)"/>).</summary>
    public static RowSplit TrainTestSplit<T>(this ChunkedArray<T> array, double testFraction, int seed)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        RequireRows(array.Rank, nameof(array));
        return TrainTestSplit(array.Shape[0], testFraction, seed);
    }

    private static void RequireRows(int rank, string name)
    {
        if (rank < 1)
        {
            throw new ArgumentException("batching needs an array of rank 1 or more (rows are axis 0); this one is 0-d", name);
        }
    }
}

/// <summary>Two arrays with the same rows, batched in lockstep (see <see cref="Batching.Zip{T1, T2}"/>).</summary>
/// <typeparam name="T1">The first array's element type.</typeparam>
/// <typeparam name="T2">The second array's element type.</typeparam>
public sealed class ZippedArrays<T1, T2>
    where T1 : unmanaged
    where T2 : unmanaged
{
    internal ZippedArrays(ChunkedArray<T1> first, ChunkedArray<T2> second)
    {
        First = first;
        Second = second;
    }

    /// <summary>The first array.</summary>
    public ChunkedArray<T1> First { get; }

    /// <summary>The second array.</summary>
    public ChunkedArray<T2> Second { get; }

    /// <summary>Rows of both.</summary>
    public long RowCount => First.Shape[0];

    /// <summary>
    /// Aligned batches: row blocks follow the first array's chunks along axis 0, and the second array is sliced to
    /// the same rows; both are read in one engine computation per block.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The batch size is 0 or negative, or an option is out of range.</exception>
    /// <exception cref="ArgumentException"><see cref="BatchOptions.Rows"/> was made for another row count, or the buffers do not fit the budget.</exception>
    public BatchStream<BatchPair<T1, T2>> Batches(int batchSize, BatchOptions? options = null)
    {
        var batcher = new RowBatcher([new Lane<T1>(First), new Lane<T2>(Second)], batchSize, options);
        return new BatchStream<BatchPair<T1, T2>>(batcher, parts => new BatchPair<T1, T2>((Batch<T1>)parts[0], (Batch<T2>)parts[1]));
    }

    /// <summary>Splits the shared rows (see <see cref="Batching.TrainTestSplit(long, double, int)"/>).</summary>
    public RowSplit TrainTestSplit(double testFraction, int seed) => Batching.TrainTestSplit(RowCount, testFraction, seed);
}
