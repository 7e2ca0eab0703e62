namespace ChunkCompute.Storage.Stores;

/// <summary>What <see cref="IStore.CopyIfAbsent"/> did.</summary>
public enum CopyOutcome
{
    /// <summary>The destination was created with the source's value.</summary>
    Copied,

    /// <summary>Nothing copied: the source does not exist or no longer has the expected version.</summary>
    SourceChanged,

    /// <summary>Nothing copied: the destination already exists.</summary>
    DestinationExists,
}
