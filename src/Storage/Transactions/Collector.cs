namespace ChunkCompute.Storage.Transactions;

/// <summary>What a collection removed, and the version at or below which it removed pre-images and records.</summary>
internal readonly record struct CollectResult(int PreImageVersions, int Records, int DeadPins, int OrphanedStagings, long Horizon);

/// <summary>
/// Garbage collection of the log, always under the commit lock. The horizon is the version read first, lowered to the
/// oldest live pin: records at or below it (and their pre-images) no live snapshot can need. A reader pins before it
/// reads the version it views, so a collection that missed its pin read a version at or below the one viewed, and every
/// record that view may need (those above it) is kept. Pins and stagings of dead processes are removed too.
/// </summary>
internal sealed class Collector
{
    private readonly LogFolder _folder;
    private readonly LogCounters _counters;
    private readonly RecordLog _records;
    private readonly PreImages _preImages;
    private readonly StagingArea _staging;
    private readonly LogTrash _trash;

    public Collector(LogFolder folder, LogCounters counters, RecordLog records, PreImages preImages, StagingArea staging, LogTrash trash)
    {
        _folder = folder;
        _counters = counters;
        _records = records;
        _preImages = preImages;
        _staging = staging;
        _trash = trash;
    }

    /// <summary>
    /// Removes pins of dead processes and the staged files of dead transactions; returns the collection horizon (the
    /// version, lowered to the oldest live pin). Call under the commit lock.
    /// </summary>
    public (int DeadPins, int Orphans, long Horizon) RemoveAbandonedLocked()
    {
        var (deadPins, horizon) = PinRegistry.RemoveDead(_folder, _counters.ReadVersion());
        int orphans = _staging.RemoveAbandoned(_trash);
        return (deadPins, orphans, horizon);
    }

    /// <summary>
    /// Removes what <see cref="RemoveAbandonedLocked"/> does, then every record at or below the horizon and its
    /// pre-images (moved to the trash, emptied after the lock is released). Call under the commit lock.
    /// </summary>
    public CollectResult CollectLocked()
    {
        var (deadPins, orphans, horizon) = RemoveAbandonedLocked();
        int preVersions = _preImages.RemoveAtOrBelow(horizon, _trash);
        int records = 0;
        foreach (long n in _records.Numbers().Where(n => n <= horizon).ToList())
        {
            _records.Delete(n);
            records++;
        }

        return new CollectResult(preVersions, records, deadPins, orphans, horizon);
    }
}
