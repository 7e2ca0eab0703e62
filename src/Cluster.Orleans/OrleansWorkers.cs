using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansClusterOptions = Orleans.Configuration.ClusterOptions;

namespace ChunkCompute.Cluster.Orleans;

/// <summary>The settings of <see cref="OrleansWorkers"/>.</summary>
public sealed class OrleansWorkersOptions
{
    /// <summary>A Redis connection string: find the silos through the Redis membership instead of the gateways given.</summary>
    public string? RedisConnectionString { get; init; }

    /// <summary>The cluster id (the workers' <see cref="ChunkWorkerSiloOptions.ClusterId"/>).</summary>
    public string ClusterId { get; init; } = ChunkWorkerSiloOptions.DefaultClusterId;

    /// <summary>Tasks kept in flight; null for twice the silos' task slots.</summary>
    public int? MaxTasksInFlight { get; init; }

    /// <summary>How often the active silos are listed again (also after any failed call). Default 2 s.</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a silo a call failed on gets no tasks unless no other is left (default 10 s; the coordinator also avoids it for the task that failed).</summary>
    public TimeSpan LostSiloQuarantine { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long <see cref="OrleansWorkers.ConnectAsync"/> waits for a worker to answer before it fails (default 30 s).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Runs a computation's chunk tasks on the silos of an Orleans cluster that host ChunkCompute workers
/// (<see cref="ChunkWorkerSiloBuilderExtensions.AddChunkWorkers"/>, <see cref="ChunkWorkerSilo"/>,
/// <c>chunkcompute worker</c>). Each task goes to the least busy active silo not avoided, to a grain placed on exactly
/// that silo; a call that fails (silo unreachable, killed, declared dead) is a <see cref="WorkerLostException"/> the
/// coordinator retries elsewhere. Orleans itself retries nothing.
/// </summary>
public sealed class OrleansWorkers : IChunkWorkers, IAsyncDisposable
{
    private readonly IClusterClient _client;
    private readonly IHost? _host;
    private readonly OrleansWorkersOptions _options;
    private readonly string _name;
    private readonly object _gate = new();
    private readonly Dictionary<string, Silo> _silos = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTime> _quarantine = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();
    private readonly Task _watching;
    private long _lastRefresh;
    private long _budget;
    private int _slots;
    private int _next;
    private CancellationTokenSource _epoch = new();

    /// <summary>Uses an existing client of a cluster whose silos host ChunkCompute workers.</summary>
    /// <param name="client">The client (started; the caller keeps owning it).</param>
    /// <param name="options">Settings; null for the defaults.</param>
    public OrleansWorkers(IClusterClient client, OrleansWorkersOptions? options = null)
        : this(client, null, options, "orleans cluster")
    {
    }

    private OrleansWorkers(IClusterClient client, IHost? host, OrleansWorkersOptions? options, string name)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _host = host;
        _options = options ?? new OrleansWorkersOptions();
        _name = name;
        _watching = Task.Run(WatchAsync);
    }

    /// <summary>Connects to the workers at <paramref name="gateways"/> ("HOST:PORT", their gateway ports) and lists them.</summary>
    /// <exception cref="ArgumentException">A gateway is not HOST:PORT.</exception>
    /// <exception cref="ChunkComputeException">No worker could be reached.</exception>
    public static async Task<OrleansWorkers> ConnectAsync(IReadOnlyList<string> gateways, OrleansWorkersOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(gateways);
        options ??= new OrleansWorkersOptions();
        if (gateways.Count == 0 && options.RedisConnectionString is null)
        {
            throw new ArgumentException("no gateway given", nameof(gateways));
        }

        var endpoints = gateways.Select(g => ChunkWorkerSiloOptions.ParseEndpoint(g, "gateway")).ToArray();
        var host = new HostBuilder()
            .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .ConfigureServices(s => s.AddSingleton<IHostLifetime, PassiveHostLifetime>())
            .UseOrleansClient(client =>
            {
                client.Configure<OrleansClusterOptions>(o =>
                {
                    o.ClusterId = options.ClusterId;
                    o.ServiceId = options.ClusterId;
                });
                if (options.RedisConnectionString is { } redis)
                {
                    client.UseRedisClustering(redis);
                }
                else
                {
                    client.UseStaticClustering(endpoints);
                }
            })
            .Build();
        OrleansWorkers? workers = null;
        string name = "orleans " + (gateways.Count > 0 ? string.Join(',', gateways) : "redis");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            // The client retries a gateway that does not answer for ever: the timeout bounds the wait.
            await host.StartAsync(timeout.Token).ConfigureAwait(false);
            workers = new OrleansWorkers(host.Services.GetRequiredService<IClusterClient>(), host, options, name);
            await workers.RefreshAsync(timeout.Token).ConfigureAwait(false);
            if (workers.Silos.Count == 0)
            {
                throw new ChunkComputeException($"{name}: no worker silo answered");
            }

            return workers;
        }
        catch (Exception ex) when (ex is OperationCanceledException && timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            await DisposeAsync(workers, host).ConfigureAwait(false);
            throw new ChunkComputeException($"{name}: no worker answered within {options.ConnectTimeout.TotalSeconds:0.#} s (is 'chunkcompute worker' running there, and reachable?)", ex);
        }
        catch
        {
            if (workers is not null)
            {
                await workers.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                host.Dispose();
            }

            throw;
        }
    }

    private static async ValueTask DisposeAsync(OrleansWorkers? workers, IHost host)
    {
        if (workers is not null)
        {
            await workers.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            host.Dispose();
        }
    }

    /// <inheritdoc/>
    public string Name => _name;

    /// <inheritdoc/>
    /// <remarks>The smallest budget of the silos' workers (listed on first use).</remarks>
    public long WorkerMemoryBudget
    {
        get
        {
            EnsureListed();
            return Interlocked.Read(ref _budget);
        }
    }

    /// <inheritdoc/>
    /// <remarks><see cref="OrleansWorkersOptions.MaxTasksInFlight"/>, else twice the silos' task slots.</remarks>
    public int MaxTasksInFlight
    {
        get
        {
            if (_options.MaxTasksInFlight is { } n)
            {
                return n;
            }

            EnsureListed();
            return Math.Max(1, Volatile.Read(ref _slots) * 2);
        }
    }

    /// <summary>The workers (their names, the silos' gateway addresses) found at the last listing.</summary>
    public IReadOnlyList<string> Silos
    {
        get
        {
            lock (_gate)
            {
                return _silos.Values.Select(s => s.Name).Order(StringComparer.Ordinal).ToArray();
            }
        }
    }

    /// <inheritdoc/>
    public async Task<RemoteTaskReply> RunAsync(RemoteTask task, IReadOnlySet<string> avoid, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(avoid);
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        if (Environment.TickCount64 - Interlocked.Read(ref _lastRefresh) > _options.RefreshInterval.TotalMilliseconds)
        {
            await TryRefreshAsync(cancellationToken).ConfigureAwait(false);
        }

        var silo = Choose(avoid);
        if (silo is null)
        {
            await TryRefreshAsync(cancellationToken).ConfigureAwait(false);
            silo = Choose(avoid) ?? throw new WorkerLostException(Name, "no active worker silo");
        }

        byte[] reply;
        CancellationToken epoch;
        lock (_gate)
        {
            epoch = _epoch.Token;
        }

        try
        {
            // Ended when the silo leaves the cluster, and when any silo leaves: the call (or its answer) may have gone
            // through that silo's gateway, and Orleans does not fail calls whose gateway died.
            using var call = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, silo.Gone.Token, epoch);
            var grain = _client.GetGrain<IChunkWorkerGrain>(silo.Key);
            reply = await grain.RunAsync(task.ToBytes(), call.Token).WaitAsync(call.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException ex) when (epoch.IsCancellationRequested && !silo.Gone.IsCancellationRequested)
        {
            throw new WorkerLostException(silo.Name, "another silo left the cluster while the task ran: its call may have been relayed by that silo", ex);
        }
        catch (Exception ex)
        {
            Lost(silo);
            string why = silo.Gone.IsCancellationRequested ? "the silo left the cluster while running the task" : ex.Message;
            throw new WorkerLostException(silo.Name, why, ex);
        }
        finally
        {
            Interlocked.Decrement(ref silo.Running);
        }

        return RemoteTaskReply.FromBytes(reply);
    }

    /// <summary>Lists the active silos again and asks new ones for their workers' budgets and slots.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken = default)
    {
        await _refreshing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var hosts = await _client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            var active = hosts.Where(h => h.Value == SiloStatus.Active).Select(h => h.Key.ToParsableString()).ToHashSet(StringComparer.Ordinal);
            List<string> unknown;
            CancellationTokenSource? ended = null;
            lock (_gate)
            {
                foreach (var gone in _silos.Keys.Where(k => !active.Contains(k)).ToArray())
                {
                    _silos[gone].Gone.Cancel();
                    _silos.Remove(gone);
                    _quarantine.Remove(gone);
                    if (ended is null)
                    {
                        ended = _epoch;
                        _epoch = new CancellationTokenSource();
                    }
                }

                unknown = active.Where(k => !_silos.ContainsKey(k)).ToList();
            }

            if (ended is not null)
            {
                await ended.CancelAsync().ConfigureAwait(false);
            }

            var described = await Task.WhenAll(unknown.Select(k => DescribeAsync(k, cancellationToken))).ConfigureAwait(false);
            lock (_gate)
            {
                foreach (var silo in described)
                {
                    if (silo is not null)
                    {
                        _silos[silo.Key] = silo;
                    }
                }

                if (_silos.Count > 0)
                {
                    Interlocked.Exchange(ref _budget, _silos.Values.Min(s => s.Budget));
                    Volatile.Write(ref _slots, _silos.Values.Sum(s => s.Tasks));
                }
            }

            Interlocked.Exchange(ref _lastRefresh, Environment.TickCount64);
        }
        finally
        {
            _refreshing.Release();
        }
    }

    /// <summary>Disconnects (when this instance made the client) and forgets the silos.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        await _disposed.CancelAsync().ConfigureAwait(false);
        await _watching.ConfigureAwait(false);
        lock (_gate)
        {
            foreach (var s in _silos.Values)
            {
                s.Gone.Dispose();
            }

            _silos.Clear();
            _epoch.Dispose();
        }

        if (_host is not null)
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

        _disposed.Dispose();
    }

    // Lists the silos every RefreshInterval while tasks run: a silo declared dead has its calls cancelled (they are
    // WorkerLostExceptions then) even when no new task comes to notice it.
    private async Task WatchAsync()
    {
        using var timer = new PeriodicTimer(_options.RefreshInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_disposed.Token).ConfigureAwait(false))
            {
                bool busy;
                lock (_gate)
                {
                    busy = _silos.Values.Any(s => Volatile.Read(ref s.Running) > 0);
                }

                if (busy)
                {
                    await TryRefreshAsync(_disposed.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    private async Task<Silo?> DescribeAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var d = await _client.GetGrain<IChunkWorkerGrain>(key).DescribeAsync().WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            return new Silo(key, d.Name, d.MemoryBudget, d.Tasks);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return null; // not a worker silo, or gone already: listed again at the next refresh
        }
    }

    private async Task TryRefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Keep the last listing: the calls themselves tell lost silos.
        }
    }

    private void EnsureListed()
    {
        bool listed;
        lock (_gate)
        {
            listed = _silos.Count > 0;
        }

        if (!listed)
        {
            RefreshAsync().GetAwaiter().GetResult();
        }
    }

    // The least busy silo (running tasks per slot) not avoided and not quarantined; failing that, any silo; ties in turn.
    private Silo? Choose(IReadOnlySet<string> avoid)
    {
        lock (_gate)
        {
            var now = DateTime.UtcNow;
            var silos = _silos.Values.OrderBy(s => s.Key, StringComparer.Ordinal).ToArray();
            if (silos.Length == 0)
            {
                return null;
            }

            int start = _next++ % silos.Length;
            Silo? best = null;
            for (int pass = 0; pass < 2 && best is null; pass++)
            {
                for (int k = 0; k < silos.Length; k++)
                {
                    var s = silos[(start + k) % silos.Length];
                    bool shunned = avoid.Contains(s.Name) || (_quarantine.TryGetValue(s.Key, out var until) && until > now);
                    if (pass == 0 && shunned)
                    {
                        continue;
                    }

                    if (best is null || (double)s.Running / s.Tasks < (double)best.Running / best.Tasks)
                    {
                        best = s;
                    }
                }
            }

            Interlocked.Increment(ref best!.Running);
            return best;
        }
    }

    private void Lost(Silo silo)
    {
        lock (_gate)
        {
            _quarantine[silo.Key] = DateTime.UtcNow + _options.LostSiloQuarantine;
        }

        Interlocked.Exchange(ref _lastRefresh, 0); // list again at the next task
    }

    private sealed class Silo(string key, string name, long budget, int tasks)
    {
        public int Running;

        public string Key { get; } = key;

        public string Name { get; } = name;

        public long Budget { get; } = budget;

        public int Tasks { get; } = Math.Max(1, tasks);

        public CancellationTokenSource Gone { get; } = new();
    }
}
