using System.Reflection;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using Xunit;

namespace ChunkCompute.Tests.Ops.Reductions;

/// <summary>The committed typed overloads are exactly what <see cref="TypedOverloadsGenerator"/> writes.</summary>
public sealed class TypedOverloadsTests
{
    public static TheoryData<string> Parts() => [.. TypedOverloadsGenerator.Parts];

    [Theory]
    [MemberData(nameof(Parts))]
    public void CommittedFile_IsWhatTheGeneratorWrites(string part)
    {
        string path = TypedOverloadsGenerator.TargetPath(part);
        if (!File.Exists(path) && Environment.GetEnvironmentVariable(TypedOverloadsGenerator.RegenerateVariable) == "1")
        {
            File.WriteAllText(path, string.Empty);
        }

        Assert.True(File.Exists(path), $"the generated file '{path}' is missing");
        string expected = TypedOverloadsGenerator.Generate(part);
        string committed = File.ReadAllText(path);
        if (committed == expected)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable(TypedOverloadsGenerator.RegenerateVariable) == "1")
        {
            File.WriteAllText(path, expected);
            return;
        }

        var a = committed.Split('\n');
        var b = expected.Split('\n');
        int line = Enumerable.Range(0, Math.Min(a.Length, b.Length)).FirstOrDefault(i => a[i] != b[i], Math.Min(a.Length, b.Length));
        Assert.Fail($"{path} differs from TypedOverloadsGenerator's output at line {line + 1}:\n  committed: {(line < a.Length ? a[line] : "<end>")}\n  generated: {(line < b.Length ? b[line] : "<end>")}\n" +
                    $"edit the generator, not the file; rerun this test with {TypedOverloadsGenerator.RegenerateVariable}=1 to rewrite it");
    }

    [Fact]
    public void EveryTypedOverload_IsCompiledIn_WithTheNumPyResultType()
    {
        // 8 reductions × 12 element types × 2 axis forms (and 2 name forms), read back from the built assembly (not from the text).
        var methods = typeof(ChunkedArrayReductions).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.Name is "Sum" or "NanSum" or "Mean" or "NanMean" or "Var" or "NanVar" or "Std" or "NanStd" && !m.IsGenericMethodDefinition)
            .Where(m => m.GetParameters()[0].ParameterType.GetGenericArguments()[0] is var t && t != typeof(System.Numerics.Complex) && t.Name != "Complex32")
            .ToList();
        var named = methods.Where(m => m.GetParameters()[1].ParameterType == typeof(string) || m.GetParameters()[1].ParameterType == typeof(string[])).ToList();
        methods = [.. methods.Except(named)];
        Assert.Equal(8 * 12 * 2, methods.Count);
        Assert.Equal(8 * 12 * 2, named.Count); // and the same again taking dimension names

        Type ResultOf(string name, Type element) => methods
            .Single(m => m.Name == name && m.GetParameters()[0].ParameterType == typeof(ChunkedArray<>).MakeGenericType(element) && m.GetParameters()[1].ParameterType == typeof(int[]))
            .ReturnType.GetGenericArguments()[0];

        // NumPy: np.sum(int8) → int64, np.sum(uint8) → uint64, np.mean(int32) → float64, np.mean(float16) → float16.
        Assert.Equal(typeof(long), ResultOf("Sum", typeof(sbyte)));
        Assert.Equal(typeof(ulong), ResultOf("NanSum", typeof(byte)));
        Assert.Equal(typeof(double), ResultOf("Mean", typeof(int)));
        Assert.Equal(typeof(Half), ResultOf("Std", typeof(Half)));
        Assert.Equal(typeof(float), ResultOf("NanVar", typeof(float)));
        Assert.Equal(typeof(long), ResultOf("Sum", typeof(bool)));
    }
}
