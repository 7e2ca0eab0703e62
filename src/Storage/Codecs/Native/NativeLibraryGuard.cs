using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.InteropServices;

namespace ChunkCompute.Storage.Codecs.Native;

/// <summary>
/// Checks, once per library and on first use (never at start-up), that a native library can be loaded, and turns a
/// failure into a <see cref="NativeLibraryMissingException"/> that names the Debian package to install.
/// </summary>
internal static class NativeLibraryGuard
{
    private static readonly ConcurrentDictionary<string, bool> Loaded = new(StringComparer.Ordinal);

    /// <summary>Throws <see cref="NativeLibraryMissingException"/> when <paramref name="library"/> cannot be loaded.</summary>
    internal static void EnsureLoaded(string library, string package, string codec)
    {
        if (Loaded.TryGetValue(library, out var ok) && ok)
        {
            return;
        }

        ok = NativeLibrary.TryLoad(library, Assembly.GetExecutingAssembly(), null, out _);
        Loaded[library] = ok;
        if (!ok)
        {
            throw new NativeLibraryMissingException(library, package, codec);
        }
    }

    /// <summary>Wraps a P/Invoke resolution failure raised at call time.</summary>
    internal static NativeLibraryMissingException Missing(string library, string package, string codec, Exception inner) =>
        new(library, package, codec, inner);
}
