using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.ML.LinearAlgebra;
using ChunkCompute.Scheduler;
using static ChunkCompute.Tests.ML.LinearAlgebra.LinalgTestData;

namespace ChunkCompute.Tests.ML.LinearAlgebra;

/// <summary>MatMul / Dot against NumPy fixtures and MathNet, on irregular grids, several fan-ins and tight budgets.</summary>
public sealed class MatMulTests
{
    public static TheoryData<string, int> Cases() => new()
    {
        { "f64", 2 }, { "f64", 3 }, { "f64", 4 }, { "f32", 2 }, { "f32", 4 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatMul_IrregularChunks_MatchesNumPy(string type, int splitEvery)
    {
        if (type == "f64")
        {
            Check<double>(type, splitEvery, 1e-12);
        }
        else
        {
            Check<float>(type, splitEvery, 1e-5);
        }
    }

    private static void Check<T>(string type, int splitEvery, double rtol)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var a = Load<T>("a_" + type, out var aShape);
        var b = Load<T>("b_" + type, out var bShape);
        var v = Load<T>("v_" + type, out var vShape);
        var u = Load<T>("u_" + type, out var uShape);
        // irregular: a's columns (5, 7, 3, ...) and b's rows (5, 7, 3, ...) align; rows and b's columns differ
        var ca = Chunked(a, aShape, [10, 4, 13], [5, 7, 3]);
        var cb = Chunked(b, bShape, [5, 7, 3], [6, 1, 8]);
        var cv = ChunkedArray.FromArray(v, ChunkGrid.FromSizes([Split(vShape[0], 5, 7, 3)]));
        var cu = ChunkedArray.FromArray(u, ChunkGrid.FromSizes([Split(uShape[0], 9, 2)]));

        var ab = ca.MatMul(cb, splitEvery).Compute();
        Assert.Equal([aShape[0], bShape[1]], ab.Shape);
        Close(LoadAsDouble("ab_" + type, type), ab.ToArray(), rtol, rtol, $"{type} a@b split {splitEvery}");

        var av = ca.Dot(cv, splitEvery).Compute();
        Assert.Equal([aShape[0]], av.Shape);
        Close(LoadAsDouble("av_" + type, type), av.ToArray(), rtol, rtol, $"{type} a@v");

        var ua = cu.MatMul(ca, splitEvery).Compute();
        Assert.Equal([aShape[1]], ua.Shape);
        Close(LoadAsDouble("ua_" + type, type), ua.ToArray(), rtol, rtol, $"{type} u@a");

        var vv = cv.Dot(cv, splitEvery).Compute();
        Assert.Empty(vv.Shape);
        Close(LoadAsDouble("vv_" + type, type), vv.ToArray(), rtol, rtol, $"{type} v@v");
    }

    private static double[] LoadAsDouble(string name, string type) =>
        type == "f64" ? LoadDouble(name, out _) : [.. Load<float>(name, out _).Select(f => (double)f)];

    [Fact]
    public void MatMul_InnerChunksDiffer_RechunksRightOperand()
    {
        var a = Load<double>("a_f64", out var aShape);
        var b = Load<double>("b_f64", out var bShape);
        var ca = Chunked(a, aShape, [37], [4, 9]);
        var cb = Chunked(b, bShape, [10, 3], [19]);
        var ab = ca.MatMul(cb).Compute();
        Close(LoadDouble("ab_f64", out _), ab.ToArray(), 1e-12, 1e-12, "rechunked inner");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void MatMul_RandomShapes_MatchesMathNet(int seed)
    {
        var rng = new Random(seed);
        int m = 1 + rng.Next(40), k = 1 + rng.Next(40), n = 1 + rng.Next(40);
        var a = Enumerable.Range(0, m * k).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var b = Enumerable.Range(0, k * n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        int[] kPattern = [1 + rng.Next(k), 1 + rng.Next(k)];
        var ca = Chunked(a, [m, k], [1 + rng.Next(m), 1 + rng.Next(m)], kPattern);
        var cb = Chunked(b, [k, n], kPattern, [1 + rng.Next(n), 1 + rng.Next(n)]);
        var expected = ToMatrix(a, m, k) * ToMatrix(b, k, n);
        var actual = ca.MatMul(cb, 2 + rng.Next(3)).Compute();
        Close(expected, ToMatrix(actual.ToArray(), m, n), 1e-12, $"seed {seed}: [{m}, {k}] @ [{k}, {n}]");
    }

    [Fact]
    public void MatMul_TightBudget_ManyPartialsStayWithinBudget()
    {
        // 64 inner chunks: a tree of 64 partial products per output block; the budget holds a few blocks only.
        var rng = new Random(7);
        int m = 64, k = 1024, n = 48;
        var a = Enumerable.Range(0, m * k).Select(_ => rng.NextDouble()).ToArray();
        var b = Enumerable.Range(0, k * n).Select(_ => rng.NextDouble()).ToArray();
        var ca = Chunked(a, [m, k], [32], [16]);
        var cb = Chunked(b, [k, n], [16], [24]);
        long budget = 512 << 10; // a is 512 KiB and b 384 KiB
        var product = ca.MatMul(cb, 3);
        var result = product.Compute(new ComputeOptions { MemoryBudget = budget });
        Assert.True(result.Statistics.Tasks > 2 * 64 * 4, $"expected many partial tasks, got {result.Statistics.Tasks}");
        Assert.InRange(result.Statistics.PeakMemoryBytes, 1, budget);
        Close(ToMatrix(a, m, k) * ToMatrix(b, k, n), ToMatrix(result.ToArray(), m, n), 1e-12, "tight budget");

        Assert.Throws<MemoryPlanRefusedException>(() => product.Compute(new ComputeOptions { MemoryBudget = 8 << 10 }));
    }

    [Fact]
    public void MatMul_MismatchedInnerDimension_NamesBothShapes()
    {
        var a = ChunkedArray.Zeros<double>([3, 4], [2, 2]);
        var b = ChunkedArray.Zeros<double>([5, 2], [2, 2]);
        var e = Assert.Throws<ArgumentException>(() => a.MatMul(b));
        Assert.Contains("[3, 4]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[5, 2]", e.Message, StringComparison.Ordinal);
        Assert.Contains("not aligned", e.Message, StringComparison.Ordinal);
        var e2 = Assert.Throws<ArgumentException>(() => a.Dot(ChunkedArray.Zeros<double>([3], [3])));
        Assert.Contains("[3]", e2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MatMul_ThreeDimensional_IsRejected()
    {
        var a = ChunkedArray.Zeros<double>([2, 3, 4], [2, 3, 4]);
        var b = ChunkedArray.Zeros<double>([4, 2], [4, 2]);
        var e = Assert.Throws<ArgumentException>(() => a.MatMul(b));
        Assert.Contains("[2, 3, 4]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MatMul_HalfPrecision_IsRejected()
    {
        var a = ChunkedArray.Zeros<Half>([2, 2], [2, 2]);
        var e = Assert.Throws<ArgumentException>(() => a.MatMul(a));
        Assert.Contains("float64 and float32", e.Message, StringComparison.Ordinal);
    }
}
