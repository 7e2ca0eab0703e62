using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;

namespace ChunkCompute.Tests.Ops.Elementwise;

/// <summary>
/// Results against NumPy's (fixtures from gen_elementwise_fixtures.py), on irregular grids. Exact, bit for bit (any
/// NaN equals any NaN), except float32 exp/log/tanh and float64 sin: TensorPrimitives and NumPy's SIMD kernels
/// may differ in the last few ulp, so these allow a relative error of 4·2⁻²³ ≈ 4.8e-7 (float32) and 1e-15 (float64).
/// </summary>
public sealed class ElementwiseFixtureTests
{
    private const double Float32Tolerance = 4.0 / (1 << 23);

    [Theory]
    [InlineData("broadcast_add_f8")]
    [InlineData("broadcast_mul_f8")]
    [InlineData("divide_f8")]
    [InlineData("remainder_f8")]
    public void BinaryFloat64_MatchesNumPy(string fixture)
    {
        var a = ElementwiseFixtures.Input<double>(fixture, "a");
        var b = ElementwiseFixtures.Input<double>(fixture, "b");
        var result = fixture switch
        {
            "broadcast_add_f8" => a + b,
            "broadcast_mul_f8" => a * b,
            "divide_f8" => a / b,
            _ => a % b,
        };
        AssertExact(ElementwiseFixtures.Expected<double>(fixture, out var shape), shape, result);
    }

    [Theory]
    [InlineData("broadcast_sub_i4")]
    [InlineData("mul_wrap_i4")]
    [InlineData("add_wrap_i4")]
    [InlineData("floordiv_i4")]
    [InlineData("remainder_i4")]
    public void BinaryInt32_MatchesNumPy(string fixture)
    {
        var a = ElementwiseFixtures.Input<int>(fixture, "a");
        var b = ElementwiseFixtures.Input<int>(fixture, "b");
        var result = fixture switch
        {
            "broadcast_sub_i4" => a - b,
            "mul_wrap_i4" => a * b,
            "add_wrap_i4" => a + b,
            "floordiv_i4" => a / b,
            _ => a % b,
        };
        AssertExact(ElementwiseFixtures.Expected<int>(fixture, out var shape), shape, result);
    }

    [Fact]
    public void Divide_Int64ByZeroAndMinusOne_MatchesNumPyFloorDivide()
    {
        var result = ElementwiseFixtures.Input<long>("floordiv_i8", "a") / ElementwiseFixtures.Input<long>("floordiv_i8", "b");
        AssertExact(ElementwiseFixtures.Expected<long>("floordiv_i8", out var shape), shape, result);
    }

    [Fact]
    public void UnaryInt32_WrapsLikeNumPy()
    {
        var x = ElementwiseFixtures.Input<int>("neg_wrap_i4", "a");
        AssertExact(ElementwiseFixtures.Expected<int>("neg_wrap_i4", out var shape), shape, -x);
        AssertExact(ElementwiseFixtures.Expected<int>("abs_wrap_i4", out shape), shape, ElementwiseFixtures.Input<int>("abs_wrap_i4", "a").Abs());
    }

    [Fact]
    public void Round_HalvesToEven_MatchesNumPy()
    {
        AssertExact(ElementwiseFixtures.Expected<double>("round_f8", out var shape), shape, ElementwiseFixtures.Input<double>("round_f8", "a").Round());
        AssertExact(ElementwiseFixtures.Expected<float>("round_f4", out shape), shape, ElementwiseFixtures.Input<float>("round_f4", "a").Round());
    }

    [Fact]
    public void AsType_EdgeCases_MatchNumPy()
    {
        AssertExact(ElementwiseFixtures.Expected<int>("astype_f8_i4", out var s), s, ElementwiseFixtures.Input<double>("astype_f8_i4", "a").AsType<int>());
        AssertExact(ElementwiseFixtures.Expected<long>("astype_f8_i8", out s), s, ElementwiseFixtures.Input<double>("astype_f8_i8", "a").AsType<long>());
        AssertExact(ElementwiseFixtures.Expected<int>("astype_i8_i4", out s), s, ElementwiseFixtures.Input<long>("astype_i8_i4", "a").AsType<int>());
        AssertExact(ElementwiseFixtures.Expected<double>("astype_i8_f8", out s), s, ElementwiseFixtures.Input<long>("astype_i8_f8", "a").AsType<double>());
        AssertExact(ElementwiseFixtures.Expected<bool>("astype_i4_bool", out s), s, ElementwiseFixtures.Input<int>("astype_i4_bool", "a").AsType<bool>());
        AssertExact(ElementwiseFixtures.Expected<bool>("astype_f8_bool", out s), s, ElementwiseFixtures.Input<double>("astype_f8_bool", "a").AsType<bool>());
        AssertExact(ElementwiseFixtures.Expected<double>("astype_bool_f8", out s), s, ElementwiseFixtures.Input<bool>("astype_bool_f8", "a").AsType<double>());
        AssertExact(ElementwiseFixtures.Expected<float>("astype_f8_f4", out s), s, ElementwiseFixtures.Input<double>("astype_f8_f4", "a").AsType<float>());
    }

    [Theory]
    [InlineData("exp_f4")]
    [InlineData("log_f4")]
    [InlineData("tanh_f4")]
    public void TranscendentalFloat32_WithinFloat32Tolerance(string fixture)
    {
        var x = ElementwiseFixtures.Input<float>(fixture, "a");
        var result = (fixture switch { "exp_f4" => x.Exp(), "log_f4" => x.Log(), _ => x.Tanh() }).Compute();
        var expected = ElementwiseFixtures.Expected<float>(fixture, out var shape);
        Assert.Equal(shape, result.Shape);
        var actual = result.ToArray();
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i];
            double tolerance = Math.Max(Math.Abs(e) * Float32Tolerance, float.Epsilon);
            Assert.True(Math.Abs(actual[i] - e) <= tolerance || (float.IsInfinity(expected[i]) && expected[i] == actual[i]), $"{fixture}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }

    [Fact]
    public void SinAndSqrtFloat64_MatchNumPy()
    {
        var sin = ElementwiseFixtures.Input<double>("sin_f8", "a").Sin().Compute().ToArray();
        var expected = ElementwiseFixtures.Expected<double>("sin_f8", out _);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(sin[i] - expected[i]) <= 1e-15 * Math.Max(1, Math.Abs(expected[i])), $"sin[{i}]: expected {expected[i]:R}, got {sin[i]:R}");
        }

        AssertExact(ElementwiseFixtures.Expected<double>("sqrt_f8", out var s), s, ElementwiseFixtures.Input<double>("sqrt_f8", "a").Sqrt());
    }

    [Fact]
    public void WhereClipComparisonsPow_MatchNumPy()
    {
        var where = ElementwiseOperators.Where(ElementwiseFixtures.Input<bool>("where_f8", "a"), ElementwiseFixtures.Input<double>("where_f8", "b"), ElementwiseFixtures.Input<double>("where_f8", "c"));
        AssertExact(ElementwiseFixtures.Expected<double>("where_f8", out var s), s, where);
        AssertExact(ElementwiseFixtures.Expected<double>("clip_f8", out s), s, ElementwiseFixtures.Input<double>("clip_f8", "a").Clip(-1.0, 1.0));
        var a = ElementwiseFixtures.Input<double>("less_f8", "a");
        var b = ElementwiseFixtures.Input<double>("less_f8", "b");
        AssertExact(ElementwiseFixtures.Expected<bool>("less_f8", out s), s, a < b);
        AssertExact(ElementwiseFixtures.Expected<bool>("equal_f8", out s), s, a.Equal(b));
        AssertExact(ElementwiseFixtures.Expected<bool>("notequal_f8", out s), s, a.NotEqual(b));
        AssertExact(ElementwiseFixtures.Expected<bool>("isnan_f8", out s), s, a.IsNaN());
        AssertExact(ElementwiseFixtures.Expected<double>("pow_f8", out s), s, ElementwiseFixtures.Input<double>("pow_f8", "a").Pow(3.0));
    }

    private static void AssertExact<T>(T[] expected, long[] shape, ChunkedArray<T> actual)
        where T : unmanaged
    {
        var result = actual.Compute();
        Assert.Equal(shape, result.Shape);
        Assert.Equal(expected, result.ToArray());
    }
}
