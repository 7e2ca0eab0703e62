using ChunkCompute.Graph;
using ChunkCompute.ML;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace ChunkCompute.MLNet;

/// <summary>Opens cursors over the arrays of a <see cref="ChunkedDataView"/> (the element types stay generic below it).</summary>
internal abstract class CursorSource
{
    public abstract long Rows { get; }

    public abstract long BufferBoundBytes(int batchRows, BatchOptions options);

    public abstract DataViewRowCursor Open(ChunkedDataView view, bool[] active, int? seed);
}

internal sealed class CursorSource<T, TLabel>(ChunkedArray<T> features, ChunkedArray<TLabel>? labels, int width) : CursorSource
    where T : unmanaged
    where TLabel : unmanaged
{
    public override long Rows => features.Shape[0];

    public override long BufferBoundBytes(int batchRows, BatchOptions options) =>
        labels is null
            ? features.Batches(batchRows, options).BufferBoundBytes
            : Batching.Zip(features, labels).Batches(batchRows, options).BufferBoundBytes;

    public override DataViewRowCursor Open(ChunkedDataView view, bool[] active, int? seed)
    {
        var options = view.BatchOptions(seed);
        int batchRows = view.Options.BatchRows;
        return labels is null
            ? new ChunkedRowCursor<T, TLabel, Batch<T>>(view, active, width, features.Batches(batchRows, options), b => (b, null))
            : new ChunkedRowCursor<T, TLabel, BatchPair<T, TLabel>>(view, active, width, Batching.Zip(features, labels).Batches(batchRows, options), b => (b.First, b.Second));
    }
}

/// <summary>
/// A cursor over one epoch of a batch stream: takes a batch at a time from the stream and serves its rows; the batch
/// is disposed (its buffer returned, its bytes released) when the cursor moves past it or is disposed.
/// </summary>
internal sealed class ChunkedRowCursor<T, TLabel, TBatch> : DataViewRowCursor
    where T : unmanaged
    where TLabel : unmanaged
    where TBatch : IDisposable
{
    private readonly ChunkedDataView _view;
    private readonly bool[] _active;
    private readonly int _width;
    private readonly BatchStream<TBatch> _stream;
    private readonly Func<TBatch, (Batch<T> Features, Batch<TLabel>? Labels)> _split;
    private IEnumerator<TBatch>? _batches;
    private TBatch? _batch;
    private Batch<T>? _features;
    private Batch<TLabel>? _labels;
    private int _row = -1;
    private long _position = -1;
    private bool _done;

    public ChunkedRowCursor(ChunkedDataView view, bool[] active, int width, BatchStream<TBatch> stream, Func<TBatch, (Batch<T>, Batch<TLabel>?)> split)
    {
        _view = view;
        _active = active;
        _width = width;
        _stream = stream;
        _split = split;
    }

    public override DataViewSchema Schema => _view.Schema;

    public override long Position => _position;

    public override long Batch => 0;

    public override bool IsColumnActive(DataViewSchema.Column column) =>
        column.Index >= 0 && column.Index < _active.Length && _active[column.Index];

    public override bool MoveNext()
    {
        if (_done)
        {
            return false;
        }

        if (_features is not null && _row + 1 < _features.Rows)
        {
            _row++;
            _position++;
            return true;
        }

        ReleaseBatch();
        _batches ??= _stream.ToEnumerable().GetEnumerator();
        while (_batches.MoveNext())
        {
            _batch = _batches.Current;
            (_features, _labels) = _split(_batch);
            _view.ObservePeak(_stream.PeakBufferBytes);
            if (_features.Rows > 0)
            {
                _row = 0;
                _position++;
                return true;
            }

            ReleaseBatch();
        }

        Finish();
        return false;
    }

    public override ValueGetter<DataViewRowId> GetIdGetter() =>
        (ref DataViewRowId value) =>
        {
            var features = Current();
            value = new DataViewRowId((ulong)features.RowIndices[_row], 0);
        };

    public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
    {
        if (!IsColumnActive(column))
        {
            throw new InvalidOperationException($"column '{column.Name}' (index {column.Index}) is not active in this cursor: ask for it in GetRowCursor's columnsNeeded");
        }

        Delegate getter = column.Index == 0 ? FeaturesGetter() : LabelGetter();
        return getter as ValueGetter<TValue>
            ?? throw new InvalidOperationException($"column '{column.Name}' is of type {column.Type}: its getter gives {getter.GetType().GetGenericArguments()[0].Name}, not {typeof(TValue).Name}");
    }

    private ValueGetter<VBuffer<T>> FeaturesGetter() =>
        (ref VBuffer<T> value) =>
        {
            var features = Current();
            var editor = VBufferEditor.Create(ref value, _width);
            features.Span.Slice(_row * _width, _width).CopyTo(editor.Values);
            value = editor.Commit();
        };

    private ValueGetter<TLabel> LabelGetter() =>
        (ref TLabel value) =>
        {
            Current();
            value = _labels!.Span[_row];
        };

    private Batch<T> Current() =>
        _features is not null && _row >= 0
            ? _features
            : throw new InvalidOperationException(_done ? "the cursor has passed the last row" : "the cursor is not on a row: call MoveNext first");

    private void ReleaseBatch()
    {
        if (_batch is not null)
        {
            _batch.Dispose();
            _batch = default;
        }

        _features = null;
        _labels = null;
        _row = -1;
    }

    private void Finish()
    {
        _done = true;
        ReleaseBatch();
        if (_batches is not null)
        {
            _view.ObservePeak(_stream.PeakBufferBytes);
            _batches.Dispose();
            _batches = null;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_done)
        {
            Finish();
        }

        base.Dispose(disposing);
    }
}
