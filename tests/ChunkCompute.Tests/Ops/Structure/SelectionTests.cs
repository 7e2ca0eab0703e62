using System.Runtime.InteropServices;
using System.Text.Json;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Ops.Structure;

/// <summary>
/// Selection by lazy arrays — <c>Compress(mask array)</c>, <c>Extract</c> (NumPy's <c>x[mask]</c>) and
/// <c>Take(index array)</c> — against NumPy (fixtures from tests/fixture-scripts/gen_selection_fixtures.py), byte for
/// byte, on irregular grids whose masks are chunked unlike the arrays: with the default budget (the selection is kept
/// from the counting pass) and with a 4 KiB budget (the result reads the input again, within the budget).
/// </summary>
public sealed class SelectionTests
{
    private static readonly OpsFixtures Fixtures = new("selection");

    public static TheoryData<string, int> Cases() => new(Fixtures.Cases.SelectMany(c => new[] { (c.GetProperty("expected").GetString()!, 0), (c.GetProperty("expected").GetString()!, 4096) }));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Selection_NumPyFixtures_MatchExactly(string expected, int budget)
    {
        var c = Fixtures.Cases.Single(e => e.GetProperty("expected").GetString() == expected);
        var options = budget == 0 ? new ComputeOptions() : new ComputeOptions { MemoryBudget = budget };
        var input = Fixtures.Load(c.GetProperty("input").GetString()!, out _);
        var operand = Fixtures.Load(c.GetProperty("operand").GetString()!, out _);
        int? axis = c.GetProperty("axis").ValueKind == JsonValueKind.Null ? null : c.GetProperty("axis").GetInt32();
        var (header, bytes) = Fixtures.Expected(c);
        var (shape, actual, peak) = input switch
        {
            ChunkedArray<double> x => Run(x, c.GetProperty("op").GetString()!, operand, axis, options),
            ChunkedArray<int> x => Run(x, c.GetProperty("op").GetString()!, operand, axis, options),
            _ => throw new InvalidOperationException(input.GetType().Name),
        };
        Assert.Equal(header.Shape, shape);
        Assert.True(bytes.AsSpan().SequenceEqual(actual), $"{expected}: values differ from NumPy's");
        Assert.True(peak <= options.MemoryBudget, $"peak {peak} over the budget {options.MemoryBudget}");
    }

    [Fact]
    public void Compress_SelectionOverHalfTheBudget_IsReadAgainNotKept()
    {
        var x = ChunkedArray.FromArray(Enumerable.Range(0, 40000).Select(i => (double)i).ToArray(), 1000);
        var mask = (x % 3.0) > 0.5;
        var small = new ComputeOptions { MemoryBudget = 256 << 10 };
        var reread = x.Compress(mask, options: small);
        var kept = x.Compress(mask);
        Assert.Contains("compress", reread.Explain(small), StringComparison.Ordinal);
        Assert.DoesNotContain("compress", kept.Explain(), StringComparison.Ordinal);
        var expected = Enumerable.Range(0, 40000).Where(i => i % 3 != 0).Select(i => (double)i).ToArray();
        Assert.Equal(expected, reread.Compute(small).ToArray());
        Assert.Equal(expected, kept.Compute().ToArray());
        Assert.True(reread.Chunks.Sizes(0).All(s => s > 0 && s <= 1000), "output chunks are non-empty and no larger than an input chunk");
    }

    /// <summary>
    /// A mask computed from the array alone (<c>x &lt; t</c>) is evaluated piece by piece beside the array's stream while
    /// it is decoded: stored arrays of several element sizes, lengths that are not a multiple of the 4- and 8-row steps,
    /// against LINQ's Where; and the same through the in-memory (whole chunk) path.
    /// </summary>
    [Fact]
    public void Extract_OfAMaskComputedFromTheArray_EqualsWhere()
    {
        using var store = ZarrStore.InMemory();
        var doubles = Enumerable.Range(0, 10_007).Select(i => Math.Sin(i * 0.37) * 100).ToArray();
        var shorts = Enumerable.Range(0, 5_003).Select(i => (short)((i * 7919) % 2001 - 1000)).ToArray();
        store.CreateArray<double>("d", [doubles.Length], [997]).Write(doubles);
        store.CreateArray<short>("s", [shorts.Length], [1024]).Write(shorts);
        var d = store.Open<double>("d");
        var h = store.Open<short>("s");

        Assert.Equal(doubles.Where(v => v < -80).ToArray(), d.Extract(d < -80.0).Compute().ToArray());
        Assert.Equal(doubles.Where(v => v > 0).ToArray(), d.Extract(d > 0.0).Compute().ToArray());
        Assert.Equal(shorts.Where(v => v >= 500).ToArray(), h.Extract(h >= (short)500).Compute().ToArray());
        var m = ChunkedArray.FromArray(doubles, 333);
        Assert.Equal(doubles.Where(v => v < 10).ToArray(), m.Extract(m < 10.0).Compute().ToArray());
        Assert.Empty(d.Extract(d > 1000.0).Compute().ToArray());
    }

    [Fact]
    public void Selection_KeepsDimensionNames()
    {
        var x = ChunkedArray.FromArray(new double[60], [6, 10], [4, 3]).WithDims("time", "x");
        var mask = ChunkedArray.FromArray(new[] { true, false, true, true, false, true }, 2);
        Assert.Equal(["time", "x"], x.Compress(mask).DimensionNames!);
        Assert.Equal(["time", "x"], x.Compress(mask, options: new ComputeOptions { MemoryBudget = 1024 }).DimensionNames!);
        var byName = x.Compress(ChunkedArray.FromArray(new[] { true, false, false, true, true, false, true, false, false, true }, 4), "x").Compute();
        Assert.Equal([6L, 5L], byName.Shape);
        var taken = x.Take(ChunkedArray.FromArray(new long[] { 5, 0 }, 1), "time");
        Assert.Equal([2L, 10L], taken.Shape);
        Assert.Throws<ArgumentException>(() => x.Compress(mask, "lat"));
    }

    [Fact]
    public void Selection_BadOperands_AreRefusedWithTheReason()
    {
        var x = ChunkedArray.FromArray(new double[60], [6, 10], [4, 3]);
        var mask2d = ChunkedArray.FromArray(new bool[60], [6, 10], [4, 3]);
        Assert.Contains("1-D", Assert.Throws<ArgumentException>(() => x.Compress(mask2d)).Message, StringComparison.Ordinal);
        Assert.Contains("more than axis", Assert.Throws<ArgumentException>(() => x.Compress(ChunkedArray.FromArray(new bool[7], 3))).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Compress(ChunkedArray.FromArray(new bool[6], 3), axis: 2));
        Assert.Contains("[6, 10]", Assert.Throws<ArgumentException>(() => x.Extract(ChunkedArray.FromArray(new bool[60], 7))).Message, StringComparison.Ordinal);
        Assert.Contains("out of bounds", Assert.Throws<ArgumentOutOfRangeException>(() => x.Take(ChunkedArray.FromArray(new long[] { 0, 6 }, 1))).Message, StringComparison.Ordinal);
        var refused = Assert.Throws<MemoryPlanRefusedException>(() => x.Take(ChunkedArray.FromArray(new long[1000], 100), options: new ComputeOptions { MemoryBudget = 8000 }));
        Assert.Contains("take", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compress_Cancelled_StopsTheCountingPass()
    {
        var x = ChunkedArray.FromArray(new double[1000], 10);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => x.Compress(x > -1.0, cancellationToken: cancelled.Token));
    }

    private static (long[] Shape, byte[] Bytes, long Peak) Run<T>(ChunkedArray<T> x, string op, object operand, int? axis, ComputeOptions options)
        where T : unmanaged
    {
        var result = op switch
        {
            "compress" => x.Compress(Regrid((ChunkedArray<bool>)operand), axis!.Value, options),
            "extract" => x.Extract(Regrid((ChunkedArray<bool>)operand), options),
            _ => x.Take(Regrid((ChunkedArray<long>)operand), axis!.Value, options),
        };
        var computed = result.Compute(options);
        return (result.Shape.ToArray(), MemoryMarshal.AsBytes(computed.ToArray().AsSpan()).ToArray(), computed.Statistics.PeakMemoryBytes);
    }

    // The operand chunked unlike the array (chunks of 4 along its first axis), so it must be aligned.
    private static ChunkedArray<TM> Regrid<TM>(ChunkedArray<TM> m)
        where TM : unmanaged => m.Rechunk(m.Shape.Select((n, d) => d == 0 ? 4 : (int)Math.Max(1, n)).ToArray());
}
