using System.Collections.Concurrent;
using ChunkCompute.Graph;
using ChunkCompute.Storage;

namespace ChunkCompute.Scheduler;

/// <summary>
/// A computation that workers can rebuild: the name of a builder registered with <see cref="ClusterJobs"/> in every
/// process of the cluster (the coordinator's and the workers'), and the arguments it is built from. Workers run the
/// same code as the coordinator (as Orleans silos and Slurm jobs do): what travels is the name and the arguments, never
/// code, so any operation — user lambdas included — runs remotely.
/// </summary>
public sealed class ClusterJob
{
    /// <summary>Creates a job description.</summary>
    /// <exception cref="ArgumentException">The name is empty.</exception>
    public ClusterJob(string name, IReadOnlyList<string>? arguments = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Arguments = arguments?.ToArray() ?? [];
        if (Arguments.Any(a => a is null))
        {
            throw new ArgumentException($"cluster job '{name}': an argument is null", nameof(arguments));
        }
    }

    /// <summary>The registered builder's name.</summary>
    public string Name { get; }

    /// <summary>The builder's arguments.</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <inheritdoc/>
    public override string ToString() => Arguments.Count == 0 ? Name : $"{Name} {string.Join(' ', Arguments)}";
}

/// <summary>
/// Builds a job's output arrays (the values: reductions, rechunked arrays — not the writes of them) from its arguments.
/// It must build the same graph in every process for the same arguments.
/// </summary>
/// <param name="context">The job's arguments and the stores it opens.</param>
public delegate IReadOnlyList<ArrayNode> ClusterJobBuilder(ClusterJobContext context);

/// <summary>What a <see cref="ClusterJobBuilder"/> builds from: the arguments and a cache of opened stores.</summary>
public sealed class ClusterJobContext : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<ZarrStore>> _stores = new(StringComparer.Ordinal);

    internal ClusterJobContext(ClusterJob job) => Job = job;

    /// <summary>The job.</summary>
    public ClusterJob Job { get; }

    /// <summary>The job's arguments.</summary>
    public IReadOnlyList<string> Arguments => Job.Arguments;

    /// <summary>
    /// Opens an existing store by directory or URL (<c>s3://</c>, <c>az://</c>…), once per context: the arrays a job
    /// reads come from here, so a worker reuses the handle for every task of the job.
    /// </summary>
    public ZarrStore OpenStore(string location) => OpenStore(location, writeEmptyChunks: false);

    /// <summary>
    /// A store by location, once per context and per <paramref name="writeEmptyChunks"/>: a worker staging a write opens
    /// its own handle that writes chunks equal to the fill value (a writer joined to a transaction cannot delete a chunk
    /// an overwritten array had).
    /// </summary>
    internal ZarrStore OpenStore(string location, bool writeEmptyChunks)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(location);
        return _stores.GetOrAdd((writeEmptyChunks ? "w:" : "r:") + location, _ => new Lazy<ZarrStore>(() => writeEmptyChunks
            ? ZarrStore.OpenExisting(location, new ZarrStoreOptions { WriteEmptyChunks = true })
            : ZarrStore.OpenExisting(location))).Value;
    }

    /// <summary>Closes the stores the job opened.</summary>
    public void Dispose()
    {
        foreach (var s in _stores.Values)
        {
            if (s.IsValueCreated)
            {
                s.Value.Dispose();
            }
        }

        _stores.Clear();
    }
}

/// <summary>The process-wide registry of <see cref="ClusterJobBuilder"/>s, by name (register the same ones in every process).</summary>
public static class ClusterJobs
{
    private static readonly ConcurrentDictionary<string, ClusterJobBuilder> Builders = new(StringComparer.Ordinal);

    /// <summary>Registers <paramref name="builder"/> as <paramref name="name"/>; registering the same builder again is allowed.</summary>
    /// <exception cref="InvalidOperationException">Another builder is registered under that name.</exception>
    public static void Register(string name, ClusterJobBuilder builder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(builder);
        var existing = Builders.GetOrAdd(name, builder);
        if (existing != builder)
        {
            throw new InvalidOperationException($"a different cluster job builder is already registered as '{name}'");
        }
    }

    /// <summary>True when a builder is registered under <paramref name="name"/>.</summary>
    public static bool IsRegistered(string name) => name is not null && Builders.ContainsKey(name);

    /// <summary>Builds a job's outputs in this process (the coordinator's graph, or to inspect it).</summary>
    /// <exception cref="ChunkComputeException">No builder is registered under the job's name, or it built nothing.</exception>
    public static IReadOnlyList<ArrayNode> Build(ClusterJob job, ClusterJobContext context)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(context);
        if (!Builders.TryGetValue(job.Name, out var builder))
        {
            throw new ChunkComputeException($"cluster job '{job.Name}' is not registered in this process ({Environment.ProcessId}): register it with ClusterJobs.Register in the coordinator and in every worker");
        }

        var outputs = builder(context) ?? throw new ChunkComputeException($"cluster job '{job}' built no arrays");
        if (outputs.Count == 0 || outputs.Any(o => o is null))
        {
            throw new ChunkComputeException($"cluster job '{job}' built {(outputs.Count == 0 ? "no arrays" : "a null array")}");
        }

        return outputs;
    }

    /// <summary>Creates the context a job is built in (dispose it to close the stores the job opened).</summary>
    public static ClusterJobContext CreateContext(ClusterJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new ClusterJobContext(job);
    }
}
