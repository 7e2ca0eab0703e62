using System.Runtime.InteropServices;
using System.Text.Json;
using ChunkCompute.Storage.Npy;
using Xunit;

namespace ChunkCompute.Tests.TestSupport;

/// <summary>
/// One folder of NumPy operation fixtures (Fixtures/ops/NAME: inputs NAME.npy, a manifest.json of cases naming their
/// input, and the expected results), as the fixture tests read them.
/// </summary>
internal sealed class OpsFixtures(string name)
{
    private readonly Lazy<JsonDocument> _manifest = new(() => JsonDocument.Parse(File.ReadAllText(Path.Combine(FixturePaths.Root, "ops", name, "manifest.json"))));

    /// <summary>The folder.</summary>
    public string Dir { get; } = Path.Combine(FixturePaths.Root, "ops", name);

    /// <summary>The manifest's cases.</summary>
    public IEnumerable<JsonElement> Cases => _manifest.Value.RootElement.GetProperty("cases").EnumerateArray();

    /// <summary>Each input once, for a theory per input.</summary>
    public TheoryData<string> Inputs() => new(Cases.Select(c => c.GetProperty("input").GetString()!).Distinct());

    /// <summary>The cases of one input.</summary>
    public IEnumerable<JsonElement> CasesOf(string input) => Cases.Where(c => c.GetProperty("input").GetString() == input);

    /// <summary>An input on an irregular grid (see <see cref="NpyOnGrid.Load"/>).</summary>
    public object Load(string input, out long[] shape) => NpyOnGrid.Load(Path.Combine(Dir, input + ".npy"), out shape);

    /// <summary>A case's expected result (the file its <c>expected</c> field names).</summary>
    public (NpyHeader Header, byte[] Bytes) Expected(JsonElement c) => Npy.Load(Path.Combine(Dir, c.GetProperty("expected").GetString()! + ".npy"));

    /// <summary>
    /// Where two results of one NumPy type differ, or null: integers and bools byte for byte; float64 and complex128
    /// within <paramref name="rtol64"/>·|e| + <paramref name="atol64"/>, float32 within <paramref name="rtol32"/>·|e| +
    /// <paramref name="atol32"/>; NaN matches NaN and infinities match exactly.
    /// </summary>
    public static string? Mismatch(string descr, byte[] expected, byte[] actual, double rtol64, double atol64, double rtol32, double atol32)
    {
        if (expected.Length != actual.Length)
        {
            return $"{actual.Length} bytes, NumPy {expected.Length}";
        }

        if (descr is not ("<f8" or "<c16" or "<f4"))
        {
            return expected.AsSpan().SequenceEqual(actual) ? null : "values differ";
        }

        bool single = descr == "<f4";
        var (rtol, atol) = single ? (rtol32, atol32) : (rtol64, atol64);
        var e = single ? MemoryMarshal.Cast<byte, float>(expected).ToArray().Select(v => (double)v).ToArray() : MemoryMarshal.Cast<byte, double>(expected).ToArray();
        var a = single ? MemoryMarshal.Cast<byte, float>(actual).ToArray().Select(v => (double)v).ToArray() : MemoryMarshal.Cast<byte, double>(actual).ToArray();
        for (int i = 0; i < e.Length; i++)
        {
            bool same = double.IsNaN(e[i]) ? double.IsNaN(a[i]) : double.IsInfinity(e[i]) ? e[i] == a[i] : Math.Abs(a[i] - e[i]) <= (rtol * Math.Abs(e[i])) + atol;
            if (!same)
            {
                return $"element {i}: {a[i]}, NumPy {e[i]}";
            }
        }

        return null;
    }

    /// <summary>Random chunk sizes of 1 to 3 covering <paramref name="n"/> elements.</summary>
    public static IReadOnlyList<int> RandomSizes(Random random, int n)
    {
        var sizes = new List<int>();
        while (n > 0)
        {
            int s = Math.Min(n, random.Next(1, 4));
            sizes.Add(s);
            n -= s;
        }

        return sizes;
    }
}
