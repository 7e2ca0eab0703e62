namespace ChunkCompute.Storage;

/// <summary>
/// A remote store could not be reached or kept failing (connection refused, timeouts, 5xx or throttling after every
/// retry, access denied): the message names the URL, what was asked and the last answer.
/// </summary>
public sealed class StoreUnavailableException : ChunkComputeException
{
    /// <summary>Creates the exception for <paramref name="url"/>.</summary>
    public StoreUnavailableException(string url, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Url = url;
    }

    /// <summary>The URL that failed.</summary>
    public string Url { get; }
}
