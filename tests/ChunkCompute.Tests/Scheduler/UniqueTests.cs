using ChunkCompute.Graph;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using Xunit;

namespace ChunkCompute.Tests.Scheduler;

/// <summary>
/// <c>Unique</c>/<c>UniqueCounts</c> against a reference (values grouped and counted directly) for integers, bools,
/// datetimes and floats with NaN (NumPy's order: NaN once, last), on irregular grids and over a stored array within a
/// small budget.
/// </summary>
public sealed class UniqueTests
{
    [Fact]
    public void UniqueCounts_OfIntegers_OnIrregularChunks_MatchTheReference()
    {
        var random = new Random(8);
        var values = Enumerable.Range(0, 5000).Select(_ => random.Next(-40, 60)).ToArray();
        var x = ChunkedArray.FromArray(values, ChunkGrid.FromSizes([[1, 999, 1000, 7, 1993, 1000]]));

        var (unique, counts) = x.UniqueCounts();

        var expected = values.GroupBy(v => v).OrderBy(g => g.Key).ToArray();
        Assert.Equal(expected.Select(g => g.Key), unique);
        Assert.Equal(expected.Select(g => (long)g.Count()), counts);
    }

    [Fact]
    public void Unique_OfBoolsDatetimesAndFloatsWithNaN_FollowsNumPy()
    {
        Assert.Equal([false, true], ChunkedArray.FromArray(new[] { true, true, false, true }, 3).Unique());
        Assert.Equal([true], ChunkedArray.FromArray(new[] { true, true }, 1).Unique());

        using var store = ZarrStore.InMemory();
        var days = new[] { 5L, -3, 5, 12, -3 }.Select(d => new DateTime64(d)).ToArray();
        store.CreateArray("t", DataType.DateTime64("D"), [5], [2]).As<DateTime64>().Write(days);
        Assert.Equal(new[] { -3L, 5, 12 }.Select(d => new DateTime64(d)), store.Open<DateTime64>("t").Unique());
        var withNaT = new[] { DateTime64.NaT, new DateTime64(4), DateTime64.NaT, new DateTime64(-9) };
        store.CreateArray("n", DataType.DateTime64("s"), [4], [3]).As<DateTime64>().Write(withNaT);
        var (times, timeCounts) = store.Open<DateTime64>("n").UniqueCounts();
        Assert.Equal([new DateTime64(-9), new DateTime64(4), DateTime64.NaT], times); // NumPy: NaT sorts last
        Assert.Equal([1L, 1, 2], timeCounts);

        var (values, counts) = ChunkedArray.FromArray(new[] { 2.5, double.NaN, -1.0, 2.5, double.NaN, double.PositiveInfinity }, 4).UniqueCounts();
        Assert.Equal([-1.0, 2.5, double.PositiveInfinity, double.NaN], values);
        Assert.Equal([1L, 2, 1, 2], counts);
    }

    [Fact]
    public void Unique_OfAStoredArray_RunsWithinTheBudget()
    {
        using var store = ZarrStore.InMemory();
        var values = Enumerable.Range(0, 1 << 18).Select(i => (short)((i * 7919) % 1000)).ToArray();
        store.CreateArray<short>("x", [1 << 18], [1 << 14]).Write(values);
        long budget = 1L << 20;

        var (unique, counts) = store.Open<short>("x").UniqueCounts(new ComputeOptions { MemoryBudget = budget });

        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (short)i), unique);
        Assert.Equal(values.Length, counts.Sum());
        Assert.Equal(values.Count(v => v == 17), counts[17]);
    }
}
