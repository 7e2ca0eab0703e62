namespace ChunkCompute.Storage.Transactions;

/// <summary>
/// The leases of an object store's transaction log. Object stores cannot tell a live process from a dead one, so every
/// claim expires: a commit's writer publishes it within <see cref="CommitLease"/>, after which (plus
/// <see cref="ClockSkew"/>) another writer finishes it; a reader renews its pin every <see cref="PinRenewal"/>, and a pin
/// not renewed for <see cref="PinLease"/> is dead.
/// </summary>
internal sealed record ObjectLogTimings
{
    /// <summary>The defaults: 30 s to publish, 5 s of clock skew, pins renewed every 20 s and dead after 60 s.</summary>
    public static readonly ObjectLogTimings Default = new();

    /// <summary>How long a commit's writer alone publishes it.</summary>
    public TimeSpan CommitLease { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Added to <see cref="CommitLease"/> per key a commit publishes, divided by the requests made at once.</summary>
    public TimeSpan LeasePerKey { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The clocks of two machines writing one store are assumed to differ by less than this.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A pin not renewed for this long belongs to a dead reader.</summary>
    public TimeSpan PinLease { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a live handle renews its pin.</summary>
    public TimeSpan PinRenewal { get; init; } = TimeSpan.FromSeconds(20);
}
