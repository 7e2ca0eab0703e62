using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.Scheduler;
using ChunkCompute.Tests.TestSupport;

namespace ChunkCompute.Tests.Engine;

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
}
