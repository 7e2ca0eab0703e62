using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Json;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Ops.Windows;

/// <summary>
/// Window operations against NumPy (fixtures from tests/fixture-scripts/gen_window_fixtures.py) on irregular grids
/// (chunk sizes 1, 2, 3… so windows reach across one and several chunks), and within a small budget over a stored
/// array. Integers exact; float64 |a − e| ≤ 1e-12·|e| + 1e-12; float32 ≤ 1e-5·|e| + 1e-5; NaN matches NaN.
/// </summary>
public sealed class WindowTests
{
    private static readonly OpsFixtures Fixtures = new("windows");

    public static TheoryData<string> Inputs() => Fixtures.Inputs();

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Windows_NumPyFixtures_Match(string input)
    {
        var array = Fixtures.Load(input, out _);
        var failures = new List<string>();
        foreach (var c in Fixtures.CasesOf(input))
        {
            string op = c.GetProperty("op").GetString()!;
            int axis = c.GetProperty("axis").GetInt32();
            var (header, expected) = Fixtures.Expected(c);
            string what = $"{c.GetProperty("expected").GetString()}";
            var (shape, actual) = array switch
            {
                ChunkedArray<double> a => Run(a, op, axis, c),
                ChunkedArray<float> a => Run(a, op, axis, c),
                ChunkedArray<long> a => RunIntegers(a, op, axis, c),
                _ => throw new InvalidOperationException(array.GetType().Name),
            };
            if (!shape.SequenceEqual(header.Shape))
            {
                failures.Add($"{what}: shape [{string.Join(", ", shape)}], NumPy [{string.Join(", ", header.Shape)}]");
            }
            else if (OpsFixtures.Mismatch(header.NormalizedDescr, expected, actual, 1e-12, 1e-12, 1e-5, 1e-5) is { } m)
            {
                failures.Add($"{what}: {m}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void MovingMean_OfAStoredArray_ReadsNeighboursOnly_WithinASmallBudget()
    {
        using var store = ZarrStore.InMemory();
        var values = Enumerable.Range(0, 2048 * 256).Select(i => Math.Sin(i * 0.001)).ToArray();
        store.CreateArray<double>("x", [2048, 256], [128, 128]).Write(values);
        long budget = 2L << 20; // half the array: a window of 200 rows spans three 128-row chunks, never the column

        var result = store.Open<double>("x").MovingMean(200, axis: 0).Compute(new ComputeOptions { MemoryBudget = budget });

        Assert.True(result.Statistics.PeakMemoryBytes <= budget, $"peak {result.Statistics.PeakMemoryBytes}");
        var y = result.ToArray();
        foreach (var (row, col) in new[] { (0, 0), (198, 5), (199, 5), (1000, 200), (2047, 255) })
        {
            double expected = row < 199 ? double.NaN : Enumerable.Range(row - 199, 200).Average(r => values[(r * 256) + col]);
            Assert.Equal(expected, y[(row * 256) + col], 1e-12);
        }
    }

    [Fact]
    public void Windows_RefuseWhatNumPyRefuses_AndKeepDimensionNames()
    {
        using var store = ZarrStore.InMemory();
        store.CreateArray<double>("x", [1, 5], [1, 2], new ArrayOptions { DimensionNames = ["y", "x"] }).Write(new double[5]);
        var x = store.Open<double>("x");

        Assert.Contains("at least 2 elements", Assert.Throws<ArgumentException>(() => x.Gradient(0)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => x.Convolve1D(new double[6], axis: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Diff(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.MovingSum(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Diff(1, axis: 2));
        Assert.Equal(["y", "x"], x.Diff().Node.DimensionNames!);
        Assert.Equal([1L, 0L], x.Diff(7).Shape);
        Assert.Same(x, x.Diff(0));
    }

    [Fact]
    public void ToStore_WritesTheDimensionNamesThatFollowedThroughTheOperations()
    {
        using var store = ZarrStore.InMemory();
        store.CreateArray<double>("x", [6, 4], [4, 4], new ArrayOptions { DimensionNames = ["time", "lon"] }).Write(new double[24]);
        var x = store.Open<double>("x");

        ((x.MovingMean(2, axis: 0) * 2.0).CumSum(0)).ToStore(store, "y").Compute();
        x.ToStore(store, "z", new ArrayOptions { DimensionNames = ["a", "b"] }).Compute();

        Assert.Equal(["time", "lon"], store.OpenArray("y").Metadata.DimensionNames!);
        Assert.Equal(["a", "b"], store.OpenArray("z").Metadata.DimensionNames!);
    }

    private static (long[] Shape, byte[] Bytes) Run<T>(ChunkedArray<T> a, string op, int axis, JsonElement c)
        where T : unmanaged, IFloatingPointIeee754<T> => Bytes(op switch
    {
        "diff" => a.Diff(c.GetProperty("n").GetInt32(), axis),
        "moving_sum" => a.MovingSum(c.GetProperty("window").GetInt32(), axis),
        "moving_mean" => a.MovingMean(c.GetProperty("window").GetInt32(), axis),
        "gradient" => a.Gradient(axis),
        "convolve" => a.Convolve1D(c.GetProperty("kernel").EnumerateArray().Select(k => T.CreateChecked(k.GetDouble())).ToArray(), axis),
        _ => throw new InvalidOperationException(op),
    });

    private static (long[] Shape, byte[] Bytes) RunIntegers(ChunkedArray<long> a, string op, int axis, JsonElement c) => Bytes(op switch
    {
        "diff" => a.Diff(c.GetProperty("n").GetInt32(), axis),
        "convolve" => a.Convolve1D(c.GetProperty("kernel").EnumerateArray().Select(k => k.GetInt64()).ToArray(), axis),
        _ => throw new InvalidOperationException(op),
    });

    private static (long[], byte[]) Bytes<T>(ChunkedArray<T> a)
        where T : unmanaged => (a.Shape.ToArray(), MemoryMarshal.AsBytes(a.Compute().ToArray().AsSpan()).ToArray());
}
