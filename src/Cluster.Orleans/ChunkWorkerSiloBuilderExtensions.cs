using ChunkCompute.Scheduler;
using Microsoft.Extensions.DependencyInjection;

namespace ChunkCompute.Cluster.Orleans;

/// <summary>Hosts ChunkCompute workers in an Orleans silo.</summary>
public static class ChunkWorkerSiloBuilderExtensions
{
    /// <summary>
    /// Makes the silo a ChunkCompute worker: one <see cref="ChunkWorker"/> (named by the silo's gateway address, else its
    /// silo address) with <paramref name="memoryBudget"/> bytes for <paramref name="tasks"/> tasks at once, the grain
    /// <see cref="OrleansWorkers"/> sends tasks to, and the placement that keeps that grain on this silo. The process must
    /// have the cluster jobs it will be sent registered (<see cref="ClusterJobs.Register"/>).
    /// </summary>
    /// <param name="builder">The silo.</param>
    /// <param name="memoryBudget">The worker's memory budget in bytes (all its tasks together).</param>
    /// <param name="tasks">Tasks run at once; 0 for the number of cores.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static ISiloBuilder AddChunkWorkers(this ISiloBuilder builder, long memoryBudget, int tasks = 0)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(memoryBudget);
        ArgumentOutOfRangeException.ThrowIfNegative(tasks);
        builder.Services.AddSingleton(sp =>
        {
            var silo = sp.GetRequiredService<ILocalSiloDetails>();
            var endpoint = silo.GatewayAddress?.Endpoint ?? silo.SiloAddress.Endpoint;
            return new SiloChunkWorker(new ChunkWorker(endpoint.ToString(), memoryBudget, tasks));
        });
        builder.AddPlacementDirector<SiloKeyPlacement, SiloKeyPlacementDirector>();
        return builder;
    }
}
