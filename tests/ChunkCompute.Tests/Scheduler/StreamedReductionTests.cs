using System.Text;
using System.Text.Json.Nodes;
using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Codecs;
using ChunkCompute.Storage.Stores;
using ChunkCompute.Tests.Ops.Reductions;

namespace ChunkCompute.Tests.Scheduler;

/// <summary>
/// Reductions over Blosc arrays read piece by piece (lowering fuses the read, any elementwise chain and the partial
/// reduction into one task): results against a naive element-by-element reference, for block sizes that cut rows and
/// pieces anywhere, every shuffle, edge chunks, missing chunks; fusion only where it keeps shared reads single.
/// </summary>
public sealed class StreamedReductionTests
{
    public static TheoryData<string, int, int> Layouts() => new()
    {
        // shuffle, clevel, forced Blosc block size in bytes (0: c-blosc's choice)
        { "shuffle", 5, 0 },
        { "shuffle", 5, 40_000 },        // blocks end inside rows and inside 16 KiB pieces; a short last block
        { "shuffle", 5, 96 * 1024 },     // several pieces per block
        { "bitshuffle", 5, 24_000 },
        { "noshuffle", 5, 24_000 },
        { "shuffle", 0, 0 },             // stored uncompressed (memcpyed frames)
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void Reductions_OverBloscPieces_MatchNaiveReference(string shuffle, int level, int blockSize)
    {
        // 2-D float64 with edge chunks along both axes: [300, 150] in [128, 64] chunks.
        long[] shape = [300, 150];
        var values = Values(shape, seed: blockSize + level);
        using var store = Store(DataType.Float64, shape, [128, 64], shuffle, level, blockSize, MemoryMarshal(values));
        var x = store.Open<double>("x");

        for (int mask = 0; mask < 4; mask++)
        {
            var axes = Enumerable.Range(0, 2).Where(d => (mask & (1 << d)) != 0).ToArray();
            var reduced = new[] { (mask & 1) != 0, (mask & 2) != 0 };
            string what = $"{shuffle} clevel {level} blocksize {blockSize} axes [{string.Join(", ", axes)}]";
            AssertClose(Naive(values, shape, reduced, v => v.Sum()), x.Sum(axes).Compute().ToArray(), what + " sum");
            AssertClose(Naive(values, shape, reduced, v => v.Average()), x.Mean(axes).Compute().ToArray(), what + " mean");
            AssertClose(Naive(values, shape, reduced, v => Std(v)), x.Std(axes).Compute().ToArray(), what + " std");
            AssertClose(Naive(values, shape, reduced, v => v.Min()), x.Min(axes).Compute().ToArray(), what + " min");
            AssertClose(Naive(values, shape, reduced, v => v.Max()), x.Max(axes).Compute().ToArray(), what + " max");
        }

        // Arg-reductions need the element's position: along each axis, and flat over the whole array.
        for (int d = 0; d < 2; d++)
        {
            var expected = NaiveArgMax(values, shape, d);
            Assert.Equal(expected, x.ArgMax(d).Compute().ToArray());
        }

        Assert.Equal((long)Array.IndexOf(values, values.Min()), x.ArgMin().ComputeScalar());
        Assert.Contains("streamed", x.Sum().Explain(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("float32", 4)]
    [InlineData("int16", 2)]
    [InlineData("int32", 4)]
    [InlineData("uint8", 1)]
    public void Sum_OtherElementTypes_MatchesReference(string dtype, int size)
    {
        long[] shape = [97, 211];
        var type = dtype switch { "float32" => DataType.Float32, "int16" => DataType.Int16, "int32" => DataType.Int32, _ => DataType.UInt8 };
        var rng = new Random(size);
        var doubles = Enumerable.Range(0, 97 * 211).Select(_ => (double)rng.Next(0, 100)).ToArray();
        var bytes = new byte[doubles.Length * size];
        for (int i = 0; i < doubles.Length; i++)
        {
            var e = bytes.AsSpan(i * size, size);
            switch (dtype)
            {
                case "float32": BitConverter.TryWriteBytes(e, (float)doubles[i]); break;
                case "int16": BitConverter.TryWriteBytes(e, (short)doubles[i]); break;
                case "int32": BitConverter.TryWriteBytes(e, (int)doubles[i]); break;
                default: e[0] = (byte)doubles[i]; break;
            }
        }

        using var store = Store(type, shape, [40, 100], "shuffle", 5, 1000, bytes);
        object array = dtype switch
        {
            "float32" => store.Open<float>("x"),
            "int16" => store.Open<short>("x"),
            "int32" => store.Open<int>("x"),
            _ => store.Open<byte>("x"),
        };
        foreach (var axes in new[] { Array.Empty<int>(), [0], [1] })
        {
            var reduced = new[] { axes.Length == 0 || axes.Contains(0), axes.Length == 0 || axes.Contains(1) };
            foreach (var (op, f) in new (string, Func<double[], double>)[] { ("sum", v => v.Sum()), ("mean", v => v.Average()), ("max", v => v.Max()) })
            {
                var node = ReductionInvoker.Build(array, op, axes.Length == 0 ? null : axes, single: false, keepDims: false, ddof: 0, splitEvery: 4);
                var actual = ReductionInvoker.Compute(node).Data.Cast<object>().Select(ReductionInvoker.ToDouble).ToArray();
                // A float32 mean is float32, as in NumPy: the correctly rounded value.
                var expected = Naive(doubles, shape, reduced, f).Select(v => dtype == "float32" && op == "mean" ? (double)(float)v : v).ToArray();
                AssertClose(expected, actual, $"{dtype} {op} axes [{string.Join(", ", axes)}]");
            }
        }
    }

    [Fact]
    public void ElementwiseChain_IsStreamedIntoTheReduction()
    {
        long[] shape = [5000];
        var values = Values(shape, seed: 7);
        using var store = Store(DataType.Float64, shape, [1024], "shuffle", 5, 3000, MemoryMarshal(values));
        var x = store.Open<double>("x");
        var chained = ((x - 1.0) * 2.0).Std();

        Assert.Equal(Std(values.Select(v => (v - 1) * 2).ToArray()), chained.ComputeScalar(), 1e-9 * Math.Abs(Std(values)) + 1e-12);
        string plan = chained.Explain();
        Assert.Contains("read x → fused(subtract,multiply) → std-partial", plan, StringComparison.Ordinal);
        Assert.Contains("streamed", plan, StringComparison.Ordinal);
    }

    [Fact]
    public void SharedInput_IsNotFused_SoItIsReadOnce()
    {
        long[] shape = [3000];
        var values = Values(shape, seed: 3);
        using var store = Store(DataType.Float64, shape, [1000], "shuffle", 5, 0, MemoryMarshal(values));
        var x = store.Open<double>("x");
        var graph = TaskGraph.Build([x.Mean().Node, x.Std().Node]);

        Assert.DoesNotContain(graph.Tasks, t => t.Streamed.Count > 0);
        Assert.Equal(3, graph.Tasks.Count(t => t.Node is ZarrSourceNode));
        var (mean, std) = Computation.Compute(x.Mean(), x.Std());
        Assert.Equal(values.Average(), mean.ToArray()[0], 1e-6);
        Assert.Equal(Std(values), std.ToArray()[0], 1e-6);

        // A single consumer is fused: no read task is left.
        var single = TaskGraph.Build([x.Mean().Node]);
        Assert.DoesNotContain(single.Tasks, t => t.Node is ZarrSourceNode);
        Assert.Equal(3, single.Tasks.Count(t => t.Streamed.Count == 1));
    }

    [Fact]
    public void MissingChunks_ReadAsFillValue()
    {
        using var store = ZarrStore.InMemory();
        var array = store.CreateArray<double>("x", [4000], [1000], new ArrayOptions { FillValue = 2.5 });
        array.Write(new ArraySubset([1000], [1000]), Enumerable.Repeat(1.0, 1000).ToArray());
        Assert.False(array.Untyped.ChunkExists([0]));

        var x = store.Open<double>("x");
        Assert.Equal((3000 * 2.5) + 1000, x.Sum().ComputeScalar());
    }

    [Fact]
    public void CorruptChunk_FailsNamingTheChunk()
    {
        long[] shape = [4096];
        var values = Values(shape, seed: 11);
        using var store = Store(DataType.Float64, shape, [1024], "shuffle", 5, 2048, MemoryMarshal(values));
        string key = store.OpenArray("x").ChunkKey([2]);
        var frame = store.Store.Get(key)!;
        frame[^20] ^= 0x5A; // damage the last block's compressed bytes, not the header
        frame[^40] ^= 0x5A;
        store.Store.Set(key, frame.AsSpan(0, frame.Length - 8));

        var ex = Assert.ThrowsAny<Exception>(() => store.Open<double>("x").Sum().ComputeScalar());
        Assert.Contains(key, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void StreamedPlan_StaysWithinBudget()
    {
        long[] shape = [64, 4096];
        var values = Values(shape, seed: 5);
        using var store = Store(DataType.Float64, shape, [8, 4096], "shuffle", 5, 50_000, MemoryMarshal(values));
        var result = store.Open<double>("x").Mean(0).Compute(new ComputeOptions { MemoryBudget = 2 << 20, MaxDegreeOfParallelism = 2 });
        AssertClose(Naive(values, shape, [true, false], v => v.Average()), result.ToArray(), "mean axis 0");
        Assert.InRange(result.Statistics.PeakMemoryBytes, 1, 2 << 20);
    }

    // A store whose array "x" is written with Blosc-LZ4 and a forced block size (patched into .zarray before writing).
    private static ZarrStore Store(DataType type, long[] shape, int[] chunks, string shuffle, int level, int blockSize, byte[] data)
    {
        var memory = new MemoryStore();
        using (var setup = new ZarrStore(memory))
        {
            setup.CreateGroup(string.Empty);
            var mode = shuffle switch { "bitshuffle" => BloscShuffle.BitShuffle, "noshuffle" => BloscShuffle.NoShuffle, _ => BloscShuffle.Shuffle };
            setup.CreateArray("x", type, shape, chunks, new ArrayOptions { Format = ZarrFormat.V2, Compression = Compression.Blosc("lz4", level, mode) });
        }

        var meta = JsonNode.Parse(memory.Get("x/.zarray")!)!.AsObject();
        meta["compressor"]!["blocksize"] = blockSize;
        memory.Set("x/.zarray", Encoding.UTF8.GetBytes(meta.ToJsonString()));
        var store = new ZarrStore(memory);
        store.OpenArray("x").WriteBytes(new ArraySubset(new long[shape.Length], shape), data);
        return store;
    }

    private static double[] Values(long[] shape, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, (int)shape.Aggregate(1L, (a, b) => a * b)).Select(_ => Math.Round((rng.NextDouble() - 0.3) * 1000, 3)).ToArray();
    }

    private static byte[] MemoryMarshal(double[] values) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private static double Std(IReadOnlyCollection<double> v)
    {
        double mean = v.Average();
        return Math.Sqrt(v.Sum(e => (e - mean) * (e - mean)) / v.Count);
    }

    // Reduces a 1-D or 2-D C-order array along the marked axes, element by element.
    private static double[] Naive(double[] values, long[] shape, bool[] reduced, Func<double[], double> f)
    {
        long rows = shape[0], cols = shape.Length > 1 ? shape[1] : 1;
        var groups = new Dictionary<long, List<double>>();
        for (long r = 0; r < rows; r++)
        {
            for (long c = 0; c < cols; c++)
            {
                long key = (reduced[0] ? 0 : r * (reduced.Length > 1 && !reduced[1] ? cols : 1)) + (reduced.Length > 1 && !reduced[1] ? c : 0);
                if (!groups.TryGetValue(key, out var list))
                {
                    groups[key] = list = [];
                }

                list.Add(values[(r * cols) + c]);
            }
        }

        return groups.OrderBy(g => g.Key).Select(g => f([.. g.Value])).ToArray();
    }

    private static long[] NaiveArgMax(double[] values, long[] shape, int axis)
    {
        long rows = shape[0], cols = shape[1];
        long outer = axis == 0 ? cols : rows, inner = axis == 0 ? rows : cols;
        var result = new long[outer];
        for (long o = 0; o < outer; o++)
        {
            double best = double.NegativeInfinity;
            for (long i = 0; i < inner; i++)
            {
                double v = axis == 0 ? values[(i * cols) + o] : values[(o * cols) + i];
                if (v > best)
                {
                    best = v;
                    result[o] = i;
                }
            }
        }

        return result;
    }

    private static void AssertClose(double[] expected, double[] actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} results, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = 1e-9 * Math.Max(1, Math.Abs(expected[i]));
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"{what}: element {i} is {actual[i]}, expected {expected[i]}");
        }
    }
}
