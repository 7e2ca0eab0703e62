using System.Reflection;
using System.Runtime.InteropServices;

namespace ChunkCompute.Storage.Codecs.Native;

/// <summary>
/// One native compression library: whether it loads is probed once per process (<c>NativeLibrary.TryLoad</c>, at the
/// first codec call that could use it, never at start-up and never under <see cref="CodecBackend.Managed"/>).
/// </summary>
internal sealed class NativeCodecLibrary
{
    private readonly Lazy<bool> _available;

    /// <summary>Describes a library; nothing is loaded until <see cref="IsAvailable"/> is first read.</summary>
    internal NativeCodecLibrary(string library, string package)
    {
        Library = library;
        Package = package;
        _available = new Lazy<bool>(() => NativeLibrary.TryLoad(library, Assembly.GetExecutingAssembly(), null, out _), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>liblz4.so.1 (Debian liblz4-1).</summary>
    internal static NativeCodecLibrary Lz4 { get; } = new(Lz4Native.Library, Lz4Native.Package);

    /// <summary>libzstd.so.1 (Debian libzstd1).</summary>
    internal static NativeCodecLibrary Zstd { get; } = new(ZstdNative.Library, ZstdNative.Package);

    /// <summary>libbz2.so.1.0 (Debian libbz2-1.0).</summary>
    internal static NativeCodecLibrary Bz2 { get; } = new(Bz2Native.Library, Bz2Native.Package);

    /// <summary>The shared library's file name.</summary>
    internal string Library { get; }

    /// <summary>The Debian package that provides it.</summary>
    internal string Package { get; }

    /// <summary>Whether the library loads (probed once).</summary>
    internal bool IsAvailable => _available.Value;

    /// <summary>True when the library loads, else <see cref="NativeLibraryMissingException"/> for <paramref name="codec"/>.</summary>
    internal bool Require(string codec) => IsAvailable ? true : throw new NativeLibraryMissingException(Library, Package, codec);
}
