using System.Globalization;
using System.Text.Json;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Npy;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Ops.Structure;

/// <summary>
/// <c>Rechunk</c> records its target only; the route (in memory, or through a temporary on-disk array) is chosen when
/// the computation is planned, from <see cref="ComputeOptions.MemoryBudget"/> and the whole graph.
/// </summary>
public sealed class RechunkRouteTests
{
    [Fact]
    public void Rechunk_SameExpressionTwoBudgets_TwoRoutesSameNumPyResult()
    {
        // f64.npy is (3, 4, 5); slabs along axis 0 to columns along the last axis (every target chunk needs every
        // source chunk), then summed over axis 0, against NumPy's np.sum(a, axis=0).
        string dir = Path.Combine(FixturePaths.Root, "ops", "reductions");
        var data = Npy.Load<double>(Path.Combine(dir, "f64.npy"), out var shape);
        Assert.Equal([3L, 4, 5], shape);
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")));
        var expected = manifest.RootElement.GetProperty("cases").EnumerateArray()
            .Single(c => c.GetProperty("input").GetString() == "f64" && c.GetProperty("op").GetString() == "sum"
                && c.GetProperty("axis").ValueKind == JsonValueKind.Number && c.GetProperty("axis").GetInt32() == 0
                && !c.GetProperty("keepdims").GetBoolean())
            .GetProperty("values").EnumerateArray().Select(v => double.Parse(v.GetString()!, CultureInfo.InvariantCulture)).ToArray();

        var x = ChunkedArray.FromArray(data, shape, [1, 4, 5]);
        var sum = x.Rechunk([3, 4, 1]).Sum(axis: 0);

        // A 1 MiB budget keeps the rechunk in memory; 400 bytes is below what any in-memory plan holds (the first
        // column needs all three 160-byte slabs plus itself: 576 bytes), so the same expression goes through disk.
        var roomy = new ComputeOptions { MemoryBudget = 1L << 20 };
        var tight = new ComputeOptions { MemoryBudget = 400 };
        Assert.Equal(["rechunk"], ExecutionPlan.Create([sum.Node], roomy).Routes.Values.Select(r => r.Label));
        Assert.Equal(["rechunk-load"], ExecutionPlan.Create([sum.Node], tight).Routes.Values.Select(r => r.Label));
        Assert.Contains("route: rechunk", sum.Explain(tight), StringComparison.Ordinal);
        Assert.Contains("rechunk-spill", sum.Explain(tight), StringComparison.Ordinal);
        Assert.DoesNotContain("rechunk-spill", sum.Explain(roomy), StringComparison.Ordinal);

        foreach (var options in new[] { roomy, tight })
        {
            var r = sum.Compute(options);
            Assert.Equal([4L, 5], r.Shape);
            var actual = r.ToArray();
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(actual[i] - expected[i]) <= (1e-12 * Math.Abs(expected[i])) + 1e-9, $"budget {options.MemoryBudget}: [{i}] {actual[i]} vs NumPy {expected[i]}");
            }

            Assert.True(r.Statistics.PeakMemoryBytes <= options.MemoryBudget, $"peak {r.Statistics.PeakMemoryBytes} > {options.MemoryBudget}");
        }
    }

    [Fact]
    public void Rechunk_FeedingConsumerThatHoldsMemory_IsPlannedWithTheConsumerCounted()
    {
        // 256 × 256 float32 (256 KiB) stored in row bands, rechunked to column bands (all to all): in memory every
        // row band stays until the last column band is done. Its consumer holds 96 KiB of its own per task.
        const int N = 256;
        const long Held = 96L << 10;
        using var store = ZarrStore.InMemory();
        var data = Enumerable.Range(0, N * N).Select(i => (float)((i * 7) % 1009)).ToArray();
        store.CreateArray<float>("x", [N, N], [16, N]).Write(data, TestContext.Current.CancellationToken);
        var rechunked = store.Open<float>("x").Rechunk([N, 16]);
        var consumer = new HoldingCopyNode(rechunked.Node, Held);

        // The budget fits the in-memory rechunk alone, but not with the consumer's bytes next to it.
        long alone = ExecutionPlan.Create([rechunked.Node], new ComputeOptions { MemoryBudget = 1L << 30 }).ProjectedPeakBytes;
        long budget = alone + (Held / 2);
        var options = new ComputeOptions { MemoryBudget = budget };
        Assert.Equal("rechunk", ExecutionPlan.Create([rechunked.Node], options).Routes.Values.Single().Label);

        // Planned on its own (what Rechunk(memoryBudget) used to do when the expression was built), the rechunk
        // would stay in memory and the computation would then be refused.
        var planned = Assert.IsAssignableFrom<PlannedNode>(rechunked.Node);
        var inMemory = planned.Routes(new PlanningContext(budget, null))[0];
        Assert.Equal("rechunk", inMemory.Label);
        var refused = Assert.Throws<MemoryPlanRefusedException>(() =>
            ExecutionPlan.Create(TaskGraph.Build([consumer], new Dictionary<ArrayNode, ArrayNode> { [planned] = inMemory }), budget));
        Assert.True(refused.RequiredBytes > budget);

        // Planned with the whole graph, it goes through disk and the computation fits.
        var plan = ExecutionPlan.Create([consumer], options);
        Assert.Equal("rechunk-load", plan.Routes.Values.Single().Label);
        Assert.True(plan.ProjectedPeakBytes <= budget);
        var r = (ComputedArray<float>)Computation.Compute([consumer], options, TestContext.Current.CancellationToken)[0];
        Assert.Equal(data, r.ToArray());
        Assert.True(r.Statistics.PeakMemoryBytes <= budget, $"peak {r.Statistics.PeakMemoryBytes} > {budget}");
        Assert.Equal(N / 16, consumer.Runs);
    }

    [Fact]
    public void Rechunk_NoRouteFitsOneTask_RefusedAtPlanTimeNamingArrayNeedAndBudget()
    {
        using var store = ZarrStore.InMemory();
        store.CreateArray<float>("big", [512, 512], [512, 512]);
        var y = store.Open<float>("big").Rechunk([8, 512]);
        var options = new ComputeOptions { MemoryBudget = 64L << 10 };
        var e = Assert.Throws<RechunkBudgetException>(() => y.Explain(options));
        Assert.Contains("read big", e.Message, StringComparison.Ordinal);
        Assert.Contains("64 KiB", e.Message, StringComparison.Ordinal);
        Assert.Equal(64L << 10, e.BudgetBytes);
        Assert.True(e.RequiredBytes >= 1L << 20, $"needs {e.RequiredBytes}");
        Assert.Throws<RechunkBudgetException>(() => y.Compute(options));
    }

    [Fact]
    public void PlannedRechunk_LoweredWithoutPlanning_SaysToPlanThroughTheScheduler()
    {
        var x = ChunkedArray.FromArray(Enumerable.Range(0, 64).Select(i => (double)i).ToArray(), [8, 8], [1, 8]);
        var y = x.Rechunk([8, 1]);
        var e = Assert.Throws<InvalidOperationException>(() => TaskGraph.Build([y.Node]));
        Assert.Contains("has no route", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Copies its input chunk; holds <paramref name="held"/> bytes of its own while it runs.</summary>
    private sealed class HoldingCopyNode(ArrayNode input, long held) : ArrayNode(input.DataType, input.Grid, [input])
    {
        private int _runs;

        public int Runs => Volatile.Read(ref _runs);

        public override string Label => "test-holding-copy";

        public override long HeldBytes(ReadOnlySpan<long> chunkIndex) => held;

        public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies) =>
            dependencies.Add(new ChunkDependency(0, chunkIndex.ToArray()));

        public override void Execute(ChunkKernelContext context)
        {
            context.Inputs[0].Bytes.CopyTo(context.Output.Bytes);
            Interlocked.Increment(ref _runs);
        }
    }
}
