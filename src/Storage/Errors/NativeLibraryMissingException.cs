namespace ChunkCompute.Storage;

/// <summary>
/// A codec was forced onto its native library (<see cref="Codecs.CodecBackend.Native"/>) and the library is not
/// installed. Raised when the codec is first used, never at start-up; under <see cref="Codecs.CodecBackend.Auto"/> a
/// missing library means the managed implementation is used instead.
/// </summary>
public sealed class NativeLibraryMissingException : ChunkComputeException
{
    /// <summary>Creates the exception for <paramref name="library"/>, provided by Debian package <paramref name="package"/>.</summary>
    public NativeLibraryMissingException(string library, string package, string codec, Exception? innerException = null)
        : base($"The {codec} codec needs the native library '{library}', which was not found. Install it with: apt-get install {package} (or set {Codecs.CodecBackends.EnvironmentVariable}=auto to use the managed implementation)", innerException)
    {
        Library = library;
        Package = package;
    }

    /// <summary>The shared library's file name, e.g. <c>liblz4.so.1</c>.</summary>
    public string Library { get; }

    /// <summary>The Debian package that provides it, e.g. <c>liblz4-1</c>.</summary>
    public string Package { get; }
}
