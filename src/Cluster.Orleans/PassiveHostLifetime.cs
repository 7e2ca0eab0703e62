using Microsoft.Extensions.Hosting;

namespace ChunkCompute.Cluster.Orleans;

/// <summary>
/// A host lifetime that hooks no signals: the silo's or client's host is started and stopped by its owner, and Ctrl-C or
/// SIGTERM stay the application's (the default console lifetime would swallow them without stopping anything).
/// </summary>
internal sealed class PassiveHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
