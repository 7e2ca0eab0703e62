using ChunkCompute.Graph;
using ChunkCompute.ML;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ChunkCompute.MLNet;

/// <summary>
/// An ML.NET <see cref="IDataView"/> over the rows of a chunked feature matrix and, optionally, a label vector with
/// the same rows: the row count is known, each cursor streams the rows through <see cref="Batching.Batches{T}"/>
/// (row blocks read through the engine with prefetch, within <see cref="ChunkedDataViewOptions.MemoryBudget"/>, released
/// when the cursor is disposed), and shuffled cursors use the batches' reproducible shuffle seeded from the
/// <see cref="Random"/> ML.NET passes, so <c>Fit</c> and trainers run on arrays larger than memory.
/// </summary>
/// <remarks>
/// Columns: the features as a known-size vector of Single (float32 array) or Double (float64 array) named
/// <see cref="ChunkedDataViewOptions.FeatureColumnName"/>; the labels as a Single or Double scalar (Boolean for a bool
/// array, for binary classification) named <see cref="ChunkedDataViewOptions.LabelColumnName"/>. Getters return dense <see cref="VBuffer{T}"/>s; the row id
/// (<see cref="IDataView"/>'s id getter) is the row's index in the array, in shuffled order too.
/// <see cref="GetRowCursorSet"/> returns one cursor (ML.NET accepts fewer than asked for).
/// </remarks>
public sealed class ChunkedDataView : IDataView
{
    private readonly CursorSource _source;
    private long _peakBufferBytes;

    private ChunkedDataView(CursorSource source, DataViewSchema schema, ChunkedDataViewOptions options, long bufferBoundBytes)
    {
        _source = source;
        Schema = schema;
        Options = options;
        BufferBoundBytes = bufferBoundBytes;
    }

    /// <summary>The options the view was made with.</summary>
    public ChunkedDataViewOptions Options { get; }

    /// <inheritdoc />
    public DataViewSchema Schema { get; }

    /// <summary>True: <see cref="GetRowCursor"/> with a <see cref="Random"/> shuffles reproducibly (the same seed drawn, the same order).</summary>
    public bool CanShuffle => true;

    /// <summary>Rows of the view (the arrays' axis 0).</summary>
    public long RowCount => _source.Rows;

    /// <summary>The bound on the bytes one cursor's stream holds in row blocks, shuffle buffer and batches (<see cref="BatchStream{TBatch}.BufferBoundBytes"/>).</summary>
    public long BufferBoundBytes { get; }

    /// <summary>The largest number of bytes any one cursor's stream has held at once so far (blocks, shuffle buffer, batches).</summary>
    public long PeakBufferBytes => Interlocked.Read(ref _peakBufferBytes);

    /// <inheritdoc />
    public long? GetRowCount() => _source.Rows;

    /// <summary>
    /// A cursor over all rows, in order when <paramref name="rand"/> is null, otherwise shuffled with the batches'
    /// reproducible shuffle seeded by <c>rand.Next()</c>. Only the columns in <paramref name="columnsNeeded"/> are active.
    /// </summary>
    /// <exception cref="ArgumentException">A column is not of this view's schema.</exception>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        bool[] active = new bool[Schema.Count];
        foreach (var column in columnsNeeded)
        {
            if (column.Index < 0 || column.Index >= Schema.Count || !Schema[column.Index].Type.Equals(column.Type) || Schema[column.Index].Name != column.Name)
            {
                throw new ArgumentException($"column '{column.Name}' (index {column.Index}) is not a column of this view ({string.Join(", ", Schema.Select(c => c.Name))})", nameof(columnsNeeded));
            }

            active[column.Index] = true;
        }

        int? seed = rand?.Next();
        return _source.Open(this, active, seed);
    }

    /// <summary>One cursor (see <see cref="GetRowCursor"/>): the rows come from one stream, whatever <paramref name="n"/> asks.</summary>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    internal void ObservePeak(long bytes)
    {
        long peak;
        while (bytes > (peak = Interlocked.Read(ref _peakBufferBytes)) && Interlocked.CompareExchange(ref _peakBufferBytes, bytes, peak) != peak)
        {
        }
    }

    internal BatchOptions BatchOptions(int? seed) => new()
    {
        Shuffle = seed,
        MemoryBudget = Options.MemoryBudget,
        SharedMemory = Options.SharedMemory,
        Prefetch = Options.Prefetch,
        ShuffleBufferRows = Options.ShuffleBufferRows,
        MaxDegreeOfParallelism = Options.MaxDegreeOfParallelism,
    };

    internal static ChunkedDataView Create<T>(ChunkedArray<T> features, ChunkedDataViewOptions? options)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(features);
        options ??= new ChunkedDataViewOptions();
        int width = CheckFeatures(features, options);
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(options.FeatureColumnName, new VectorDataViewType(NumberType<T>(nameof(features), string.Empty), width));
        var source = new CursorSource<T, float>(features, null, width);
        return Validate(source, builder.ToSchema(), options);
    }

    internal static ChunkedDataView Create<T, TLabel>(ChunkedArray<T> features, ChunkedArray<TLabel> labels, ChunkedDataViewOptions? options)
        where T : unmanaged
        where TLabel : unmanaged
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        options ??= new ChunkedDataViewOptions();
        int width = CheckFeatures(features, options);
        if (labels.Rank != 1)
        {
            throw new ArgumentException($"the labels must be a 1-D array (one label per row); {labels} has {labels.Rank} dimensions", nameof(labels));
        }

        if (labels.Shape[0] != features.Shape[0])
        {
            throw new ArgumentException(
                $"the labels must have one value per row of the features: the features have {features.Shape[0]:N0} rows ({features}), the labels {labels.Shape[0]:N0} ({labels})",
                nameof(labels));
        }

        if (string.IsNullOrEmpty(options.LabelColumnName) || options.LabelColumnName == options.FeatureColumnName)
        {
            throw new ArgumentException($"the label column needs a name other than the features column's ('{options.FeatureColumnName}'), not '{options.LabelColumnName}'", nameof(options));
        }

        var builder = new DataViewSchema.Builder();
        builder.AddColumn(options.FeatureColumnName, new VectorDataViewType(NumberType<T>(nameof(features), string.Empty), width));
        builder.AddColumn(options.LabelColumnName, typeof(TLabel) == typeof(bool) ? BooleanDataViewType.Instance : NumberType<TLabel>(nameof(labels), " or bool"));
        var source = new CursorSource<T, TLabel>(features, labels, width);
        return Validate(source, builder.ToSchema(), options);
    }

    private static ChunkedDataView Validate(CursorSource source, DataViewSchema schema, ChunkedDataViewOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchRows, 1, nameof(options.BatchRows));

        // Building a stream checks the options and that the buffers fit the budget (it reads nothing until enumerated).
        long bound = source.BufferBoundBytes(options.BatchRows, new BatchOptions
        {
            MemoryBudget = options.MemoryBudget,
            SharedMemory = options.SharedMemory,
            Prefetch = options.Prefetch,
            ShuffleBufferRows = options.ShuffleBufferRows,
            MaxDegreeOfParallelism = options.MaxDegreeOfParallelism,
            Shuffle = 0,
        });
        return new ChunkedDataView(source, schema, options, bound);
    }

    private static int CheckFeatures<T>(ChunkedArray<T> features, ChunkedDataViewOptions options)
        where T : unmanaged
    {
        if (features.Rank != 2)
        {
            throw new ArgumentException($"the features must be a 2-D array (rows x columns); {features} has {features.Rank} dimensions", nameof(features));
        }

        long columns = features.Shape[1];
        if (columns < 1 || columns > Array.MaxLength)
        {
            throw new ArgumentException($"the features must have between 1 and {Array.MaxLength:N0} columns; {features} has {columns:N0}", nameof(features));
        }

        if (string.IsNullOrEmpty(options.FeatureColumnName))
        {
            throw new ArgumentException("the features column needs a name", nameof(options));
        }

        return (int)columns;
    }

    private static PrimitiveDataViewType NumberType<T>(string name, string alsoAllowed) =>
        typeof(T) == typeof(float) ? NumberDataViewType.Single
        : typeof(T) == typeof(double) ? NumberDataViewType.Double
        : throw new NotSupportedException($"{name}: an ML.NET view of chunked arrays takes float or double{alsoAllowed} elements here, not {typeof(T).Name}");
}
