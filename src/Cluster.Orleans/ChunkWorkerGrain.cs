using ChunkCompute.Scheduler;
using Orleans.Concurrency;

namespace ChunkCompute.Cluster.Orleans;

/// <summary>
/// The worker on one silo: its key is the silo's address (<see cref="SiloAddress.ToParsableString"/>), and
/// <see cref="SiloKeyPlacementDirector"/> activates it on that silo and nowhere else.
/// </summary>
internal interface IChunkWorkerGrain : IGrainWithStringKey
{
    /// <summary>The worker's name (its address), memory budget and task slots.</summary>
    Task<WorkerDescription> DescribeAsync();

    /// <summary>Runs a serialized <see cref="RemoteTask"/> and returns the serialized <see cref="RemoteTaskReply"/>.</summary>
    /// <remarks>Chunk tasks may run for minutes: the coordinator notices a dead silo through membership, not a timeout.</remarks>
    [ResponseTimeout("1.00:00:00")]
    Task<byte[]> RunAsync(byte[] task, CancellationToken cancellationToken);
}

/// <summary>What a silo's worker offers.</summary>
/// <param name="Name">The worker's address ("HOST:GATEWAYPORT"), used in replies and statistics.</param>
/// <param name="MemoryBudget">Its memory budget in bytes.</param>
/// <param name="Tasks">Tasks it runs at once.</param>
[GenerateSerializer]
[Immutable]
internal sealed record WorkerDescription([property: Id(0)] string Name, [property: Id(1)] long MemoryBudget, [property: Id(2)] int Tasks);

/// <summary>The silo's <see cref="ChunkWorker"/> (one per silo, shared by all its tasks).</summary>
internal sealed class SiloChunkWorker(ChunkWorker worker) : IDisposable
{
    public ChunkWorker Worker { get; } = worker;

    public void Dispose() => Worker.Dispose();
}

/// <summary>Runs tasks on the silo's <see cref="ChunkWorker"/>; reentrant, so its tasks run side by side.</summary>
[Reentrant]
[SiloKeyPlacement]
internal sealed class ChunkWorkerGrain(SiloChunkWorker worker, ILocalSiloDetails silo) : Grain, IChunkWorkerGrain
{
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // The placement director put it here; refuse anything else rather than run tasks on the wrong silo.
        string key = this.GetPrimaryKeyString();
        if (!string.Equals(key, silo.SiloAddress.ToParsableString(), StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"the chunk worker grain for silo {key} was activated on silo {silo.SiloAddress}");
        }

        return base.OnActivateAsync(cancellationToken);
    }

    public Task<WorkerDescription> DescribeAsync() =>
        Task.FromResult(new WorkerDescription(worker.Worker.Name, worker.Worker.MemoryBudget, worker.Worker.MaxConcurrentTasks));

    public Task<byte[]> RunAsync(byte[] task, CancellationToken cancellationToken) => worker.Worker.RunAsync(task, cancellationToken);
}
