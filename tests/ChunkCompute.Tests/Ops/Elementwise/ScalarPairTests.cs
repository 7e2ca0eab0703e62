using System.Numerics;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using Xunit;

namespace ChunkCompute.Tests.Ops.Elementwise;

/// <summary>
/// Two constant operations fused into one pass (<c>(x op1 a) op2 b</c>) must give, bit for bit, what the two
/// operations give one after the other (NumPy's <c>(x - a) / b</c> rounds after each operation, with no fused
/// multiply-add), whatever the vector width leaves as a tail, and with NaN, infinities, signed zeros and subnormals.
/// </summary>
public sealed class ScalarPairTests
{
    private static readonly BinaryOperation[] Operations =
        [BinaryOperation.Add, BinaryOperation.Subtract, BinaryOperation.Multiply, BinaryOperation.Divide];

    private static readonly int[] Lengths = [0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 33, 2051];

    [Fact]
    public void Apply_Double_EveryOperationPair_EqualsTwoRoundedSteps()
    {
        var random = new Random(11);
        CheckEveryPair(
            random,
            [1.5, -3.0, 0.0, -0.0, 1e-310, 7.25e300, double.NaN, double.PositiveInfinity, 0.1],
            () => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-320, 300)),
            Specials,
            (e, a) => BitConverter.DoubleToInt64Bits(e) == BitConverter.DoubleToInt64Bits(a) || (double.IsNaN(e) && double.IsNaN(a)));
    }

    [Fact]
    public void Apply_Single_EveryOperationPair_EqualsTwoRoundedSteps()
    {
        var random = new Random(12);
        CheckEveryPair(
            random,
            [1.5f, -3f, 0f, -0f, 1e-40f, 3e37f, float.NaN, float.NegativeInfinity, 0.1f],
            () => (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-44, 38))),
            SpecialsSingle,
            (e, a) => BitConverter.SingleToInt32Bits(e) == BitConverter.SingleToInt32Bits(a) || (float.IsNaN(e) && float.IsNaN(a)));
    }

    // Every (first, second) pair of the four operations, every length in Lengths, random constants: the fused pass must
    // equal the two operations applied one after the other to each element (`same`: the same bits, or both NaN).
    private static void CheckEveryPair<T>(Random random, T[] constants, Func<T> next, T[] specials, Func<T, T, bool> same)
        where T : unmanaged, INumber<T>
    {
        foreach (var first in Operations)
        {
            foreach (var second in Operations)
            {
                foreach (int length in Lengths)
                {
                    var x = new T[length];
                    for (int i = 0; i < length; i++)
                    {
                        x[i] = random.Next(6) == 0 ? specials[random.Next(specials.Length)] : next();
                    }

                    T a = constants[random.Next(constants.Length)];
                    T b = constants[random.Next(constants.Length)];
                    var actual = new T[length];
                    ScalarPairKernels.Apply(first, a, second, b, x, actual);
                    for (int i = 0; i < length; i++)
                    {
                        T expected = Step(Step(x[i], first, a), second, b);
                        Assert.True(same(expected, actual[i]), $"({x[i]} {first} {a}) {second} {b}, element {i} of {length}: expected {expected}, got {actual[i]}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Apply_InPlace_GivesTheSameValues()
    {
        double[] x = [.. Enumerable.Range(0, 37).Select(i => (i * 0.37) - 5)];
        double[] expected = [.. x.Select(v => (v - 0.3) / 7)];
        ScalarPairKernels.Apply(BinaryOperation.Subtract, 0.3, BinaryOperation.Divide, 7.0, x, x);
        Assert.Equal(expected, x);
    }

    [Fact]
    public void Supports_OnlyFloatingPointAndTheFourBasicOperations()
    {
        Assert.True(ScalarPairKernels.Supports<double>(BinaryOperation.Subtract, BinaryOperation.Divide));
        Assert.True(ScalarPairKernels.Supports<float>(BinaryOperation.Multiply, BinaryOperation.Add));
        Assert.False(ScalarPairKernels.Supports<int>(BinaryOperation.Subtract, BinaryOperation.Multiply)); // floor division, wrapping
        Assert.False(ScalarPairKernels.Supports<double>(BinaryOperation.Remainder, BinaryOperation.Add));
        Assert.False(ScalarPairKernels.Supports<double>(BinaryOperation.Add, BinaryOperation.Power));
    }

    [Fact]
    public void Standardize_ThroughTheGraph_EqualsElementByElementArithmetic()
    {
        var random = new Random(13);
        double[] data = [.. Enumerable.Range(0, 5003).Select(_ => (random.NextDouble() * 200) - 100)];
        data[17] = double.NaN;
        data[4000] = double.NegativeInfinity;
        var x = ChunkedArray.FromArray(data, 777);
        double mean = 1.2345, std = 3.3;

        double[] actual = ((x - mean) / std).Compute().ToArray();

        Assert.Equal(data.Length, actual.Length);
        for (int i = 0; i < data.Length; i++)
        {
            AssertSame((data[i] - mean) / std, actual[i], $"element {i}");
        }

        float[] single = [.. data.Select(v => (float)v)];
        float[] scaled = ((ChunkedArray.FromArray(single, 1000) * 0.5f) + 2f).Compute().ToArray();
        Assert.Equal(single.Select(v => (v * 0.5f) + 2f), scaled);
    }

    private static readonly double[] Specials = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, double.Epsilon, -5e-324 * 3, double.MaxValue];

    private static readonly float[] SpecialsSingle = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, float.Epsilon, float.MaxValue];

    private static T Step<T>(T x, BinaryOperation operation, T c)
        where T : INumber<T> => operation switch
        {
            BinaryOperation.Add => x + c,
            BinaryOperation.Subtract => x - c,
            BinaryOperation.Multiply => x * c,
            _ => x / c,
        };

    private static void AssertSame(double expected, double actual, string what) =>
        Assert.True(
            BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual) || (double.IsNaN(expected) && double.IsNaN(actual)),
            $"{what}: expected {expected:R}, got {actual:R}");
}
