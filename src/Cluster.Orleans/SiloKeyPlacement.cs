using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace ChunkCompute.Cluster.Orleans;

/// <summary>Places a string-keyed grain on the silo its key names (a <see cref="SiloAddress.ToParsableString"/>).</summary>
[GenerateSerializer]
[Immutable]
[SuppressReferenceTracking]
internal sealed class SiloKeyPlacement : PlacementStrategy
{
    internal static readonly SiloKeyPlacement Instance = new();
}

/// <summary>Marks a grain class as placed by <see cref="SiloKeyPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class SiloKeyPlacementAttribute : PlacementAttribute
{
    public SiloKeyPlacementAttribute()
        : base(SiloKeyPlacement.Instance)
    {
    }
}

/// <summary>
/// Activates the grain on the silo named by its key, and refuses (the call fails, the coordinator retries the task
/// elsewhere) when that silo is not an active member of the cluster.
/// </summary>
internal sealed class SiloKeyPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        string key = target.GrainIdentity.Key.ToString() ?? string.Empty;
        foreach (var silo in context.GetCompatibleSilos(target))
        {
            if (string.Equals(silo.ToParsableString(), key, StringComparison.Ordinal))
            {
                return Task.FromResult(silo);
            }
        }

        throw new SiloUnavailableException($"silo {key} is not an active member of the cluster: its chunk worker cannot be placed");
    }
}
