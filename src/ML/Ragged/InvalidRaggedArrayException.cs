using ChunkCompute.Storage;

namespace ChunkCompute.ML;

/// <summary>A node is not a ragged array, or its layout (attributes, values, offsets, shapes arrays) is inconsistent.</summary>
public sealed class InvalidRaggedArrayException : ChunkComputeException
{
    /// <summary>Creates the exception for the node at <paramref name="path"/> in <paramref name="store"/>.</summary>
    public InvalidRaggedArrayException(string store, string path, string reason, Exception? innerException = null)
        : base($"'{path}' in store '{store}' is not a valid ragged array: {reason}", innerException)
    {
        Store = store;
        Path = path;
    }

    /// <summary>The store that holds the node.</summary>
    public string Store { get; }

    /// <summary>The node's path.</summary>
    public string Path { get; }
}
