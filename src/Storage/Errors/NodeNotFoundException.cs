namespace ChunkCompute.Storage;

/// <summary>No array or group exists at the requested path.</summary>
public sealed class NodeNotFoundException : ChunkComputeException
{
    /// <summary>Creates the exception for <paramref name="path"/> in <paramref name="store"/>.</summary>
    public NodeNotFoundException(string store, string path, string kind)
        : base($"No {kind} found in store '{store}' at path '{path}'")
    {
        Store = store;
        Path = path;
    }

    /// <summary>The store searched.</summary>
    public string Store { get; }

    /// <summary>The node path that was not found.</summary>
    public string Path { get; }
}
