using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Xunit;

namespace ChunkCompute.MLNet.Tests;

/// <summary>Trainers fitted through a <see cref="ChunkedDataView"/>, and the memory its cursors hold.</summary>
public sealed class TrainingTests
{
    private sealed class Row
    {
        [VectorType(Width)]
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    private const int Rows = 3000;
    private const int Width = 5;

    private static (float[] X, float[] Y) Data()
    {
        var random = new Random(42);
        float[] x = new float[Rows * Width];
        float[] y = new float[Rows];
        for (int r = 0; r < Rows; r++)
        {
            double sum = 1.5;
            for (int j = 0; j < Width; j++)
            {
                float v = (float)((random.NextDouble() * 4) - 2);
                x[(r * Width) + j] = v;
                sum += (j - 2) * v;
            }

            y[r] = (float)(sum + (0.1 * (random.NextDouble() - 0.5)));
        }

        return (x, y);
    }

    private static SdcaRegressionTrainer.Options SdcaOptions() => new()
    {
        NumberOfThreads = 1,
        Shuffle = false, // the in-memory view and the chunked one would shuffle differently; in order both see the same rows
        MaximumNumberOfIterations = 20,
    };

    [Fact]
    public void Sdca_ThroughTheChunkedView_EqualsSdcaOnTheSameDataInMemory()
    {
        var (x, y) = Data();
        var chunked = ChunkedArray.FromArray(x, ChunkGrid.FromSizes([[700, 1, 999, 1300], [2, 3]]))
            .AsDataView(ChunkedArray.FromArray(y, [Rows], [256]), new ChunkedDataViewOptions { BatchRows = 97 });
        var rows = Enumerable.Range(0, Rows).Select(r => new Row { Features = x.AsSpan(r * Width, Width).ToArray(), Label = y[r] }).ToList();

        var ml = new MLContext(seed: 7);
        var inMemory = ml.Data.LoadFromEnumerable(rows);
        var fromMemory = ml.Regression.Trainers.Sdca(SdcaOptions()).Fit(inMemory).Model;
        var fromChunks = new MLContext(seed: 7).Regression.Trainers.Sdca(SdcaOptions()).Fit(chunked).Model;

        // The same rows in the same order, one thread, the same seed: the same arithmetic, so bit-identical weights.
        Assert.Equal(fromMemory.Bias, fromChunks.Bias);
        Assert.Equal(fromMemory.Weights.ToArray(), fromChunks.Weights.ToArray());

        // And the fit is the generating model (independent of either path): weights j - 2, bias 1.5.
        Assert.Equal(1.5, fromChunks.Bias, 0.02);
        for (int j = 0; j < Width; j++)
        {
            Assert.Equal(j - 2, fromChunks.Weights[j], 0.02);
        }

        var metrics = ml.Regression.Evaluate(ml.Regression.Trainers.Sdca(SdcaOptions()).Fit(chunked).Transform(chunked));
        var memoryMetrics = ml.Regression.Evaluate(ml.Regression.Trainers.Sdca(SdcaOptions()).Fit(inMemory).Transform(inMemory));
        Assert.Equal(memoryMetrics.RootMeanSquaredError, metrics.RootMeanSquaredError, 1e-12);
        Assert.True(metrics.RSquared > 0.999, $"R^2 {metrics.RSquared}");
    }

    [Fact]
    public void BoolLabels_BooleanColumn_BinaryClassifierLearnsTheSeparatingPlane()
    {
        // Label: x0 + x1 > 0 (a plane through the origin): rows read back carry it, and a logistic SDCA finds it.
        var (x, _) = Data();
        bool[] labels = Enumerable.Range(0, Rows).Select(r => x[r * Width] + x[(r * Width) + 1] > 0).ToArray();
        var view = ChunkedArray.FromArray(x, [Rows, Width], [333, Width]).AsDataView(ChunkedArray.FromArray(labels, [Rows], [1000]));
        Assert.Equal(BooleanDataViewType.Instance, view.Schema["Label"].Type);

        using (var cursor = view.GetRowCursor([view.Schema["Label"]]))
        {
            var getter = cursor.GetGetter<bool>(view.Schema["Label"]);
            bool value = false;
            int r = 0;
            while (cursor.MoveNext())
            {
                getter(ref value);
                Assert.Equal(labels[r++], value);
            }

            Assert.Equal(Rows, r);
        }

        var ml = new MLContext(seed: 3);
        var model = ml.BinaryClassification.Trainers.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options { NumberOfThreads = 1 }).Fit(view);
        var metrics = ml.BinaryClassification.Evaluate(model.Transform(view));
        Assert.True(metrics.Accuracy > 0.97, $"accuracy {metrics.Accuracy}");
        var w = model.Model.SubModel.Weights;
        Assert.True(w[0] > 0 && w[1] > 0 && Math.Abs(w[0] - w[1]) < 0.2 * w[0], $"weights {string.Join(", ", w)}");
    }

    [Fact]
    public void Cursor_ArrayManyTimesTheBudget_SharedAccountantNeverOverItsBudget()
    {
        const long Budget = 8L << 20;
        const long N = 400_000;
        const int C = 32;
        var x = ChunkedArray.Random.Normal<double>([N, C], [2000, C], seed: 3);
        long arrayBytes = N * C * sizeof(double);
        Assert.True(arrayBytes >= 10 * Budget, "the array is many times the budget");

        var shared = new MemoryAccountant(Budget);
        var view = x.AsDataView(new ChunkedDataViewOptions { SharedMemory = shared, BatchRows = 512 });
        var seen = new bool[N];
        long count = 0;
        double sum = 0;
        using (var cursor = view.GetRowCursor(view.Schema, new Random(1)))
        {
            var getter = cursor.GetGetter<VBuffer<double>>(view.Schema[0]);
            var id = cursor.GetIdGetter();
            VBuffer<double> v = default;
            DataViewRowId rowId = default;
            while (cursor.MoveNext())
            {
                getter(ref v);
                id(ref rowId);
                Assert.False(seen[rowId.Low], $"row {rowId.Low} twice");
                seen[rowId.Low] = true;
                count++;
                foreach (double e in v.DenseValues())
                {
                    sum += e;
                }
            }
        }

        Assert.Equal(N, count);
        Assert.True(shared.Peak > 0, "the cursor's buffers are accounted");
        Assert.True(shared.Peak <= shared.Budget, $"peak {shared.Peak} > budget {shared.Budget}");
        Assert.True(view.PeakBufferBytes <= view.BufferBoundBytes, $"peak {view.PeakBufferBytes} > bound {view.BufferBoundBytes}");
        Assert.True(view.PeakBufferBytes * 10 < arrayBytes);
        Assert.Equal(0, shared.InUse);

        // The values are the array's: their sum is the engine's (12.8 M standard normals sum to about ±3.6 k).
        double expected = x.Sum().Compute().ToArray()[0];
        Assert.Equal(expected, sum, Math.Abs(expected) * 1e-9 + 1e-6);
    }
}
