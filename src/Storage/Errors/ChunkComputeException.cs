namespace ChunkCompute.Storage;

/// <summary>
/// The root of every error ChunkCompute raises on purpose: corrupt or truncated chunks, unsupported codecs or data
/// types, shape mismatches, missing native libraries. Catch this type to handle all of them.
/// </summary>
public class ChunkComputeException : Exception
{
    /// <summary>Creates an exception with a message that says what was wrong and where.</summary>
    public ChunkComputeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    public ChunkComputeException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
