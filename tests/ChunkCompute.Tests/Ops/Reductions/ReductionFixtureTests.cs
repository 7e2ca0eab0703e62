using System.Globalization;
using System.Text.Json;
using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Storage;
using ChunkCompute.Tests.TestSupport;

namespace ChunkCompute.Tests.Ops.Reductions;

/// <summary>
/// Every reduction against NumPy 1.24 (fixtures from tests/fixture-scripts/gen_reduction_fixtures.py), on irregular
/// chunkings with splitEvery 2 and 3 so that combine levels run. Tolerances: integers, bools and counts exact;
/// float64 |a − e| ≤ 1e-12·|e| + 1e-9; float32 ≤ 1e-6·|e| + 1e-3 (inputs are ~±1000, so 1e-3 is a few float32 ulps of
/// NumPy's own pairwise float32 error: we accumulate in float64, NumPy in float32); float16 ≤ 4e-3·|e| + 1e-2
/// (a few float16 ulps: NumPy squares float16 deviations in float16 for var). NaN matches NaN, infinities match exactly.
/// </summary>
public sealed class ReductionFixtureTests
{
    private static readonly Lazy<JsonDocument> Manifest = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "manifest.json"))));

    private static string Dir => Path.Combine(FixturePaths.Root, "ops", "reductions");

    public static TheoryData<string> Inputs() =>
        new(Manifest.Value.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("input").GetString()!).Distinct());

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Reductions_NumPyFixtures_Match(string input)
    {
        var array = Load(input, out var shape);
        var failures = new List<string>();
        int n = 0;
        foreach (var c in Manifest.Value.RootElement.GetProperty("cases").EnumerateArray().Where(c => c.GetProperty("input").GetString() == input))
        {
            n++;
            string op = c.GetProperty("op").GetString()!;
            var axisEl = c.GetProperty("axis");
            int[]? axes = axisEl.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.Number => [axisEl.GetInt32()],
                _ => axisEl.EnumerateArray().Select(a => a.GetInt32()).ToArray(),
            };
            bool single = axisEl.ValueKind == JsonValueKind.Number;
            bool keepDims = c.GetProperty("keepdims").GetBoolean();
            double ddof = c.GetProperty("ddof").GetDouble();
            string what = $"{op}({input} [{string.Join(", ", shape)}], axis={axisEl.GetRawText()}, keepdims={keepDims}, ddof={ddof})";
            try
            {
                var node = ReductionInvoker.Build(array, op, axes, single, keepDims, ddof, splitEvery: 2 + (n % 2));
                if (c.TryGetProperty("error", out _))
                {
                    failures.Add($"{what}: NumPy raises, we built {node}");
                    continue;
                }

                Check(c, node, what, failures);
            }
            catch (ArgumentException e) when (c.TryGetProperty("error", out _))
            {
                Assert.Contains("zero-size", e.Message, StringComparison.Ordinal);
            }
        }

        Assert.True(n > 0);
        Assert.True(failures.Count == 0, $"{failures.Count} of {n} cases differ:\n" + string.Join("\n", failures.Take(30)));
    }

    [Fact]
    public void Histogram_NumPyFixtures_Match()
    {
        foreach (var c in Manifest.Value.RootElement.GetProperty("histogram").EnumerateArray())
        {
            var array = Load(c.GetProperty("input").GetString()!, out _);
            int bins = c.GetProperty("bins").GetInt32();
            var range = c.GetProperty("range").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var result = array switch
            {
                ChunkedArray<double> d => d.Histogram(bins, (range[0], range[1]), splitEvery: 3),
                ChunkedArray<int> i => i.Histogram(bins, (range[0], range[1])),
                _ => throw new InvalidOperationException(),
            };
            var (_, counts) = ReductionInvoker.Compute(result.Counts.Node);
            Assert.Equal(c.GetProperty("counts").EnumerateArray().Select(e => e.GetInt64()), counts.Cast<long>());
            Assert.Equal(c.GetProperty("edges").EnumerateArray().Select(e => double.Parse(e.GetString()!, CultureInfo.InvariantCulture)), result.Edges);
        }
    }

    [Fact]
    public void Bincount_NumPyFixtures_Match()
    {
        foreach (var c in Manifest.Value.RootElement.GetProperty("bincount").EnumerateArray())
        {
            var array = (ChunkedArray<int>)Load(c.GetProperty("input").GetString()!, out _);
            var expected = c.GetProperty("counts").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            int minLength = Math.Max(c.GetProperty("minlength").GetInt32(), expected.Length);
            var (_, counts) = ReductionInvoker.Compute(array.Bincount(minLength, splitEvery: 2).Node);
            Assert.Equal(expected, counts.Cast<long>());
        }
    }

    private static void Check(JsonElement c, ArrayNode node, string what, List<string> failures)
    {
        string dtype = c.GetProperty("dtype").GetString()!;
        if (node.DataType.Name != dtype)
        {
            failures.Add($"{what}: result type {node.DataType.Name}, NumPy {dtype}");
            return;
        }

        var (shape, data) = ReductionInvoker.Compute(node);
        var expectedShape = c.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        if (!shape.SequenceEqual(expectedShape))
        {
            failures.Add($"{what}: shape [{string.Join(", ", shape)}], NumPy [{string.Join(", ", expectedShape)}]");
            return;
        }

        var values = c.GetProperty("values").EnumerateArray().ToArray();
        for (int i = 0; i < values.Length; i++)
        {
            object actual = data.GetValue(i)!;
            bool ok = node.DataType.Kind switch
            {
                DataTypeKind.Bool => (bool)actual == values[i].GetBoolean(),
                DataTypeKind.Int64 => (long)actual == values[i].GetInt64(),
                DataTypeKind.UInt64 => (ulong)actual == values[i].GetUInt64(),
                DataTypeKind.Float64 => Close(ReductionInvoker.ToDouble(actual), values[i], 1e-12, 1e-9),
                DataTypeKind.Float32 => Close(ReductionInvoker.ToDouble(actual), values[i], 1e-6, 1e-3),
                DataTypeKind.Float16 => Close(ReductionInvoker.ToDouble(actual), values[i], 4e-3, 1e-2),
                _ => Convert.ToDecimal(actual, CultureInfo.InvariantCulture) == values[i].GetDecimal(),
            };
            if (!ok)
            {
                failures.Add($"{what}: element {i} is {actual}, NumPy {values[i].GetRawText()}");
                return;
            }
        }
    }

    private static bool Close(double actual, JsonElement expected, double rtol, double atol)
    {
        double e = expected.GetString() switch
        {
            "nan" => double.NaN,
            "inf" => double.PositiveInfinity,
            "-inf" => double.NegativeInfinity,
            var t => double.Parse(t!, CultureInfo.InvariantCulture),
        };
        if (double.IsNaN(e) || double.IsInfinity(e))
        {
            return e.Equals(actual);
        }

        return Math.Abs(actual - e) <= (rtol * Math.Abs(e)) + atol;
    }

    /// <summary>Loads an input .npy onto an irregular grid: chunk sizes 1, 2, 3, 1, 2, 3… per dimension.</summary>
    private static object Load(string name, out long[] shape) => NpyOnGrid.Load(Path.Combine(Dir, name + ".npy"), out shape);
}
