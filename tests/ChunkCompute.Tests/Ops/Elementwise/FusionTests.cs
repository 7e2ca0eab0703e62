using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;

namespace ChunkCompute.Tests.Ops.Elementwise;

/// <summary>Chains of elementwise operations become one node (one task per chunk) and compute what the unfused steps do.</summary>
public sealed class FusionTests
{
    [Fact]
    public void Chain_OfFiveOperations_IsOneFusedNode()
    {
        //   x ──► add 1 ──► multiply x ──► subtract 2 ──► exp ──► abs      (one node, one leaf: x)
        var x = ChunkedArray.Random.Normal<double>([100, 30], [16, 7], seed: 3);
        var y = (((x + 1.0) * x) - 2.0).Exp().Abs();

        var node = Assert.IsType<FusedElementwiseNode>(y.Node);
        Assert.Equal("fused(add,multiply,subtract,exp,abs)", node.Label);
        Assert.True(node.IsFused);
        Assert.Same(x.Node, Assert.Single(node.Inputs));

        string plan = y.Explain();
        Assert.Contains("fused(add,multiply,subtract,exp,abs)", plan);
        Assert.DoesNotContain("  add ", plan);
        Assert.Equal(2 * x.Chunks.ChunkCount, y.Compute().Statistics.Tasks);
    }

    [Fact]
    public void Chain_OfFiveOperations_EqualsUnfusedSteps()
    {
        var data = ElementwiseTestData.RandomValues<double>(100 * 30, new Random(11));
        var grid = ChunkGrid.FromSizes([[40, 1, 59], [7, 23]]);
        var x = ChunkedArray.FromArray(data, grid);
        var fused = (((x + 1.0) * x) - 2.0).Exp().Abs().Compute().ToArray();

        // Unfused: every step is computed into memory and read back as a fresh source.
        ChunkedArray<double> Step(ChunkedArray<double> a) => ChunkedArray.FromArray(a.Compute().ToArray(), grid);
        var s1 = Step(x + 1.0);
        var s2 = Step(s1 * x);
        var s3 = Step(s2 - 2.0);
        var s4 = Step(s3.Exp());
        var unfused = s4.Abs().Compute().ToArray();

        // Bitwise equal but for exp's last bit: a one-ulp difference in exp was seen once in ~20 runs (not reproduced on
        // demand; the likely cause is TensorPrimitives.Exp running as precompiled AVX2 code in one pass and as tier-1
        // AVX-512 code in the other). Fusion itself must change nothing, so the steps before exp are compared exactly.
        Assert.Equal(s3.Compute().ToArray(), ((x + 1.0) * x - 2.0).Compute().ToArray());
        Assert.Equal(unfused.Length, fused.Length);
        for (int i = 0; i < fused.Length; i++)
        {
            long ulps = Math.Abs(BitConverter.DoubleToInt64Bits(unfused[i]) - BitConverter.DoubleToInt64Bits(fused[i]));
            Assert.True(unfused[i].Equals(fused[i]) || ulps <= 1, $"element {i}: fused {fused[i]:R}, unfused {unfused[i]:R}");
        }
    }

    [Fact]
    public void Chain_SpanningManyTiles_EqualsElementByElement()
    {
        // One 3×5000 chunk holds several 2048-element tiles, the last partial.
        var data = Enumerable.Range(0, 15000).Select(i => (float)(i % 97) - 48f).ToArray();
        var x = ChunkedArray.FromArray(data, [3, 5000], [3, 5000]);
        var y = ElementwiseOperators.Where(x > 0f, x * 2f, -x).Clip(0f, 60f).Sqrt();
        var expected = data.Select(v => MathF.Sqrt(Math.Clamp(v > 0 ? v * 2 : -v, 0f, 60f))).ToArray();
        Assert.Equal(expected, y.Compute().ToArray());
        Assert.Equal("fused(greater,multiply,negative,where,clip,sqrt)", y.Node.Label);
    }

    [Fact]
    public void BroadcastOperand_OfSmallerShape_StaysItsOwnTask()
    {
        var row = ChunkedArray.FromArray([1.0, 2.0, 3.0], [1, 3], [1, 3]);
        var matrix = ChunkedArray.Ones<double>([4, 3], [2, 3]);
        var y = matrix + row.Exp();
        var node = Assert.IsType<FusedElementwiseNode>(y.Node);
        Assert.Equal("add", node.Label);
        Assert.Equal(2, node.Inputs.Count);
        var result = y.Compute().ToArray();
        var expected = Enumerable.Range(0, 12).Select(i => 1 + Math.Exp(1 + (i % 3))).ToArray();
        Assert.All(Enumerable.Range(0, 12), i => Assert.Equal(expected[i], result[i], 1e-12));
    }

    [Fact]
    public void SharedSubexpression_ReadsItsLeafOnce()
    {
        var x = ChunkedArray.Arange<double>(0, 10, 1, 4);
        var t = x * 2.0;
        var y = (t + t) - x;
        var node = Assert.IsType<FusedElementwiseNode>(y.Node);
        Assert.Single(node.Inputs);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => 3.0 * i), y.Compute().ToArray());
    }
}
