using System.Text.Json.Nodes;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Tests.TestSupport;
using Xunit;

namespace ChunkCompute.Tests.Ops.Structure;

/// <summary>Slicing, transpose, reshape, concatenate and stack against answers NumPy wrote (gen_structure_fixtures.py).</summary>
public sealed class NumPyFixtureTests
{
    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases())
        {
            data.Add((string)c["name"]!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Operation_NumPyFixture_MatchesNumPy(string name)
    {
        var c = Cases().Single(x => (string)x["name"]! == name);
        var shapes = c["shapes"]!.AsArray().Select(s => s!.AsArray().Select(v => (long)v!).ToArray()).ToArray();
        var chunks = c["chunks"]!.AsArray().Select(g => ChunkGrid.FromSizes(g!.AsArray().Select(d => (IReadOnlyList<int>)d!.AsArray().Select(v => (int)v!).ToArray()).ToArray())).ToArray();
        var inputs = shapes.Select((s, k) => ChunkedArray.FromArray(StructureTestData.Iota(s, 1000 * k), chunks[k])).ToArray();
        var args = c["args"]!;
        var result = (string)c["op"]! switch
        {
            "slice" => inputs[0].Slice((string)args["index"]!),
            "transpose" => inputs[0].Transpose(args["axes"]!.AsArray().Select(v => (int)v!).ToArray()),
            "reshape" => inputs[0].Reshape(args["shape"]!.AsArray().Select(v => (long)v!).ToArray()),
            "concatenate" => StructureOps.Concatenate(inputs, (int)args["axis"]!),
            "stack" => StructureOps.Stack(inputs, (int)args["axis"]!),
            var op => throw new InvalidOperationException(op),
        };
        var computed = result.Compute();
        Assert.Equal(c["expected_shape"]!.AsArray().Select(v => (long)v!), computed.Shape);
        Assert.Equal(c["expected"]!.AsArray().Select(v => (int)v!), computed.ToArray());
    }

    private static IEnumerable<JsonNode> Cases()
    {
        var path = Path.Combine(FixturePaths.Root, "ops", "structure", "structure_cases.json");
        return JsonNode.Parse(File.ReadAllText(path))!["cases"]!.AsArray().Select(c => c!);
    }
}
