using ChunkCompute.Storage.Codecs.Native;

namespace ChunkCompute.Storage.Codecs;

/// <summary>
/// The process-wide choice between managed and native compression libraries (see <see cref="CodecBackend"/>).
/// Managed implementations are always available, so every codec reads and writes on any machine; a native library is an
/// accelerator, used under <see cref="CodecBackend.Auto"/> when it loads.
/// </summary>
public static class CodecBackends
{
    /// <summary>
    /// The environment variable read once, at first use, for the initial <see cref="Prefer"/>: <c>auto</c>,
    /// <c>managed</c> or <c>native</c> (case-insensitive; unset or empty means <c>auto</c>).
    /// </summary>
    public const string EnvironmentVariable = "CHUNKCOMPUTE_CODECS";

    private static readonly AsyncLocal<CodecBackend?> ScopedOverride = new();
    private static CodecBackend? s_prefer;

    /// <summary>
    /// The backend the codecs use from now on. Starts as <see cref="EnvironmentVariable"/> says (or
    /// <see cref="CodecBackend.Auto"/>); set it before the first encode or decode to force one backend for the process.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value set is not a defined <see cref="CodecBackend"/>.</exception>
    /// <exception cref="InvalidOperationException">Read while <see cref="EnvironmentVariable"/> holds an unknown value.</exception>
    public static CodecBackend Prefer
    {
        get => s_prefer ??= FromEnvironment(Environment.GetEnvironmentVariable(EnvironmentVariable));
        set
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "not a defined CodecBackend");
            }

            s_prefer = value;
        }
    }

    /// <summary>The backend in effect on this logical call path (a test scope, else <see cref="Prefer"/>).</summary>
    internal static CodecBackend Effective => ScopedOverride.Value ?? Prefer;

    /// <summary>
    /// Forces <paramref name="backend"/> for the current logical call path (it flows into tasks and <c>Parallel.For</c>)
    /// until the result is disposed; for tests that run one operation through each backend side by side.
    /// </summary>
    internal static IDisposable Use(CodecBackend backend)
    {
        var previous = ScopedOverride.Value;
        ScopedOverride.Value = backend;
        return new Scope(previous);
    }

    /// <summary>
    /// Whether <paramref name="codec"/> should call <paramref name="library"/>: false under
    /// <see cref="CodecBackend.Managed"/>; under <see cref="CodecBackend.Auto"/>, whether it loads (probed once per
    /// process); under <see cref="CodecBackend.Native"/>, true or <see cref="NativeLibraryMissingException"/>.
    /// </summary>
    internal static bool UseNative(NativeCodecLibrary library, string codec) => Effective switch
    {
        CodecBackend.Managed => false,
        CodecBackend.Native => library.Require(codec),
        _ => library.IsAvailable,
    };

    /// <summary>Parses the environment variable's value.</summary>
    internal static CodecBackend FromEnvironment(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => CodecBackend.Auto,
        "managed" => CodecBackend.Managed,
        "native" => CodecBackend.Native,
        _ => throw new InvalidOperationException($"{EnvironmentVariable}='{value}' is not one of auto, managed, native"),
    };

    private sealed class Scope(CodecBackend? previous) : IDisposable
    {
        public void Dispose() => ScopedOverride.Value = previous;
    }
}
