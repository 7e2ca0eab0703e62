using System.Net;
using ChunkCompute.Scheduler;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using OrleansClusterOptions = Orleans.Configuration.ClusterOptions;

namespace ChunkCompute.Cluster.Orleans;

/// <summary>
/// A ChunkCompute worker in its own Orleans silo, listening on <see cref="ChunkWorkerSiloOptions.Address"/> until stopped
/// (what <c>chunkcompute worker</c> runs). Coordinators connect with <see cref="OrleansWorkers.ConnectAsync"/>.
/// </summary>
public sealed class ChunkWorkerSilo : IAsyncDisposable
{
    private readonly IHost _host;

    private ChunkWorkerSilo(IHost host, ChunkWorker worker)
    {
        _host = host;
        Worker = worker;
    }

    /// <summary>The silo's worker (its name is the gateway address coordinators connect to).</summary>
    public ChunkWorker Worker { get; }

    /// <summary>Starts a worker silo; it runs until disposed.</summary>
    /// <exception cref="ArgumentException">An address in <paramref name="options"/> is not HOST:PORT.</exception>
    public static async Task<ChunkWorkerSilo> StartAsync(ChunkWorkerSiloOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MemoryBudget);
        if (!IPAddress.TryParse(options.Address, out var address))
        {
            throw new ArgumentException($"address '{options.Address}' is not an IP address");
        }

        var own = new IPEndPoint(address, options.EffectiveSiloPort);
        IPEndPoint? primary = null;
        if (options.Join is { } join)
        {
            var gateway = ChunkWorkerSiloOptions.ParseEndpoint(join, "--join");
            primary = new IPEndPoint(gateway.Address, gateway.Port + 1);
        }

        var host = new HostBuilder()
            .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .ConfigureServices(s => s.AddSingleton<IHostLifetime, PassiveHostLifetime>())
            .UseOrleans(silo =>
            {
                silo.Configure<OrleansClusterOptions>(o =>
                {
                    o.ClusterId = options.ClusterId;
                    o.ServiceId = options.ClusterId;
                });
                if (options.RedisConnectionString is { } redis)
                {
                    silo.UseRedisClustering(redis);
                }
                else
                {
                    silo.UseDevelopmentClustering(primary ?? own);
                }

                silo.ConfigureEndpoints(address, options.EffectiveSiloPort, options.Port, listenOnAnyHostAddress: false);
                silo.Configure<ClusterMembershipOptions>(m => Tighten(m, options.ProbeTimeout, options.NumMissedProbesLimit));
                silo.AddChunkWorkers(options.MemoryBudget, options.Tasks);
            })
            .Build();
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            return new ChunkWorkerSilo(host, host.Services.GetRequiredService<SiloChunkWorker>().Worker);
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>Runs a worker silo until <paramref name="cancellationToken"/> is cancelled, then stops it.</summary>
    /// <param name="options">The silo's settings.</param>
    /// <param name="cancellationToken">Stops the silo.</param>
    /// <param name="started">Called once the silo has joined the cluster and listens.</param>
    public static async Task RunAsync(ChunkWorkerSiloOptions options, CancellationToken cancellationToken, Action<ChunkWorkerSilo>? started = null)
    {
        var silo = await StartAsync(options, cancellationToken).ConfigureAwait(false);
        await using (silo.ConfigureAwait(false))
        {
            started?.Invoke(silo);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Stopped: leave the cluster below.
            }
        }
    }

    /// <summary>Leaves the cluster (running tasks are cancelled) and stops the silo.</summary>
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _host.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            _host.Dispose();
        }
    }

    /// <summary>Membership settings that notice a dead silo within a few probe timeouts.</summary>
    internal static void Tighten(ClusterMembershipOptions m, TimeSpan probeTimeout, int missedProbes)
    {
        m.ProbeTimeout = probeTimeout;
        m.NumMissedProbesLimit = missedProbes;
        m.NumVotesForDeathDeclaration = 1;
        m.TableRefreshTimeout = probeTimeout;
        m.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(Math.Max(5, probeTimeout.TotalSeconds * 5));
        m.DefunctSiloExpiration = TimeSpan.FromMinutes(1);
        m.DefunctSiloCleanupPeriod = TimeSpan.FromMinutes(1);
    }
}
