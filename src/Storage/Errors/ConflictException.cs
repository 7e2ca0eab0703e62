namespace ChunkCompute.Storage;

/// <summary>
/// A transaction could not commit because another commit changed a chunk or a metadata document it wrote or read
/// after it began (optimistic concurrency). The store is left exactly as the other commit left it; run the
/// transaction again (see <see cref="ZarrStore.Transact"/>) to apply it on top of the latest version.
/// </summary>
public sealed class ConflictException : ChunkComputeException
{
    /// <summary>Creates the exception for one conflicting key.</summary>
    public ConflictException(string store, string array, string key, long startVersion, long conflictingVersion)
        : base($"Conflict in store '{store}': {(array.Length == 0 ? "the root" : $"array or group '{array}'")}, key '{key}', was changed by the commit of version {conflictingVersion} after this transaction began at version {startVersion}; nothing was committed — retry the transaction on the latest version")
    {
        Store = store;
        Array = array;
        Key = key;
        StartVersion = startVersion;
        ConflictingVersion = conflictingVersion;
    }

    /// <summary>The store's name.</summary>
    public string Store { get; }

    /// <summary>The node (array or group path) whose key conflicted.</summary>
    public string Array { get; }

    /// <summary>The conflicting store key: a chunk key or a metadata document.</summary>
    public string Key { get; }

    /// <summary>The version the transaction started from.</summary>
    public long StartVersion { get; }

    /// <summary>The version whose commit changed the key.</summary>
    public long ConflictingVersion { get; }
}
