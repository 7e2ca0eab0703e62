namespace ChunkCompute.Storage;

/// <summary>
/// A codec needs a native library that is not installed. Raised when the codec is first used, never at start-up.
/// </summary>
public sealed class NativeLibraryMissingException : ChunkComputeException
{
    /// <summary>Creates the exception for <paramref name="library"/>, provided by Debian package <paramref name="package"/>.</summary>
    public NativeLibraryMissingException(string library, string package, string codec, Exception? innerException = null)
        : base($"The {codec} codec needs the native library '{library}', which was not found. Install it with: apt-get install {package}", innerException)
    {
        Library = library;
        Package = package;
    }

    /// <summary>The shared library's file name, e.g. <c>liblz4.so.1</c>.</summary>
    public string Library { get; }

    /// <summary>The Debian package that provides it, e.g. <c>liblz4-1</c>.</summary>
    public string Package { get; }
}
