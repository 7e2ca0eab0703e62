using ChunkCompute.Storage.Codecs;
using Xunit;

namespace ChunkCompute.Tests.Storage.Codecs;

/// <summary>Runs a test body through one codec backend (managed or native), side by side with the other.</summary>
internal static class CodecBackendScope
{
    /// <summary>The two implementations every fixture runs through.</summary>
    public static readonly CodecBackend[] Both = [CodecBackend.Managed, CodecBackend.Native];

    /// <summary>
    /// Forces <paramref name="backend"/> for the test's logical call path. Native cases are skipped when the process was
    /// started with CHUNKCOMPUTE_CODECS=managed (the CI step that runs without native libraries).
    /// </summary>
    public static IDisposable Use(CodecBackend backend)
    {
        Assert.SkipWhen(
            backend == CodecBackend.Native && CodecBackends.FromEnvironment(Environment.GetEnvironmentVariable(CodecBackends.EnvironmentVariable)) == CodecBackend.Managed,
            $"{CodecBackends.EnvironmentVariable}=managed: the native libraries are deliberately out of reach");
        return CodecBackends.Use(backend);
    }

    /// <summary>Each row of <paramref name="rows"/> once per backend.</summary>
    public static TheoryData<string, CodecBackend> Cross(IEnumerable<string> rows)
    {
        var data = new TheoryData<string, CodecBackend>();
        foreach (var row in rows)
        {
            foreach (var backend in Both)
            {
                data.Add(row, backend);
            }
        }

        return data;
    }
}
