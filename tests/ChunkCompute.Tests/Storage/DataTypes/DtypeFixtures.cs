using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using ChunkCompute.Tests.TestSupport;

namespace ChunkCompute.Tests.Storage.DataTypes;

/// <summary>The zarr-python-written dtype fixtures (Fixtures/dtypes, see make_fixtures.py) and NumPy's results.</summary>
internal static class DtypeFixtures
{
    private static readonly Lazy<JsonObject> Json = new(() => JsonNode.Parse(File.ReadAllText(Path.Combine(Dir, "expected.json")))!.AsObject());

    public static string Dir => Path.Combine(FixturePaths.Root, "dtypes");

    public static string V2 => Path.Combine(Dir, "v2.zarr");

    public static string V3 => Path.Combine(Dir, "v3.zarr");

    /// <summary>NumPy's little-endian elements for <paramref name="key"/>.</summary>
    public static T[] Expected<T>(string key)
        where T : unmanaged => MemoryMarshal.Cast<byte, T>(Convert.FromHexString(Json.Value[key]!.GetValue<string>())).ToArray();

    public static long ExpectedLong(string key) => Json.Value[key]!.GetValue<long>();

    public static long[] ExpectedLongs(string key) => Json.Value[key]!.AsArray().Select(n => n!.GetValue<long>()).ToArray();

    /// <summary>Asserts bitwise-equal elements (NaN payloads included), naming the first difference.</summary>
    public static void AssertBitwise<T>(T[] expected, T[] actual, string what)
        where T : unmanaged
    {
        Xunit.Assert.Equal(expected.Length, actual.Length);
        var e = MemoryMarshal.AsBytes(expected.AsSpan());
        var a = MemoryMarshal.AsBytes(actual.AsSpan());
        int size = e.Length / Math.Max(1, expected.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (!e.Slice(i * size, size).SequenceEqual(a.Slice(i * size, size)))
            {
                Xunit.Assert.Fail($"{what}: element {i} differs: expected {expected[i]} (0x{Convert.ToHexString(e.Slice(i * size, size))}), got {actual[i]} (0x{Convert.ToHexString(a.Slice(i * size, size))})");
            }
        }
    }
}
