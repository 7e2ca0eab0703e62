using System.Numerics;
using System.Runtime.InteropServices;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Stores;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Ops.Scans;

/// <summary>
/// Scans against NumPy (fixtures from tests/fixture-scripts/gen_scan_fixtures.py) on irregular grids (chunk sizes 1, 2, 3…
/// along every axis, so carries cross chunks of every size), against a sequential reference on random grids, and within
/// a small budget over a stored array. Integers and bools exact (including wrap-around); float64 and complex
/// |a − e| ≤ 1e-12·|e| + 1e-9; float32 ≤ 1e-5·|e| + 1e-4 (the carries add chunk totals, NumPy adds left to right).
/// </summary>
public sealed class ScanTests
{
    private static readonly OpsFixtures Fixtures = new("scans");

    public static TheoryData<string> Inputs() => Fixtures.Inputs();

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Scans_NumPyFixtures_Match(string input)
    {
        var array = Fixtures.Load(input, out _);
        var failures = new List<string>();
        foreach (var c in Fixtures.CasesOf(input))
        {
            string op = c.GetProperty("op").GetString()!;
            int axis = c.GetProperty("axis").GetInt32();
            var (header, expected) = Fixtures.Expected(c);
            var (type, actual) = Run(array, op, axis);
            string what = $"{op}({input}, axis={axis})";
            if (type.Name != DataType.FromNumpyTypestr(header.NormalizedDescr, out _).Name)
            {
                failures.Add($"{what}: dtype {type.Name}, NumPy {header.NormalizedDescr}");
            }
            else if (OpsFixtures.Mismatch(header.NormalizedDescr, expected, actual, 1e-12, 1e-9, 1e-5, 1e-4) is { } m)
            {
                failures.Add($"{what}: {m}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void CumSum_OnRandomGrids_EqualsASequentialScan()
    {
        var random = new Random(17);
        for (int trial = 0; trial < 40; trial++)
        {
            int rank = random.Next(1, 4);
            var shape = Enumerable.Range(0, rank).Select(_ => (long)random.Next(1, 9)).ToArray();
            var sizes = shape.Select(n => OpsFixtures.RandomSizes(random, (int)n)).ToList();
            var values = Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(_ => (long)random.Next(-1000, 1000)).ToArray();
            var x = ChunkedArray.FromArray(values, ChunkGrid.FromSizes(sizes));
            int axis = random.Next(-rank, rank);

            var small = values.Select(v => v % 3).ToArray();
            var sums = x.CumSum(axis).Compute().ToArray();
            var products = ChunkedArray.FromArray(small, ChunkGrid.FromSizes(sizes)).CumProd(axis).Compute().ToArray();

            Assert.Equal(Sequential(values, shape, axis, 0L, (a, b) => a + b), sums);
            Assert.Equal(Sequential(small, shape, axis, 1L, (a, b) => a * b), products);
        }
    }

    [Fact]
    public void CumSum_OfAStoredArray_StaysWithinASmallBudget()
    {
        // 4 MiB of float64 in 64 KiB chunks, scanned along axis 0 of a 1024 × 512 grid under a 1 MiB budget.
        using var store = ZarrStore.InMemory();
        var values = Enumerable.Range(0, 1024 * 512).Select(i => (i % 97) * 0.5).ToArray();
        store.CreateArray<double>("x", [1024, 512], [64, 128]).Write(values);
        long budget = 1L << 20;

        var result = store.Open<double>("x").CumSum(0).Compute(new ComputeOptions { MemoryBudget = budget });

        Assert.True(result.Statistics.PeakMemoryBytes <= budget, $"peak {result.Statistics.PeakMemoryBytes}");
        var expected = Sequential(values, [1024, 512], 0, 0.0, (a, b) => a + b);
        var actual = result.ToArray();
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-9 * Math.Abs(expected[i]) + 1e-9, $"element {i}: {actual[i]} vs {expected[i]}");
        }
    }

    /// <summary>
    /// Many chunks along the axis (the carries combine totals through blocks of 64 chunks): 1-D and along either axis
    /// of a 2-D array, against a sequential scan; the stored input is read once (each chunk one GET), within a budget
    /// that holds a few chunks.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void CumSum_OverHundredsOfChunks_ReadsTheStoredInputOnce(int axis)
    {
        var inner = new MemoryStore();
        var values = Enumerable.Range(0, 300 * 200).Select(i => (long)((i * 7919) % 1001) - 500).ToArray();
        using (var setup = new ZarrStore(inner))
        {
            setup.CreateArray<long>("x", [300, 200], [2, 3]).Write(values);
        }

        var counted = new LatencyStore(inner, TimeSpan.Zero);
        using var store = new ZarrStore(counted);
        var x = store.Open<long>("x");
        long budget = 256L << 10;
        var result = x.CumSum(axis).Compute(new ComputeOptions { MemoryBudget = budget });

        Assert.Equal(Sequential(values, [300, 200], axis, 0L, (a, b) => a + b), result.ToArray());
        Assert.InRange(result.Statistics.PeakMemoryBytes, 1, budget);
        var reads = counted.ReadsByKey.Where(kv => kv.Key.Contains("/c/", StringComparison.Ordinal)).ToList();
        Assert.Equal(150 * 67, reads.Count);
        Assert.All(reads, kv => Assert.Equal(1, kv.Value));

        var line = ChunkedArray.FromArray(values, 3);
        Assert.Equal(Sequential(values, [values.Length], 0, 0L, (a, b) => a + b), line.CumSum(0).Compute().ToArray());
    }

    [Fact]
    public void Scans_KeepDimensionNames_AndRefuseAnAxisOutOfRange()
    {
        using var store = ZarrStore.InMemory();
        store.CreateArray<float>("x", [6, 4], [4, 4], new ArrayOptions { DimensionNames = ["time", "x"] }).Write(new float[24]);
        var x = store.Open<float>("x");

        Assert.Equal(["time", "x"], x.CumSum(0).Node.DimensionNames!);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => x.CumSum(2));
        Assert.Contains("axis 2", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.NanCumProd(-3));
    }

    private static (DataType Type, byte[] Bytes) Run(object array, string op, int axis) => array switch
    {
        ChunkedArray<double> a => Bytes(op switch { "cumsum" => a.CumSum(axis), "cumprod" => a.CumProd(axis), "nancumsum" => a.NanCumSum(axis), _ => a.NanCumProd(axis) }),
        ChunkedArray<float> a => Bytes(op switch { "cumsum" => a.CumSum(axis), "cumprod" => a.CumProd(axis), "nancumsum" => a.NanCumSum(axis), _ => a.NanCumProd(axis) }),
        ChunkedArray<Complex> a => Bytes(op switch { "cumsum" => a.CumSum(axis), "cumprod" => a.CumProd(axis), "nancumsum" => a.NanCumSum(axis), _ => a.NanCumProd(axis) }),
        ChunkedArray<long> a => Bytes(op == "cumsum" ? a.CumSum(axis) : a.CumProd(axis)),
        ChunkedArray<int> a => Bytes(op == "cumsum" ? a.CumSum(axis) : a.CumProd(axis)),
        ChunkedArray<sbyte> a => Bytes(op == "cumsum" ? a.CumSum(axis) : a.CumProd(axis)),
        ChunkedArray<ushort> a => Bytes(op == "cumsum" ? a.CumSum(axis) : a.CumProd(axis)),
        ChunkedArray<byte> a => Bytes(op == "cumsum" ? a.CumSum(axis) : a.CumProd(axis)),
        ChunkedArray<bool> a => Bytes(op == "cumsum" ? a.CumSum(axis) : a.CumProd(axis)),
        _ => throw new InvalidOperationException(array.GetType().Name),
    };

    private static (DataType, byte[]) Bytes<T>(ChunkedArray<T> a)
        where T : unmanaged => (a.Node.DataType, MemoryMarshal.AsBytes(a.Compute().ToArray().AsSpan()).ToArray());

    // The scan as NumPy defines it: element by element along the axis, left to right.
    private static T[] Sequential<T>(T[] values, long[] shape, int axis, T identity, Func<T, T, T> combine)
    {
        int a = axis < 0 ? axis + shape.Length : axis;
        long inner = shape.Skip(a + 1).Aggregate(1L, (x, y) => x * y);
        long length = shape[a];
        long outer = shape.Take(a).Aggregate(1L, (x, y) => x * y);
        var result = new T[values.Length];
        for (long o = 0; o < outer; o++)
        {
            for (long k = 0; k < inner; k++)
            {
                var acc = identity;
                for (long i = 0; i < length; i++)
                {
                    long at = (((o * length) + i) * inner) + k;
                    acc = combine(acc, values[at]);
                    result[at] = acc;
                }
            }
        }

        return result;
    }
}
