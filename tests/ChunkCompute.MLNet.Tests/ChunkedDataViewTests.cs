using ChunkCompute.Graph;
using ChunkCompute.ML;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace ChunkCompute.MLNet.Tests;

/// <summary>
/// The rows a <see cref="ChunkedDataView"/>'s cursors return, checked against the arrays' elements (the naive
/// reference is the flat array the chunked one was made from), in order and shuffled, on irregular chunk grids.
/// </summary>
public sealed class ChunkedDataViewTests
{
    private const int Rows = 64;
    private const int Width = 3;

    // Irregular along both axes: row blocks of 5, 17, 1, 30, 9, 2 rows; column chunks of 2 and 1.
    private static readonly ChunkGrid Grid = ChunkGrid.FromSizes([[5, 17, 1, 30, 9, 2], [2, 1]]);
    private static readonly ChunkGrid LabelGrid = ChunkGrid.FromSizes([[7, 7, 40, 10]]);

    private static float[] FeatureData() => Enumerable.Range(0, Rows * Width).Select(i => (i * 0.25f) - 7).ToArray();

    private static float[] LabelData() => Enumerable.Range(0, Rows).Select(i => (float)(1000 + (i * i))).ToArray();

    private static ChunkedDataView View(ChunkedDataViewOptions? options = null) =>
        ChunkedArray.FromArray(FeatureData(), Grid).AsDataView(ChunkedArray.FromArray(LabelData(), LabelGrid), options ?? new ChunkedDataViewOptions { BatchRows = 4 });

    private static List<(long Id, long Position, float[] Features, float Label)> ReadAll(IDataView view, Random? rand)
    {
        var rows = new List<(long, long, float[], float)>();
        using var cursor = view.GetRowCursor(view.Schema, rand);
        var features = cursor.GetGetter<VBuffer<float>>(view.Schema["Features"]);
        var label = cursor.GetGetter<float>(view.Schema["Label"]);
        var id = cursor.GetIdGetter();
        Assert.Equal(-1, cursor.Position);
        VBuffer<float> vector = default;
        float y = 0;
        DataViewRowId rowId = default;
        while (cursor.MoveNext())
        {
            features(ref vector);
            label(ref y);
            id(ref rowId);
            Assert.True(vector.IsDense);
            Assert.Equal(0UL, rowId.High);
            rows.Add(((long)rowId.Low, cursor.Position, vector.DenseValues().ToArray(), y));
        }

        Assert.False(cursor.MoveNext());
        return rows;
    }

    [Fact]
    public void Schema_VectorOfTheColumnCountAndScalarLabel_RowCountKnown()
    {
        var view = View(new ChunkedDataViewOptions { FeatureColumnName = "X", LabelColumnName = "Y" });
        Assert.Equal(2, view.Schema.Count);
        var x = Assert.IsType<VectorDataViewType>(view.Schema["X"].Type);
        Assert.Equal(NumberDataViewType.Single, x.ItemType);
        Assert.Equal(Width, x.Size);
        Assert.Equal(NumberDataViewType.Single, view.Schema["Y"].Type);
        Assert.Equal(Rows, view.GetRowCount());
        Assert.True(view.CanShuffle);

        var doubles = ChunkedArray.FromArray(FeatureData().Select(v => (double)v).ToArray(), Grid).AsDataView();
        Assert.Single(doubles.Schema);
        Assert.Equal(NumberDataViewType.Double, Assert.IsType<VectorDataViewType>(doubles.Schema["Features"].Type).ItemType);
    }

    [Fact]
    public void Cursor_IrregularGrid_EveryRowInOrderWithItsValuesLabelAndId()
    {
        float[] data = FeatureData();
        float[] labels = LabelData();
        var rows = ReadAll(View(), rand: null);

        Assert.Equal(Rows, rows.Count);
        for (int r = 0; r < Rows; r++)
        {
            Assert.Equal(r, rows[r].Id);
            Assert.Equal(r, rows[r].Position);
            Assert.Equal(data.AsSpan(r * Width, Width).ToArray(), rows[r].Features);
            Assert.Equal(labels[r], rows[r].Label);
        }
    }

    [Fact]
    public void Cursor_DoubleFeaturesWithoutLabels_RowsAsDoubleVectors()
    {
        double[] data = Enumerable.Range(0, Rows * Width).Select(i => Math.Sqrt(i) - 3).ToArray();
        var view = ChunkedArray.FromArray(data, Grid).AsDataView(new ChunkedDataViewOptions { BatchRows = 7 });
        using var cursor = view.GetRowCursor(view.Schema);
        var getter = cursor.GetGetter<VBuffer<double>>(view.Schema[0]);
        VBuffer<double> vector = default;
        int r = 0;
        while (cursor.MoveNext())
        {
            getter(ref vector);
            Assert.Equal(data.AsSpan(r * Width, Width).ToArray(), vector.DenseValues().ToArray());
            r++;
        }

        Assert.Equal(Rows, r);
        Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<VBuffer<float>>(view.Schema[0]));
    }

    [Fact]
    public void ShuffledCursor_APermutationOfTheRows_ReproducibleForASeedDifferentForAnother()
    {
        float[] data = FeatureData();
        float[] labels = LabelData();
        var view = View();

        var first = ReadAll(view, new Random(5));
        var again = ReadAll(view, new Random(5));
        var other = ReadAll(view, new Random(6));

        // Every row exactly once, each with its own values and label (the id says which row it is).
        Assert.Equal(Enumerable.Range(0, Rows).Select(i => (long)i), first.Select(r => r.Id).Order());
        foreach (var (id, _, features, label) in first)
        {
            Assert.Equal(data.AsSpan((int)id * Width, Width).ToArray(), features);
            Assert.Equal(labels[id], label);
        }

        Assert.Equal(Enumerable.Range(0, Rows).Select(i => (long)i), first.Select(r => r.Position));
        Assert.Equal(first.Select(r => r.Id), again.Select(r => r.Id));
        Assert.NotEqual(first.Select(r => r.Id), other.Select(r => r.Id));
        Assert.NotEqual(Enumerable.Range(0, Rows).Select(i => (long)i), first.Select(r => r.Id));
        Assert.Equal(Enumerable.Range(0, Rows).Select(i => (long)i), other.Select(r => r.Id).Order());
    }

    [Fact]
    public void ShuffledCursor_TheBatchesShuffleSeededByRandNext()
    {
        // The view adds no shuffle of its own: its order is Batches' order for the seed rand.Next() draws.
        var features = ChunkedArray.FromArray(FeatureData(), Grid);
        var view = features.AsDataView(new ChunkedDataViewOptions { BatchRows = 4 });
        int seed = new Random(9).Next();
        var expected = new List<long>();
        foreach (var batch in features.Batches(4, new BatchOptions { Shuffle = seed }).ToEnumerable())
        {
            using (batch)
            {
                expected.AddRange(batch.RowIndices.ToArray());
            }
        }

        var ids = new List<long>();
        using var cursor = view.GetRowCursor([], new Random(9));
        var id = cursor.GetIdGetter();
        DataViewRowId rowId = default;
        while (cursor.MoveNext())
        {
            id(ref rowId);
            ids.Add((long)rowId.Low);
        }

        Assert.Equal(expected, ids);
    }

    [Fact]
    public void Cursor_InactiveColumnAndBeforeFirstRow_Refused()
    {
        var view = View();
        using var cursor = view.GetRowCursor([view.Schema["Label"]]);
        Assert.False(cursor.IsColumnActive(view.Schema["Features"]));
        Assert.True(cursor.IsColumnActive(view.Schema["Label"]));
        var e = Assert.Throws<InvalidOperationException>(() => cursor.GetGetter<VBuffer<float>>(view.Schema["Features"]));
        Assert.Contains("Features", e.Message, StringComparison.Ordinal);
        var label = cursor.GetGetter<float>(view.Schema["Label"]);
        float y = 0;
        Assert.Throws<InvalidOperationException>(() => label(ref y));
        Assert.True(cursor.MoveNext());
        label(ref y);
        Assert.Equal(LabelData()[0], y);
    }

    [Fact]
    public void GetRowCursor_AColumnOfAnotherSchema_Refused()
    {
        var view = View();
        var other = ChunkedArray.FromArray(new double[Rows * 2], [Rows, 2], [8, 2]).AsDataView();
        var e = Assert.Throws<ArgumentException>(() => view.GetRowCursor([other.Schema["Features"]]));
        Assert.Contains("not a column of this view", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CursorSet_OneCursorOverAllRows()
    {
        var view = View();
        var cursors = view.GetRowCursorSet(view.Schema, 4);
        var cursor = Assert.Single(cursors);
        using (cursor)
        {
            long n = 0;
            while (cursor.MoveNext())
            {
                n++;
            }

            Assert.Equal(Rows, n);
        }
    }

    [Fact]
    public void DisposedEarly_ReleasesItsBuffers()
    {
        var shared = new Scheduler.MemoryAccountant(16L << 20);
        var view = View(new ChunkedDataViewOptions { BatchRows = 4, SharedMemory = shared });
        var cursor = view.GetRowCursor(view.Schema);
        Assert.True(cursor.MoveNext());
        Assert.True(cursor.MoveNext());
        Assert.True(shared.InUse > 0, "the open cursor holds its lease");
        cursor.Dispose();
        Assert.Equal(0, shared.InUse);
    }

    [Fact]
    public void BadInput_ClearErrorsNamingTheArraysAndLengths()
    {
        var oneD = ChunkedArray.FromArray(new float[10], [10], [4]);
        var e = Assert.Throws<ArgumentException>(() => oneD.AsDataView());
        Assert.Equal("features", e.ParamName);
        Assert.Contains("2-D", e.Message, StringComparison.Ordinal);
        Assert.Contains("1 dimensions", e.Message, StringComparison.Ordinal);
        Assert.Contains("shape [10]", e.Message, StringComparison.Ordinal);

        var x = ChunkedArray.FromArray(new float[20], [10, 2], [4, 2]);
        var shortLabels = ChunkedArray.FromArray(new float[9], [9], [4]);
        e = Assert.Throws<ArgumentException>(() => x.AsDataView(shortLabels));
        Assert.Equal("labels", e.ParamName);
        Assert.Contains("10 rows", e.Message, StringComparison.Ordinal);
        Assert.Contains("the labels 9", e.Message, StringComparison.Ordinal);

        var twoDLabels = ChunkedArray.FromArray(new float[10], [10, 1], [4, 1]);
        e = Assert.Throws<ArgumentException>(() => x.AsDataView(twoDLabels));
        Assert.Contains("1-D", e.Message, StringComparison.Ordinal);

        var ints = ChunkedArray.FromArray(new int[20], [10, 2], [4, 2]);
        var n = Assert.Throws<NotSupportedException>(() => ints.AsDataView());
        Assert.Contains("Int32", n.Message, StringComparison.Ordinal);

        e = Assert.Throws<ArgumentException>(() => x.AsDataView(new ChunkedDataViewOptions { MemoryBudget = 100 }));
        Assert.Contains("MemoryBudget", e.Message, StringComparison.Ordinal);
    }
}
