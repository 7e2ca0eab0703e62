using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.ML;

namespace ChunkCompute.Tests.ML.Batching;

using Batching = ChunkCompute.ML.Batching;

/// <summary>Reproducible row splits and batching of one side.</summary>
public sealed class TrainTestSplitTests
{
    [Theory]
    [InlineData(1000, 0.25, 250)]
    [InlineData(1001, 0.25, 251)] // ceil, as scikit-learn
    [InlineData(7, 0.5, 4)]
    [InlineData(100_003, 0.1, 10_001)]
    public void Split_SizesAsScikitLearn_Disjoint_Covering(long n, double fraction, long expectedTest)
    {
        var split = Batching.TrainTestSplit(n, fraction, 42);
        Assert.Equal(expectedTest, split.Test.Count);
        Assert.Equal(n - expectedTest, split.Train.Count);
        var test = split.Test.Indices().ToList();
        var train = split.Train.Indices().ToList();
        Assert.Equal(expectedTest, test.Count);
        Assert.Equal(n - expectedTest, train.Count);
        Assert.Equal(Enumerable.Range(0, (int)n).Select(i => (long)i), test.Concat(train).Order());
    }

    [Fact]
    public void Split_SameSeedSameRows_OtherSeedOtherRows_NotAPrefix()
    {
        var a = Batching.TrainTestSplit(5000, 0.2, 1).Test.Indices().ToList();
        var b = Batching.TrainTestSplit(5000, 0.2, 1).Test.Indices().ToList();
        var c = Batching.TrainTestSplit(5000, 0.2, 2).Test.Indices().ToList();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        // Spread over the rows, not a block: both halves hold test rows in rough proportion.
        int firstHalf = a.Count(r => r < 2500);
        Assert.InRange(firstHalf, 400, 600);
    }

    [Fact]
    public void Batches_OfTrainAndTest_CoverTheirRowsOnly_Aligned()
    {
        const int N = 900;
        var x = ChunkedArray.FromArray(Enumerable.Range(0, N * 2).Select(i => (double)(i / 2)).ToArray(), [N, 2], [64, 2]);
        var y = ChunkedArray.FromArray(Enumerable.Range(0, N).ToArray(), 100);
        var zip = Batching.Zip(x, y);
        var split = zip.TrainTestSplit(0.2, 9);
        var testRows = new List<long>();
        foreach (var pair in zip.Batches(50, new BatchOptions { Rows = split.Test, Shuffle = 3 }).ToEnumerable())
        {
            using (pair)
            {
                for (int i = 0; i < pair.Rows; i++)
                {
                    Assert.Equal(pair.Second.Span[i], pair.First.Span[i * 2]);
                    Assert.Equal(pair.RowIndices[i], pair.Second.Span[i]);
                    testRows.Add(pair.RowIndices[i]);
                }
            }
        }

        Assert.Equal(split.Test.Indices(), testRows.Order());
        var trainStream = zip.Batches(50, new BatchOptions { Rows = split.Train });
        Assert.Equal(720, trainStream.RowCount);
        var trainRows = trainStream.ToEnumerable().SelectMany(p =>
        {
            using (p)
            {
                return p.RowIndices.ToArray();
            }
        }).ToList();
        Assert.Equal(split.Train.Indices(), trainRows); // in order without a seed
    }
}
