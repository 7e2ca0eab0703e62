using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.ML;

/// <summary>
/// A ragged (variable-length) array, like PyTables' VLArray: a sequence of records, each with its own length, or its
/// own N-d shape of a fixed rank. Stored as a Zarr group of ordinary compressed arrays that zarr-python reads: a flat
/// <c>values</c> array (the records back to back, C order), an int64 <c>offsets</c> array (records + 1, record i is
/// <c>values[offsets[i]:offsets[i+1]]</c>), and for records of rank &gt; 1 an int64 <c>shapes</c> array
/// (records × rank); the group attribute <c>chunkcompute_ragged</c> names the layout.
/// </summary>
/// <remarks>
/// <para>
/// Appends cost O(record) plus the rewrite of the tail chunk of each array. On a transactional directory store every
/// <see cref="Append(ReadOnlySpan{T})"/> or <see cref="AppendMany(IEnumerable{T[]})"/> is one commit of values,
/// offsets and shapes together (retried on conflicts with other writers); a ragged array opened from a transaction
/// (<see cref="Open(Transaction, string)"/>) joins it. A plain store (memory) is written in place, offsets last.
/// </para>
/// <para>
/// Reads see the version this handle was opened at (or last appended); <see cref="Refresh"/> moves it to the latest.
/// Indices may be negative, counting from the end as in Python.
/// </para>
/// </remarks>
/// <typeparam name="T">The element type: bool, sbyte … ulong, Half, float or double.</typeparam>
/// <example>
/// <code>
/// using var store = ZarrStore.Open("data.zarr");
/// var tokens = RaggedArray&lt;int&gt;.Create(store, "tokens");
/// tokens.Append([1, 2, 3]);
/// tokens.AppendMany([[4, 5], [], [6]]);
/// int[] last = tokens[-1].Values;             // [6]
/// long[] lengths = tokens.Lengths();          // [3, 2, 0, 1]
/// var images = RaggedArray&lt;float&gt;.Create(store, "images", recordRank: 2);
/// images.Append(pixels, [480, 640]);
/// </code>
/// </example>
public sealed class RaggedArray<T> : IRaggedArray
    where T : unmanaged
{
    /// <summary>The default values chunk: 65,536 elements.</summary>
    public const int DefaultValuesChunk = 1 << 16;

    private readonly Lock _gate = new();
    private volatile RaggedParts _parts;

    private RaggedArray(ZarrStore store, string path, int recordRank, RaggedParts parts)
    {
        Store = store;
        Path = path;
        RecordRank = recordRank;
        _parts = parts;
    }

    /// <summary>The store handle the ragged array reads and writes through (a transaction's, when opened from one).</summary>
    public ZarrStore Store { get; }

    /// <summary>The group's path.</summary>
    public string Path { get; }

    /// <summary>The element type.</summary>
    public DataType DataType => DataType.Of<T>();

    /// <summary>The rank of every record (1: variable-length vectors).</summary>
    public int RecordRank { get; }

    /// <summary>The number of records.</summary>
    public long Count => _parts.Count;

    /// <summary>The committed version this handle reads; null when the store is not transactional.</summary>
    public long? Version => _parts.Offsets.Version;

    /// <summary>The flat values array.</summary>
    public ZarrArray Values => _parts.Values;

    /// <summary>The offsets array (int64, <see cref="Count"/> + 1).</summary>
    public ZarrArray Offsets => _parts.Offsets;

    /// <summary>The per-record shapes array (int64, <see cref="Count"/> × <see cref="RecordRank"/>); null for rank 1.</summary>
    public ZarrArray? Shapes => _parts.Shapes;

    /// <summary>The record at <paramref name="index"/> (negative counts from the end).</summary>
    public RaggedRecord<T> this[long index] => Read(index);

    /// <summary>
    /// Creates an empty ragged array (a group and its arrays) at <paramref name="path"/>; on a transactional store in
    /// one commit.
    /// </summary>
    /// <param name="store">The store handle (a transaction's <see cref="Transaction.Store"/> creates it in that transaction).</param>
    /// <param name="path">The group's path.</param>
    /// <param name="recordRank">The rank of every record; above 1 each record's shape is stored.</param>
    /// <param name="valuesChunk">Elements per chunk of the values array.</param>
    /// <param name="options">Format, compression, offsets chunk, overwrite.</param>
    /// <exception cref="InvalidOperationException">A node exists at the path and <see cref="RaggedArrayOptions.Overwrite"/> is false.</exception>
    /// <exception cref="UnsupportedDataTypeException"><typeparamref name="T"/> is not a Zarr element type.</exception>
    public static RaggedArray<T> Create(ZarrStore store, string path, int recordRank = 1, int valuesChunk = DefaultValuesChunk, RaggedArrayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        path = StoreKeys.NormalizePath(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(recordRank, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(valuesChunk);
        options ??= new RaggedArrayOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.OffsetsChunk, nameof(options));
        var dataType = DataType.Of<T>();
        if (store.AutoCommits)
        {
            store.Transact(tx => RaggedLayout.Create(tx.Store, path, dataType, recordRank, valuesChunk, options));
        }
        else
        {
            RaggedLayout.Create(store, path, dataType, recordRank, valuesChunk, options);
        }

        return Open(store, path);
    }

    /// <summary>Creates an empty ragged array in <paramref name="transaction"/>.</summary>
    public static RaggedArray<T> Create(Transaction transaction, string path, int recordRank = 1, int valuesChunk = DefaultValuesChunk, RaggedArrayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return Create(transaction.Store, path, recordRank, valuesChunk, options);
    }

    /// <summary>Opens the ragged array at <paramref name="path"/>.</summary>
    /// <exception cref="NodeNotFoundException">Nothing is at the path.</exception>
    /// <exception cref="InvalidRaggedArrayException">The node is not a ragged array, or its arrays do not match its layout.</exception>
    /// <exception cref="DataTypeMismatchException">Its element type is not <typeparamref name="T"/>.</exception>
    public static RaggedArray<T> Open(ZarrStore store, string path)
    {
        ArgumentNullException.ThrowIfNull(store);
        path = StoreKeys.NormalizePath(path);
        var (dataType, rank) = RaggedLayout.ReadAttributes(store, path);
        if (dataType.ClrType != typeof(T))
        {
            throw new DataTypeMismatchException(store.Name, path, dataType, typeof(T));
        }

        return new RaggedArray<T>(store, path, rank, RaggedLayout.Open(store, path, dataType, rank));
    }

    /// <summary>Opens the ragged array at <paramref name="path"/> as <paramref name="transaction"/> sees it; appends join the transaction.</summary>
    public static RaggedArray<T> Open(Transaction transaction, string path)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return Open(transaction.Store, path);
    }

    internal static RaggedArray<T> Open(ZarrStore store, string path, int recordRank, RaggedParts parts) => new(store, path, recordRank, parts);

    /// <summary>Moves this handle to the latest committed version (the store handle moves too).</summary>
    public void Refresh()
    {
        lock (_gate)
        {
            if (Store.AutoCommits)
            {
                Store.Refresh();
            }

            _parts = RaggedLayout.Open(Store, Path, DataType, RecordRank);
        }
    }

    /// <summary>Appends a one-dimensional record (record rank 1).</summary>
    /// <exception cref="ShapeMismatchException">The records have rank &gt; 1 (use <see cref="Append(ReadOnlySpan{T}, ReadOnlySpan{long})"/>).</exception>
    public void Append(ReadOnlySpan<T> record)
    {
        if (RecordRank != 1)
        {
            throw new ShapeMismatchException($"{Describe()} holds records of rank {RecordRank}: append with the record's shape, Append(values, shape)");
        }

        Append(record, [record.Length]);
    }

    /// <summary>Appends a record of shape <paramref name="shape"/> (values in C order).</summary>
    /// <exception cref="ShapeMismatchException">The shape's rank is not <see cref="RecordRank"/>, a dimension is negative,
    /// or its product is not the number of values.</exception>
    public unsafe void Append(ReadOnlySpan<T> record, ReadOnlySpan<long> shape)
    {
        long[] recordShape = CheckShape(shape, record.Length);
        fixed (T* p = record)
        {
            nint source = (nint)p;
            int length = record.Length;
            long[] lengths = [length];
            Write(parts => AppendBlock(parts, new ReadOnlySpan<T>((void*)source, length), lengths, recordShape), retries: 3);
        }
    }

    /// <summary>
    /// Appends one-dimensional records (record rank 1) in batches; on a transactional store all of them are one commit
    /// (nothing is appended when enumerating them fails).
    /// </summary>
    public void AppendMany(IEnumerable<T[]> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (RecordRank != 1)
        {
            throw new ShapeMismatchException($"{Describe()} holds records of rank {RecordRank}: append RaggedRecord<T> values with their shapes");
        }

        AppendManyCore(records.Select(r => new RaggedRecord<T>(r ?? throw new ArgumentException($"a null record was given to append to {Describe()}", nameof(records)))), Replayable(records));
    }

    /// <summary>Appends records with their shapes in batches; on a transactional store all of them are one commit.</summary>
    public void AppendMany(IEnumerable<RaggedRecord<T>> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        AppendManyCore(records, Replayable(records));
    }

    /// <summary>The number of values of record <paramref name="index"/>.</summary>
    public long Length(long index)
    {
        var parts = _parts;
        long i = Normalize(index, parts.Count);
        var o = parts.Offsets.Read<long>(new ArraySubset([i], [2]));
        return o[1] - o[0];
    }

    /// <summary>The number of values of every record.</summary>
    public long[] Lengths()
    {
        var offsets = _parts.Offsets.Read<long>();
        var lengths = new long[offsets.Length - 1];
        for (int i = 0; i < lengths.Length; i++)
        {
            lengths[i] = offsets[i + 1] - offsets[i];
        }

        return lengths;
    }

    /// <summary>The shape of record <paramref name="index"/>.</summary>
    public long[] Shape(long index)
    {
        var parts = _parts;
        long i = Normalize(index, parts.Count);
        return ShapeOf(parts, i);
    }

    /// <summary>Reads record <paramref name="index"/> (negative counts from the end).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The index is outside [-Count, Count).</exception>
    public RaggedRecord<T> Read(long index)
    {
        var parts = _parts;
        long i = Normalize(index, parts.Count);
        var o = parts.Offsets.Read<long>(new ArraySubset([i], [2]));
        return new RaggedRecord<T>(ReadValues(parts, o[0], o[1]), ShapeOf(parts, i));
    }

    /// <summary>Reads <paramref name="count"/> records from <paramref name="start"/> (negative counts from the end) with one read per array.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not within the records.</exception>
    public RaggedRecord<T>[] ReadRange(long start, long count)
    {
        var parts = _parts;
        long n = parts.Count;
        long s = start < 0 ? start + n : start;
        if (s < 0 || count < 0 || s > n || count > n - s)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"records [{start}, {start} + {count}) are out of range for {Describe()}, which has {n} records");
        }

        var o = parts.Offsets.Read<long>(new ArraySubset([s], [count + 1]));
        var values = ReadValues(parts, o[0], o[^1]);
        var shapes = parts.Shapes is null || count == 0 ? null : parts.Shapes.Read<long>(new ArraySubset([s, 0], [count, RecordRank]));
        var result = new RaggedRecord<T>[count];
        for (int r = 0; r < count; r++)
        {
            int from = checked((int)(o[r] - o[0]));
            int to = checked((int)(o[r + 1] - o[0]));
            result[r] = new RaggedRecord<T>(values[from..to], shapes is null ? [to - from] : shapes.AsSpan(r * RecordRank, RecordRank).ToArray());
        }

        return result;
    }

    /// <summary>The sum of each record's values (float64, compensated).</summary>
    public double[] Sums() => Statistics().Sums;

    /// <summary>The mean of each record's values (NaN for an empty record).</summary>
    public double[] Means() => Statistics().Means;

    /// <summary>The smallest value of each record (NaN for an empty record or one holding NaN).</summary>
    public double[] Mins() => Statistics().Mins;

    /// <summary>The largest value of each record (NaN for an empty record or one holding NaN).</summary>
    public double[] Maxs() => Statistics().Maxs;

    /// <summary>
    /// Sums, means, minima and maxima of every record in one pass over the values array, one chunk-aligned block at a
    /// time: memory is one block plus the offsets and the results (O(records)).
    /// </summary>
    public RaggedStatistics Statistics(CancellationToken cancellationToken = default)
    {
        var parts = _parts;
        var offsets = parts.Offsets.Read<long>(cancellationToken);
        int n = offsets.Length - 1;
        var sums = new double[n];
        var means = new double[n];
        var mins = new double[n];
        var maxs = new double[n];
        long chunk = parts.Values.ChunkShape[0];
        long block = chunk * Math.Max(1, (1 << 20) / (chunk * Unsafe.SizeOf<T>()));
        long valuesLength = parts.Values.Shape[0];
        var buffer = ArrayPool<T>.Shared.Rent((int)Math.Min(block, Math.Max(1, valuesLength)));
        long loaded = -1;
        try
        {
            for (int r = 0; r < n; r++)
            {
                long pos = offsets[r], end = offsets[r + 1];
                double sum = 0, compensation = 0, min = double.PositiveInfinity, max = double.NegativeInfinity;
                bool nan = false;
                while (pos < end)
                {
                    long blockStart = pos / block * block;
                    if (blockStart != loaded)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        long len = Math.Min(block, valuesLength - blockStart);
                        parts.Values.Read(new ArraySubset([blockStart], [len]), buffer.AsSpan(0, (int)len), cancellationToken);
                        loaded = blockStart;
                    }

                    long stop = Math.Min(end, blockStart + block);
                    foreach (T v in buffer.AsSpan((int)(pos - blockStart), (int)(stop - pos)))
                    {
                        double x = ToDouble(v);
                        double t = sum + x;                                  // Neumaier's compensated sum
                        compensation += Math.Abs(sum) >= Math.Abs(x) ? (sum - t) + x : (x - t) + sum;
                        sum = t;
                        nan |= double.IsNaN(x);
                        min = Math.Min(min, x);
                        max = Math.Max(max, x);
                    }

                    pos = stop;
                }

                long count = offsets[r + 1] - offsets[r];
                sums[r] = sum + compensation;
                if (double.IsNaN(sums[r]) || double.IsInfinity(sum))
                {
                    sums[r] = sum;
                }

                means[r] = count == 0 ? double.NaN : sums[r] / count;
                mins[r] = count == 0 || nan ? double.NaN : min;
                maxs[r] = count == 0 || nan ? double.NaN : max;
            }
        }
        finally
        {
            ArrayPool<T>.Shared.Return(buffer);
        }

        return new RaggedStatistics(sums, means, mins, maxs);
    }

    /// <inheritdoc/>
    public override string ToString() => $"RaggedArray<{typeof(T).Name}> '{Path}' ({Count} records of rank {RecordRank})";

    void IRaggedArray.AppendUntyped(Array values, long[]? shape)
    {
        ArgumentNullException.ThrowIfNull(values);
        var elementType = values.GetType().GetElementType()!;
        if (elementType != typeof(T))
        {
            throw new DataTypeMismatchException(Store.Name, Path, DataType, elementType);
        }

        if (shape is null && values.Rank == 1 && RecordRank > 1)
        {
            throw new ShapeMismatchException($"{Describe()} holds records of rank {RecordRank}: pass the record's shape, or a {RecordRank}-dimensional array");
        }

        if (shape is null)
        {
            shape = new long[values.Rank];
            for (int d = 0; d < values.Rank; d++)
            {
                shape[d] = values.GetLength(d);
            }
        }

        var span = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(values)), values.Length);
        Append(span, shape);
    }

    private string Describe() => $"ragged array '{Path}' in store '{Store.Name}'";

    private long Normalize(long index, long count)
    {
        long i = index < 0 ? index + count : index;
        if (i < 0 || i >= count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"record {index} is out of range for {Describe()}, which has {count} records");
        }

        return i;
    }

    private long[] CheckShape(ReadOnlySpan<long> shape, int length)
    {
        if (shape.Length != RecordRank)
        {
            throw new ShapeMismatchException($"cannot append a record of rank {shape.Length} ([{string.Join(", ", shape.ToArray())}]) to {Describe()}, whose records have rank {RecordRank}");
        }

        long product = 1;
        foreach (long d in shape)
        {
            if (d < 0)
            {
                throw new ShapeMismatchException($"cannot append a record of shape [{string.Join(", ", shape.ToArray())}] to {Describe()}: a dimension is negative");
            }

            product = d == 0 || product == 0 ? 0 : checked(product * d);
        }

        if (product != length)
        {
            throw new ShapeMismatchException($"a record of shape [{string.Join(", ", shape.ToArray())}] holds {product} values, but {length} were given to append to {Describe()}");
        }

        return shape.ToArray();
    }

    private long[] ShapeOf(RaggedParts parts, long i)
    {
        if (parts.Shapes is null)
        {
            var o = parts.Offsets.Read<long>(new ArraySubset([i], [2]));
            return [o[1] - o[0]];
        }

        return parts.Shapes.Read<long>(new ArraySubset([i, 0], [1, RecordRank]));
    }

    private T[] ReadValues(RaggedParts parts, long from, long to)
    {
        if (to - from > Array.MaxLength)
        {
            throw new NotSupportedException($"{to - from} values do not fit in one .NET array (reading {Describe()}); read fewer records at a time");
        }

        return to == from ? [] : parts.Values.Read<T>(new ArraySubset([from], [to - from]));
    }

    // Records that may be enumerated again when a commit conflicts and is retried.
    private static int Replayable<TItem>(IEnumerable<TItem> records) => records is ICollection<TItem> or IReadOnlyCollection<TItem> ? 3 : 0;

    // Runs a change on this handle's arrays: as one commit of a transactional store (then reads that version), or in
    // place (a transaction's handle, whose arrays see their own writes, or a plain store).
    private void Write(Action<RaggedParts> body, int retries)
    {
        lock (_gate)
        {
            if (Store.AutoCommits)
            {
                Store.Transact(tx => body(RaggedLayout.Open(tx.Store, Path, DataType, RecordRank)), retries);
                _parts = RaggedLayout.Open(Store, Path, DataType, RecordRank);
            }
            else
            {
                body(_parts);
            }
        }
    }

    private void AppendManyCore(IEnumerable<RaggedRecord<T>> records, int retries)
    {
        long flushValues = Math.Max(_parts.Values.ChunkShape[0], DefaultValuesChunk);
        Write(
            parts =>
            {
                var values = new List<T>();
                var lengths = new List<long>();
                var shapes = new List<long>();
                foreach (var record in records)
                {
                    shapes.AddRange(CheckShape(record.Shape, record.Length));
                    values.AddRange(record.Values);
                    lengths.Add(record.Length);
                    if (values.Count >= flushValues || lengths.Count >= DefaultValuesChunk)
                    {
                        AppendBlock(parts, CollectionsMarshal.AsSpan(values), [.. lengths], [.. shapes]);
                        values.Clear();
                        lengths.Clear();
                        shapes.Clear();
                    }
                }

                if (lengths.Count > 0)
                {
                    AppendBlock(parts, CollectionsMarshal.AsSpan(values), [.. lengths], [.. shapes]);
                }
            },
            retries);
    }

    // Appends records (values back to back, their lengths, their shapes row by row): values and shapes first, offsets
    // last, so on a plain store the record count (offsets) only ever covers complete records.
    private void AppendBlock(RaggedParts parts, ReadOnlySpan<T> values, long[] lengths, long[] shapes)
    {
        long count = parts.Count;
        long last = parts.Offsets.Read<long>(new ArraySubset([count], [1]))[0];
        if (parts.Values.Shape[0] != last)
        {
            parts.Values.Resize([last]);            // values left by an interrupted in-place append
        }

        if (values.Length > 0)
        {
            parts.Values.Append(values);
        }

        if (parts.Shapes is { } shapeArray)
        {
            if (shapeArray.Shape[0] != count)
            {
                shapeArray.Resize([count, RecordRank]);
            }

            shapeArray.Append<long>(shapes, [lengths.Length, RecordRank]);
        }

        var offsets = new long[lengths.Length];
        for (int i = 0; i < lengths.Length; i++)
        {
            last += lengths[i];
            offsets[i] = last;
        }

        parts.Offsets.Append<long>(offsets);
    }

    private static double ToDouble(T v)
    {
        if (typeof(T) == typeof(double)) return Unsafe.As<T, double>(ref v);
        if (typeof(T) == typeof(float)) return Unsafe.As<T, float>(ref v);
        if (typeof(T) == typeof(Half)) return (double)Unsafe.As<T, Half>(ref v);
        if (typeof(T) == typeof(int)) return Unsafe.As<T, int>(ref v);
        if (typeof(T) == typeof(long)) return Unsafe.As<T, long>(ref v);
        if (typeof(T) == typeof(short)) return Unsafe.As<T, short>(ref v);
        if (typeof(T) == typeof(sbyte)) return Unsafe.As<T, sbyte>(ref v);
        if (typeof(T) == typeof(byte)) return Unsafe.As<T, byte>(ref v);
        if (typeof(T) == typeof(ushort)) return Unsafe.As<T, ushort>(ref v);
        if (typeof(T) == typeof(uint)) return Unsafe.As<T, uint>(ref v);
        if (typeof(T) == typeof(ulong)) return Unsafe.As<T, ulong>(ref v);
        if (typeof(T) == typeof(bool)) return Unsafe.As<T, bool>(ref v) ? 1 : 0;
        throw new UnsupportedDataTypeException(typeof(T).Name, "ragged reductions need a numeric or bool element type");
    }
}
