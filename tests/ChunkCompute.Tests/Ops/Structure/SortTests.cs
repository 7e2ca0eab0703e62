using System.Numerics;
using System.Runtime.InteropServices;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Ops.Structure;

/// <summary>
/// <c>Sort</c> and <c>ArgSort</c> against NumPy (fixtures from tests/fixture-scripts/gen_sort_fixtures.py: ties, NaN last,
/// argsort kind="stable") on irregular grids, where the sorted axis spans several chunks; a lane that cannot fit the
/// budget is refused before anything is read.
/// </summary>
public sealed class SortTests
{
    private static readonly OpsFixtures Fixtures = new("sort");

    public static TheoryData<string> Inputs() => Fixtures.Inputs();

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Sort_NumPyFixtures_Match(string input)
    {
        var array = Fixtures.Load(input, out _);
        foreach (var c in Fixtures.CasesOf(input))
        {
            bool arg = c.GetProperty("op").GetString() == "argsort";
            int axis = c.GetProperty("axis").GetInt32();
            var (_, expected) = Fixtures.Expected(c);
            byte[] actual = array switch
            {
                ChunkedArray<double> a => Run(a, arg, axis),
                ChunkedArray<float> a => Run(a, arg, axis),
                ChunkedArray<int> a => Run(a, arg, axis),
                ChunkedArray<long> a => Run(a, arg, axis),
                _ => throw new InvalidOperationException(array.GetType().Name),
            };
            Assert.True(expected.AsSpan().SequenceEqual(actual), $"{c.GetProperty("expected").GetString()} differs from NumPy");
        }
    }

    [Fact]
    public void Sort_OfALaneLargerThanTheBudget_IsRefusedBeforeReading()
    {
        using var store = ZarrStore.InMemory();
        store.CreateArray<double>("x", [1 << 18], [1 << 14]).Write(new double[1 << 18]);
        var sorted = store.Open<double>("x").Sort();

        // The lane is 2 MiB: gathering it (the rechunk the sort plans) cannot fit 1 MiB, and says so before any read.
        var ex = Assert.Throws<RechunkBudgetException>(() => sorted.Compute(new ComputeOptions { MemoryBudget = 1L << 20 }));
        Assert.Contains("within 1 MiB", ex.Message, StringComparison.Ordinal);
        Assert.Equal(new double[1 << 18], sorted.Compute(new ComputeOptions { MemoryBudget = 16L << 20 }).ToArray());
    }

    private static byte[] Run<T>(ChunkedArray<T> a, bool arg, int axis)
        where T : unmanaged, INumberBase<T>, IComparisonOperators<T, T, bool> =>
        arg ? MemoryMarshal.AsBytes(a.ArgSort(axis).Compute().ToArray().AsSpan()).ToArray() : MemoryMarshal.AsBytes(a.Sort(axis).Compute().ToArray().AsSpan()).ToArray();
}
