namespace ChunkCompute.Tests.Storage.NpyFormat;

/// <summary>Paths of the NumPy-generated fixtures and a scratch directory per test class.</summary>
internal static class NpyTestFiles
{
    public static string FixtureDir => Path.Combine(AppContext.BaseDirectory, "Fixtures", "npy");

    public static string Fixture(string name) => Path.Combine(FixtureDir, name + ".npy");

    public static string NewTempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "chunkcompute-npy-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
