namespace ChunkCompute.Tests.TestSupport;

/// <summary>Locations of the test data, copied into the project and next to the test assembly.</summary>
internal static class FixturePaths
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static string ZarrV2 => Path.Combine(Root, "zarr-v2");

    public static string ZarrV3 => Path.Combine(Root, "zarr-v3");
}
