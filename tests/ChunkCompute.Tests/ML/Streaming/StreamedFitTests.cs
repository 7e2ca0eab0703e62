using System.Text;
using System.Text.Json.Nodes;
using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.ML;
using ChunkCompute.ML.LinearAlgebra;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Codecs;
using ChunkCompute.Storage.Stores;

namespace ChunkCompute.Tests.ML.Streaming;

/// <summary>
/// Scaler fits and cross moments over a stored Blosc-LZ4 array are one tree reduction whose partials take each chunk as
/// a stream of decoded pieces (no read task, no decoded chunk): the plan shows it, and the results equal the same fit
/// over the data in memory (bit for bit for the scalers, whose per-column arithmetic is in row order either way) and a
/// naive reference.
/// </summary>
public sealed class StreamedFitTests
{
    // [1000, 7] float64 in [256, 7] chunks (a short last chunk, streamed as a prefix); Blosc blocks of 3000 bytes end
    // inside rows, so row blocks are gathered across pieces. A few NaNs (ignored by the fits).
    private const int Rows = 1000, Cols = 7;

    [Fact]
    public void ScalerFits_OverBlosc_AreStreamed_AndEqualTheInMemoryFit()
    {
        var values = Values();
        using var store = BloscStore(values, [256, Cols], blockSize: 3000);
        var stored = store.Open<double>("x");
        var memory = ChunkedArray.FromArray(values, [Rows, Cols], [256, Cols]);

        var graph = TaskGraph.Build([ColumnReducer.Tree(stored, new MomentsReducer()).Root]);
        Assert.DoesNotContain(graph.Tasks, t => t.Node is ZarrSourceNode);
        Assert.Equal(4, graph.Tasks.Count(t => t.Streamed.Count == 1));

        var a = new StandardScaler().Fit(stored);
        var b = new StandardScaler().Fit(memory);
        Assert.Equal(b.Mean, a.Mean);
        Assert.Equal(b.Variance, a.Variance);
        for (int c = 0; c < Cols; c++)
        {
            var column = Column(values, c).Where(v => !double.IsNaN(v)).ToArray();
            double mean = column.Average();
            Assert.Equal(mean, a.Mean[c], 1e-12 * (1 + Math.Abs(mean)));
            Assert.Equal(column.Sum(v => (v - mean) * (v - mean)) / column.Length, a.Variance[c], 1e-9);
            Assert.Equal(column.Length, a.SamplesSeen[c]);
        }

        var minMax = new MinMaxScaler().Fit(stored);
        Assert.Equal(Enumerable.Range(0, Cols).Select(c => Column(values, c).Where(v => !double.IsNaN(v)).Min()), minMax.DataMin);
        Assert.Equal(Enumerable.Range(0, Cols).Select(c => Column(values, c).Where(v => !double.IsNaN(v)).Max()), minMax.DataMax);

        var robust = new RobustScaler().Fit(stored);
        var robustMemory = new RobustScaler().Fit(memory);
        Assert.Equal(robustMemory.Center, robust.Center);
        Assert.Equal(robustMemory.Scale, robust.Scale);
    }

    [Fact]
    public void ScalerFit_ColumnsSplitAcrossChunks_StreamsWholeWidthChunks()
    {
        // [256, 4] chunks: the chunks of columns 4..6 are cut along the last axis, so they are read whole (one piece).
        var values = Values();
        using var store = BloscStore(values, [256, 4], blockSize: 2000);
        var stored = store.Open<double>("x");
        var a = new StandardScaler().Fit(stored);
        var b = new StandardScaler().Fit(ChunkedArray.FromArray(values, [Rows, Cols], [256, 4]));
        Assert.Equal(b.Mean, a.Mean);
        Assert.Equal(b.Variance, a.Variance);
        Assert.DoesNotContain(TaskGraph.Build([ColumnReducer.Tree(stored, new MomentsReducer()).Root]).Tasks, t => t.Node is ZarrSourceNode);
    }

    [Fact]
    public void Covariance_OverBlosc_IsStreamed_AndMatchesTheCentredProduct()
    {
        var values = Values(withNaN: false);
        using var store = BloscStore(values, [256, Cols], blockSize: 3000);
        var x = store.Open<double>("x");
        var cov = x.Covariance();
        Assert.Contains("streamed", cov.Explain(), StringComparison.Ordinal);
        Assert.DoesNotContain(TaskGraph.Build([cov.Node]).Tasks, t => t.Node is ZarrSourceNode);

        var means = Enumerable.Range(0, Cols).Select(c => Column(values, c).Average()).ToArray();
        var actual = cov.Compute().ToArray();
        var corr = x.Correlation().Compute().ToArray();
        for (int p = 0; p < Cols; p++)
        {
            for (int q = 0; q < Cols; q++)
            {
                double m = Enumerable.Range(0, Rows).Sum(r => (values[(r * Cols) + p] - means[p]) * (values[(r * Cols) + q] - means[q]));
                double expected = m / (Rows - 1);
                Assert.True(Math.Abs(expected - actual[(p * Cols) + q]) <= 1e-10 * (1 + Math.Abs(expected)), $"cov[{p},{q}] = {actual[(p * Cols) + q]}, expected {expected}");
                double sp = Enumerable.Range(0, Rows).Sum(r => Math.Pow(values[(r * Cols) + p] - means[p], 2));
                double sq = Enumerable.Range(0, Rows).Sum(r => Math.Pow(values[(r * Cols) + q] - means[q], 2));
                Assert.Equal(m / Math.Sqrt(sp * sq), corr[(p * Cols) + q], 1e-12);
            }
        }

        // Columns split across chunks: the off-diagonal partials read two chunks (not streamed), the diagonal ones stream.
        using var split = BloscStore(values, [256, 4], blockSize: 3000);
        var splitCov = split.Open<double>("x").Covariance().Compute().ToArray();
        for (int i = 0; i < actual.Length; i++)
        {
            Assert.Equal(actual[i], splitCov[i], 1e-10 * (1 + Math.Abs(actual[i])));
        }
    }

    private static double[] Values(bool withNaN = true)
    {
        var rng = new Random(42);
        var values = Enumerable.Range(0, Rows * Cols).Select(i => Math.Round(((rng.NextDouble() - 0.4) * 100) + ((i % Cols) * 1000), 4)).ToArray();
        if (withNaN)
        {
            values[(3 * Cols) + 1] = double.NaN;
            values[(700 * Cols) + 5] = double.NaN;
        }

        return values;
    }

    private static IEnumerable<double> Column(double[] values, int c) => Enumerable.Range(0, Rows).Select(r => values[(r * Cols) + c]);

    // A store whose array "x" is Blosc-LZ4 (shuffle) with a forced block size, patched into .zarray before writing.
    internal static ZarrStore BloscStore(double[] values, int[] chunks, int blockSize)
    {
        var memory = new MemoryStore();
        using (var setup = new ZarrStore(memory))
        {
            setup.CreateGroup(string.Empty);
            setup.CreateArray("x", DataType.Float64, [Rows, Cols], chunks, new ArrayOptions { Format = ZarrFormat.V2, Compression = Compression.Blosc("lz4", 5, BloscShuffle.Shuffle) });
        }

        var meta = JsonNode.Parse(memory.Get("x/.zarray")!)!.AsObject();
        meta["compressor"]!["blocksize"] = blockSize;
        memory.Set("x/.zarray", Encoding.UTF8.GetBytes(meta.ToJsonString()));
        var store = new ZarrStore(memory);
        store.OpenArray("x").WriteBytes(new ArraySubset([0, 0], [Rows, Cols]), System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
        return store;
    }
}
