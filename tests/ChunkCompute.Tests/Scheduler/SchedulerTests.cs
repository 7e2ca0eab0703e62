using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Tests.TestSupport;

namespace ChunkCompute.Tests.Scheduler;

/// <summary>The memory budget is a hard limit, checked before running; failures, cancellation and progress behave.</summary>
public sealed class SchedulerTests
{
    private const int ChunkBytes = 1024 * sizeof(double);

    [Fact]
    public void Compute_RandomGraphsUnderSmallBudgets_PeakNeverExceedsBudget()
    {
        var rng = new Random(20261121);
        for (int trial = 0; trial < 40; trial++)
        {
            int chunks = rng.Next(1, 60);
            var a = new CountingSource(chunks * 1024L, 1024);
            var b = new CountingSource(chunks * 1024L, 1024);
            var nodes = new List<ArrayNode> { a, b };
            var expected = new List<Func<long, double>> { k => k, k => k };
            for (int n = 0; n < rng.Next(1, 6); n++)
            {
                int i = rng.Next(nodes.Count), j = rng.Next(nodes.Count);
                if (rng.Next(2) == 0)
                {
                    nodes.Add(new AddNode(nodes[i], nodes[j]));
                    var (fi, fj) = (expected[i], expected[j]);
                    expected.Add(k => fi(k) + fj(k));
                }
                else
                {
                    nodes.Add(new WindowNode(nodes[i]));
                    var fi = expected[i];
                    expected.Add(k => fi(k) + (k / 1024 > 0 ? fi(((k / 1024) - 1) * 1024) : 0));
                }
            }

            int outputs = rng.Next(1, 3);
            var requested = nodes.Skip(nodes.Count - outputs).ToArray();
            long budget = ChunkBytes * rng.Next(3, 12);
            try
            {
                var results = Computation.Compute(requested, new ComputeOptions { MemoryBudget = budget });
                for (int o = 0; o < outputs; o++)
                {
                    var r = (ComputedArray<double>)results[o];
                    Assert.True(r.Statistics.PeakMemoryBytes <= budget, $"trial {trial}: peak {r.Statistics.PeakMemoryBytes} > budget {budget}");
                    var f = expected[nodes.Count - outputs + o];
                    var data = r.ToArray();
                    for (long k = 0; k < data.Length; k += 97)
                    {
                        Assert.Equal(f(k), data[k]);
                    }
                }
            }
            catch (MemoryPlanRefusedException)
            {
                Assert.Equal(0, a.Executions + b.Executions);
            }
        }
    }

    [Fact]
    public void Compute_PlanThatCannotFit_IsRefusedBeforeAnyChunkIsRead()
    {
        var source = new CountingSource(100 * 1024, 1024);
        var all = new ChunkedArray<double>(new AllToOneNode(source));
        var ex = Assert.Throws<MemoryPlanRefusedException>(() => all.Compute(new ComputeOptions { MemoryBudget = 10 * ChunkBytes }));
        Assert.Equal(0, source.Executions);
        Assert.Equal("test-all-to-one", ex.Operation);
        Assert.True(ex.RequiredBytes > ex.BudgetBytes);
        Assert.Contains("budget", ex.Message, StringComparison.Ordinal);

        // With room for every input it runs, and the answer is the closed form sum 0..n-1.
        var ok = all.Compute(new ComputeOptions { MemoryBudget = 110 * ChunkBytes });
        Assert.Equal(102400.0 * 102399 / 2, ok.Value);
    }

    // Three outputs over two shared inputs, like Compute(u.Mean(), v.Mean(), (u * v).Mean()):
    //
    //   u[i]   v[i]
    //    | \   / |
    //    |  add  |
    //   out1 out3 out2
    //
    // Each source chunk must be produced once, and the order must interleave the outputs chunk by chunk so that u[i]
    // and v[i] are freed at once: the peak stays a few chunks, not all of u and v.
    [Fact]
    public void Compute_SeveralOutputsOverSharedInputs_ReadsEachChunkOnceWithSmallPeak()
    {
        var u = new CountingSource(200 * 1024, 1024);
        var v = new CountingSource(200 * 1024, 1024);
        var uv = new AddNode(u, v);
        var results = Computation.Compute([new WindowNode(u), new WindowNode(v), uv], new ComputeOptions { MemoryBudget = 64 * ChunkBytes, MaxDegreeOfParallelism = 2 });
        Assert.Equal(200, u.Executions);
        Assert.Equal(200, v.Executions);
        var sum = ((ComputedArray<double>)results[2]).ToArray();
        Assert.Equal(2.0 * 12345, sum[12345]);
        Assert.True(((ComputedArray<double>)results[0]).Statistics.PeakMemoryBytes <= 16 * ChunkBytes);
    }

    [Fact]
    public void Compute_FailingTask_SurfacesItsChunkAndOriginalException()
    {
        var source = new CountingSource(100 * 1024, 1024, failAt: 37);
        var ex = Assert.Throws<ChunkTaskFailedException>(() => new ChunkedArray<double>(new WindowNode(source)).Compute(new ComputeOptions { MemoryBudget = 1 << 20 }));
        Assert.Equal([37L], ex.ChunkIndex);
        Assert.Equal("counting-source", ex.Operation);
        var inner = Assert.IsType<InvalidOperationException>(ex.InnerException);
        Assert.Equal("boom at 37", inner.Message);
    }

    [Fact]
    public async Task ComputeAsync_Cancelled_StopsPromptly()
    {
        var source = new CountingSource(1000 * 1024, 1024, sleepMs: 20);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(150));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new ChunkedArray<double>(source).ComputeAsync(new ComputeOptions { MemoryBudget = 1 << 20 }, cts.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
        Assert.True(source.Executions < 1000);
    }

    [Fact]
    public void ToStore_WritesLazilyAndPublishesOnlyOnSuccess()
    {
        using var store = ZarrStore.InMemory();
        var data = Enumerable.Range(0, 5000).Select(i => i * 0.5).ToArray();
        var write = ChunkedArray.FromArray(data, 700).ToStore(store, "out/x");
        Assert.Null(store.GetNodeKind("out/x"));
        var stats = write.Compute(new ComputeOptions { MemoryBudget = 1 << 20 });
        Assert.True(stats.PeakMemoryBytes <= 1 << 20);
        Assert.Equal(data, store.OpenArray<double>("out/x").Read());

        var failing = new ChunkedArray<double>(new CountingSource(50 * 1024, 1024, failAt: 30)).ToStore(store, "bad");
        Assert.Throws<ChunkTaskFailedException>(() => failing.Compute());
        Assert.Null(store.GetNodeKind("bad"));
        Assert.Empty(store.Store.List("bad/"));
    }

    [Fact]
    public void Progress_FinalReport_CountsEveryTask()
    {
        var reports = new List<ComputeProgress>();
        var progress = new SynchronousProgress(reports);
        var result = new ChunkedArray<double>(new WindowNode(new CountingSource(64 * 1024, 1024))).Compute(new ComputeOptions { Progress = progress });
        Assert.NotEmpty(reports);
        Assert.Equal(result.Statistics.Tasks, reports[^1].TasksDone);
        Assert.Equal(reports[^1].TasksTotal, reports[^1].TasksDone);
    }

    [Fact]
    public void ExplainAndToDot_NameOperationsAndPeak()
    {
        var x = new ChunkedArray<double>(new WindowNode(new CountingSource(10 * 1024, 1024)));
        string plan = x.Explain(new ComputeOptions { MemoryBudget = 1 << 20 });
        Assert.Contains("test-window", plan, StringComparison.Ordinal);
        Assert.Contains("projected peak", plan, StringComparison.Ordinal);
        string dot = x.ToDot();
        Assert.StartsWith("digraph", dot, StringComparison.Ordinal);
        Assert.Contains("counting-source", dot, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_ManyTinyChunks_RunsEveryTask()
    {
        var data = Enumerable.Range(0, 100_000).Select(i => (double)i).ToArray();
        var result = new ChunkedArray<double>(new WindowNode(ChunkedArray.FromArray(data, 1).Node)).Compute();
        Assert.Equal(200_000, result.Statistics.Tasks);
        Assert.Equal(99_999.0 + 99_998.0, result.ToArray()[^1]);
    }

    private sealed class SynchronousProgress(List<ComputeProgress> reports) : IProgress<ComputeProgress>
    {
        public void Report(ComputeProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
