using ChunkCompute.Cluster.Orleans;
using Orleans.Configuration;
using Orleans.TestingHost;
using Xunit;

namespace ChunkCompute.Tests.Cluster.Orleans;

/// <summary>
/// An in-process Orleans cluster of three silos, each hosting a ChunkCompute worker (64 MiB, 2 tasks), with membership
/// tight enough to declare a killed silo dead within seconds. Shared by a test class (starting silos takes seconds).
/// </summary>
public sealed class OrleansTestCluster : IAsyncLifetime
{
    public const long Budget = 64L << 20;

    /// <summary>The Orleans tests run one class at a time: they count the slow job's kernel runs in this process.</summary>
    public const string Collection = "orleans";

    public TestCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        ChunkCompute.Tests.Scheduler.Cluster.OrleansTestJobs.Register();
        var builder = new TestClusterBuilder(3);
        builder.AddSiloBuilderConfigurator<WorkerSilo>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }

    private sealed class WorkerSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddChunkWorkers(Budget, tasks: 2);
            siloBuilder.Configure<ClusterMembershipOptions>(m => ChunkWorkerSilo.Tighten(m, TimeSpan.FromSeconds(1), 2));
        }
    }
}
