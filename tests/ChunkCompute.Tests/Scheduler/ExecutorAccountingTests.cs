using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.Scheduler;
using ChunkCompute.Tests.TestSupport;

namespace ChunkCompute.Tests.Scheduler;

/// <summary>Every byte reserved is released, also when a task fails or the run is cancelled.</summary>
public sealed class ExecutorAccountingTests
{
    private static ChunkExecutor Executor(ArrayNode output, long budget) =>
        new(ExecutionPlan.Create(TaskGraph.Build([output]), budget), new ComputeOptions { MemoryBudget = budget }, (_, _) => { });

    [Fact]
    public async Task RunAsync_FailingTask_ReleasesEveryReservation()
    {
        var executor = Executor(new WindowNode(new CountingSource(200 * 1024, 1024, failAt: 120)), 1 << 20);
        await Assert.ThrowsAsync<ChunkTaskFailedException>(() => executor.RunAsync(CancellationToken.None));
        Assert.Equal(0, executor.InUseBytes);
    }

    [Fact]
    public async Task RunAsync_Cancelled_ReleasesEveryReservation()
    {
        var executor = Executor(new AddNode(new CountingSource(400 * 1024, 1024, sleepMs: 5), new CountingSource(400 * 1024, 1024)), 1 << 20);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => executor.RunAsync(cts.Token));
        Assert.Equal(0, executor.InUseBytes);
    }

    [Fact]
    public async Task HeldBytes_AreReservedNotAllocated_AndCountInThePlan()
    {
        const int chunk = 1024, held = 64 * 1024;
        var node = new HoldingNode(new CountingSource(16 * chunk, chunk), held);
        var plan = ExecutionPlan.Create(TaskGraph.Build([node]), 1 << 20);
        Assert.All(plan.Order.Where(t => t.Node == node), t => Assert.Equal(held, t.HeldBytes));
        Assert.True(plan.ProjectedPeakBytes >= held + (2 * chunk * sizeof(double)), $"projected {plan.ProjectedPeakBytes}");

        var executor = new ChunkExecutor(plan, new ComputeOptions { MemoryBudget = 1 << 20 }, (_, _) => { });
        await executor.RunAsync(CancellationToken.None);
        Assert.InRange(executor.PeakBytes, held, 1 << 20);
        Assert.Equal(0, executor.InUseBytes);
        Assert.Equal(16, node.Runs);

        // Held bytes count against the budget: a budget that cannot hold them is refused before anything runs.
        Assert.Throws<MemoryPlanRefusedException>(() => ExecutionPlan.Create(TaskGraph.Build([new HoldingNode(new CountingSource(16 * chunk, chunk), held)]), held));
    }

    // Copies its input; declares bytes held in memory of its own and checks the scheduler allocated no scratch for them.
    private sealed class HoldingNode(ArrayNode input, long held) : ArrayNode(input.DataType, input.Grid, [input])
    {
        private int _runs;

        public int Runs => Volatile.Read(ref _runs);

        public override string Label => "test-holding";

        public override long HeldBytes(ReadOnlySpan<long> chunkIndex) => held;

        public override void Dependencies(ReadOnlySpan<long> chunkIndex, IList<ChunkDependency> dependencies) =>
            dependencies.Add(new ChunkDependency(0, chunkIndex.ToArray()));

        public override void Execute(ChunkKernelContext context)
        {
            Assert.Null(context.Scratch);
            context.Inputs[0].Bytes.CopyTo(context.Output.Bytes);
            Interlocked.Increment(ref _runs);
        }
    }
}
