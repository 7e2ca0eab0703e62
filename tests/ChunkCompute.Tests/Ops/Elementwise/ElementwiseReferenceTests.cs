using System.Numerics;
using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;

namespace ChunkCompute.Tests.Ops.Elementwise;

/// <summary>
/// Random shapes (size-1 and empty dimensions included) × irregular chunkings × element types, with NaN and ±inf in
/// float inputs, against a naive element-by-element reference (integer results through BigInteger, then wrapped).
/// </summary>
public sealed class ElementwiseReferenceTests
{
    private const int Cases = 25;

    [Fact]
    public void BinaryOperators_Int32_MatchNaiveReference() => RunBinary<int>(1);

    [Fact]
    public void BinaryOperators_Int64_MatchNaiveReference() => RunBinary<long>(2);

    [Fact]
    public void BinaryOperators_Float32_MatchNaiveReference() => RunBinary<float>(3);

    [Fact]
    public void BinaryOperators_Float64_MatchNaiveReference() => RunBinary<double>(4);

    [Fact]
    public void UnaryAndSelection_Int32_MatchNaiveReference() => RunUnary<int>(5);

    [Fact]
    public void UnaryAndSelection_Float64_MatchNaiveReference() => RunUnary<double>(6);

    [Fact]
    public void UnaryAndSelection_Float32_MatchNaiveReference() => RunUnary<float>(7);

    [Fact]
    public void MathFunctions_Float64_MatchMathWithinTolerance()
    {
        var rng = new Random(8);
        for (int c = 0; c < Cases; c++)
        {
            var (shape, _, _) = ElementwiseTestData.RandomShapes(rng);
            var chunks = ElementwiseTestData.RandomChunks(shape, rng);
            var data = ElementwiseTestData.RandomValues<double>(shape.Aggregate(1L, (a, b) => a * b), rng);
            var x = ChunkedArray.FromArray(data, ChunkGrid.FromSizes(chunks));
            CheckClose(data.Select(v => Math.Sqrt(v)), x.Sqrt());
            CheckClose(data.Select(v => Math.Exp(v)), x.Exp());
            CheckClose(data.Select(v => Math.Log(v)), x.Log());
            CheckClose(data.Select(v => Math.Sin(v)), x.Sin());
            CheckClose(data.Select(v => Math.Cos(v)), x.Cos());
            CheckClose(data.Select(v => Math.Tanh(v)), x.Tanh());
            CheckClose(data.Select(v => Math.Floor(v)), x.Floor());
            CheckClose(data.Select(v => Math.Ceiling(v)), x.Ceil());
            CheckClose(data.Select(v => Math.Round(v, MidpointRounding.ToEven)), x.Round());
            CheckClose(data.Select(v => Math.Pow(v, 1.5)), x.Pow(1.5));
        }
    }

    private static void CheckClose(IEnumerable<double> expected, ChunkedArray<double> actual)
    {
        var e = expected.ToArray();
        var a = actual.Compute().ToArray();
        Assert.Equal(e.Length, a.Length);
        for (int i = 0; i < e.Length; i++)
        {
            bool ok = e[i].Equals(a[i]) || Math.Abs(e[i] - a[i]) <= 1e-13 * Math.Abs(e[i]);
            Assert.True(ok, $"{actual.Node.Label}[{i}]: expected {e[i]:R}, got {a[i]:R}");
        }
    }

    private static void RunBinary<T>(int seed)
        where T : unmanaged, INumber<T>, IMinMaxValue<T>
    {
        var rng = new Random(seed);
        bool isFloat = typeof(T) == typeof(float) || typeof(T) == typeof(double);
        for (int c = 0; c < Cases; c++)
        {
            var (shape, sa, sb) = ElementwiseTestData.RandomShapes(rng);
            var chunks = ElementwiseTestData.RandomChunks(shape, rng);
            var da = ElementwiseTestData.RandomValues<T>(sa.Aggregate(1L, (x, y) => x * y), rng);
            var db = ElementwiseTestData.RandomValues<T>(sb.Aggregate(1L, (x, y) => x * y), rng);
            var a = ChunkedArray.FromArray(da, ElementwiseTestData.OperandGrid(sa, shape, chunks));
            var b = ChunkedArray.FromArray(db, ElementwiseTestData.OperandGrid(sb, shape, chunks));
            var ea = ElementwiseTestData.Expand(da, sa, shape);
            var eb = ElementwiseTestData.Expand(db, sb, shape);
            string context = $"case {c}: [{string.Join(", ", sa)}] with [{string.Join(", ", sb)}] → [{string.Join(", ", shape)}]";

            Check(context + " +", ea.Zip(eb, (x, y) => isFloat ? x + y : Wrap<T>(Big(x) + Big(y))), a + b);
            Check(context + " -", ea.Zip(eb, (x, y) => isFloat ? x - y : Wrap<T>(Big(x) - Big(y))), a - b);
            Check(context + " *", ea.Zip(eb, (x, y) => isFloat ? x * y : Wrap<T>(Big(x) * Big(y))), a * b);
            Check(context + " /", ea.Zip(eb, (x, y) => isFloat ? x / y : FloorDivide(x, y)), a / b);
            Check(context + " %", ea.Zip(eb, (x, y) => isFloat ? FloatRemainder(x, y) : IntRemainder(x, y)), a % b);
            Check(context + " -scalar", da.Select(x => isFloat ? T.CreateTruncating(3) - x : Wrap<T>(3 - Big(x))), T.CreateTruncating(3) - a);
            Check(context + " <", ea.Zip(eb, (x, y) => x < y), a < b);
            Check(context + " >= scalar", da.Select(x => x >= T.One), a >= T.One);
            Check(context + " ==", ea.Zip(eb, (x, y) => x == y), a.Equal(b));
            Check(context + " !=", ea.Zip(eb, (x, y) => x != y), a.NotEqual(b));
        }
    }

    private static void RunUnary<T>(int seed)
        where T : unmanaged, INumber<T>, IMinMaxValue<T>
    {
        var rng = new Random(seed);
        bool isFloat = typeof(T) == typeof(float) || typeof(T) == typeof(double);
        for (int c = 0; c < Cases; c++)
        {
            var (shape, sa, sb) = ElementwiseTestData.RandomShapes(rng);
            var chunks = ElementwiseTestData.RandomChunks(shape, rng);
            var da = ElementwiseTestData.RandomValues<T>(sa.Aggregate(1L, (x, y) => x * y), rng);
            var db = ElementwiseTestData.RandomValues<T>(sb.Aggregate(1L, (x, y) => x * y), rng);
            var a = ChunkedArray.FromArray(da, ElementwiseTestData.OperandGrid(sa, shape, chunks));
            var b = ChunkedArray.FromArray(db, ElementwiseTestData.OperandGrid(sb, shape, chunks));
            var ea = ElementwiseTestData.Expand(da, sa, shape);
            var eb = ElementwiseTestData.Expand(db, sb, shape);
            string context = $"case {c}: [{string.Join(", ", sa)}] with [{string.Join(", ", sb)}]";

            Check(context + " neg", da.Select(x => isFloat ? -x : Wrap<T>(-Big(x))), -a);
            Check(context + " abs", da.Select(x => isFloat ? T.Abs(x) : Wrap<T>(System.Numerics.BigInteger.Abs(Big(x)))), a.Abs());
            T lo = T.CreateTruncating(-3);
            T hi = T.CreateTruncating(4);
            Check(context + " clip", da.Select(x => T.IsNaN(x) ? x : x < lo ? lo : x > hi ? hi : x), a.Clip(lo, hi));
            Check(context + " isnan", da.Select(x => T.IsNaN(x)), a.IsNaN());
            Check(context + " astype", da.Select(x => double.CreateTruncating(x)), a.AsType<T, double>());
            Check(context + " astype-bool", da.Select(x => x != T.Zero), a.AsType<T, bool>());
            Check(context + " where", ea.Zip(eb, (x, y) => x > y ? x : y), ElementwiseOperators.Where(a > b, a, b));
            Check(context + " where-scalar", ea.Zip(eb, (x, y) => x > y ? T.Zero : y), ElementwiseOperators.Where(a > b, T.Zero, b));
        }
    }

    private static System.Numerics.BigInteger Big<T>(T x)
        where T : INumber<T> => System.Numerics.BigInteger.CreateTruncating(x);

    private static T Wrap<T>(System.Numerics.BigInteger v)
        where T : INumber<T>, IMinMaxValue<T>
    {
        var range = Big(T.MaxValue) - Big(T.MinValue) + 1;
        var r = ((v - Big(T.MinValue)) % range + range) % range;
        return T.CreateTruncating(r + Big(T.MinValue));
    }

    private static T FloorDivide<T>(T x, T y)
        where T : INumber<T>, IMinMaxValue<T>
    {
        if (y == T.Zero)
        {
            return T.Zero;
        }

        var q = System.Numerics.BigInteger.DivRem(Big(x), Big(y), out var r);
        if (!r.IsZero && (r.Sign < 0) != (Big(y).Sign < 0))
        {
            q -= 1;
        }

        return Wrap<T>(q);
    }

    private static T IntRemainder<T>(T x, T y)
        where T : INumber<T>, IMinMaxValue<T>
    {
        if (y == T.Zero)
        {
            return T.Zero;
        }

        var r = Big(x) % Big(y);
        return Wrap<T>(!r.IsZero && (r.Sign < 0) != (Big(y).Sign < 0) ? r + Big(y) : r);
    }

    private static T FloatRemainder<T>(T x, T y)
        where T : INumber<T>
    {
        // Python's float %: via double, which is exact for float32 operands too.
        double a = double.CreateTruncating(x);
        double b = double.CreateTruncating(y);
        double m = a % b;
        if (b == 0 || double.IsNaN(m))
        {
            return T.CreateTruncating(double.NaN);
        }

        if (m == 0)
        {
            return T.CreateTruncating(Math.CopySign(0.0, b));
        }

        return T.CreateTruncating((m < 0) != (b < 0) ? m + b : m);
    }

    private static void Check<TOut>(string context, IEnumerable<TOut> expected, ChunkedArray<TOut> actual)
        where TOut : unmanaged
    {
        var e = expected.ToArray();
        var result = actual.Compute();
        Assert.True(e.Length == result.ToArray().Length, $"{context}: expected {e.Length} elements, got {result.ToArray().Length}");
        for (int i = 0; i < e.Length; i++)
        {
            Assert.True(EqualityComparer<TOut>.Default.Equals(e[i], result.ToArray()[i]), $"{context}: element {i} expected {e[i]}, got {result.ToArray()[i]}");
        }
    }
}
