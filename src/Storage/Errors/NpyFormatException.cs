namespace ChunkCompute.Storage;

/// <summary>
/// A NumPy <c>.npy</c> file is malformed or uses a feature ChunkCompute does not read: bad magic, unsupported format
/// version, malformed header dictionary, unsupported data type (complex, objects, strings, structured), or a file shorter
/// than its header promises. Also raised when an <see cref="Npy.NpyWriter"/> is closed before all elements were written.
/// </summary>
public sealed class NpyFormatException : ChunkComputeException
{
    /// <summary>Creates the exception for the file (or stream name) <paramref name="file"/>.</summary>
    public NpyFormatException(string file, string reason, Exception? innerException = null)
        : base($"NumPy file '{file}': {reason}", innerException)
    {
        File = file;
        Reason = reason;
    }

    /// <summary>The file path, or the name given for a stream.</summary>
    public string File { get; }

    /// <summary>What is wrong, without the file name.</summary>
    public string Reason { get; }
}
