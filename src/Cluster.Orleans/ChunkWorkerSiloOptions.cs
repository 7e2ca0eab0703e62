using System.Globalization;
using System.Net;

namespace ChunkCompute.Cluster.Orleans;

/// <summary>The settings of a worker silo (<see cref="ChunkWorkerSilo"/>).</summary>
public sealed class ChunkWorkerSiloOptions
{
    /// <summary>The default service and cluster id of ChunkCompute workers.</summary>
    public const string DefaultClusterId = "chunkcompute";

    /// <summary>The gateway port coordinators (<see cref="OrleansWorkers.ConnectAsync"/>) connect to.</summary>
    public int Port { get; init; } = 30000;

    /// <summary>The port silos talk to each other on; null for <see cref="Port"/> + 1.</summary>
    public int? SiloPort { get; init; }

    /// <summary>The address the silo listens on and advertises (default 127.0.0.1).</summary>
    public string Address { get; init; } = "127.0.0.1";

    /// <summary>
    /// "HOST:PORT" of another worker's gateway port (its <see cref="Port"/>; its silo port must be the default, PORT + 1):
    /// that worker is the cluster's primary and keeps the membership in memory (development clustering, for one machine
    /// or a trusted network). Null: this worker is the primary (or uses <see cref="RedisConnectionString"/>).
    /// </summary>
    public string? Join { get; init; }

    /// <summary>A Redis connection string: the membership is kept in Redis (workers on several machines, no primary).</summary>
    public string? RedisConnectionString { get; init; }

    /// <summary>The worker's memory budget in bytes.</summary>
    public long MemoryBudget { get; init; } = 1L << 30;

    /// <summary>Tasks run at once; 0 for the number of cores.</summary>
    public int Tasks { get; init; }

    /// <summary>The cluster id (coordinator and workers must agree).</summary>
    public string ClusterId { get; init; } = DefaultClusterId;

    /// <summary>How long a membership probe waits before it counts as missed (default 2 s).</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Missed probes before a silo is suspected dead (default 3).</summary>
    public int NumMissedProbesLimit { get; init; } = 3;

    /// <summary>The silo port actually used.</summary>
    public int EffectiveSiloPort => SiloPort ?? checked(Port + 1);

    internal static IPEndPoint ParseEndpoint(string value, string what)
    {
        int colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is <= 0 or > 65535)
        {
            throw new ArgumentException($"{what} '{value}' is not HOST:PORT");
        }

        string host = value[..colon].Trim('[', ']');
        if (!IPAddress.TryParse(host, out var address))
        {
            address = Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                ?? throw new ArgumentException($"{what} '{value}': host '{host}' has no IPv4 address");
        }

        return new IPEndPoint(address, port);
    }
}
