using System.Numerics;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Xunit;
using ChunkCompute.Graph;
using ChunkCompute.ML;
using ChunkCompute.ML.LinearAlgebra;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Storage.Npy;
using ChunkCompute.Tests.Cli;
using ChunkCompute.Tests.TestSupport;

namespace ChunkCompute.Tests.Aot;

/// <summary>
/// The reflection-free paths that replaced reflection for trimming and Native AOT behave as the reflection did:
/// source-generated JSON against the reflection serializer with the former options, AsType over every pair of types
/// against exact small-integer conversions, and the CLI's per-type reduction dispatch against NumPy's result types.
/// </summary>
public sealed class TrimCompatibilityTests
{
    public static TheoryData<string> Libraries => new()
    {
        typeof(ZarrStore).Assembly.GetName().Name!,
        typeof(ChunkedArray).Assembly.GetName().Name!,
        typeof(ElementwiseOperators).Assembly.GetName().Name!,
        typeof(Computation).Assembly.GetName().Name!,
        typeof(ColumnScaler).Assembly.GetName().Name!,
    };

    [Theory]
    [MemberData(nameof(Libraries))]
    public void Library_IsMarkedTrimmable(string name)
    {
        // IsAotCompatible implies IsTrimmable, which the SDK records as assembly metadata for consumers' trimmers.
        var assembly = Assembly.Load(name);
        var trimmable = assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == "IsTrimmable");
        Assert.True(trimmable is not null, $"{name} has no IsTrimmable assembly metadata (IsAotCompatible not set?)");
        Assert.Equal("True", trimmable.Value);
    }

    // The options the scalers serialized with through reflection before the source-generated context.
    private static readonly JsonSerializerOptions ScalerReflectionOptions = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    [Fact]
    public void ScalerJson_SourceGenerated_MatchesReflectionSerializer()
    {
        var document = new ScalerDocument
        {
            Type = "StandardScaler",
            FeatureCount = 3,
            Settings = new() { ["with_mean"] = 1, ["ddof"] = 0.5 },
            Parameters = new() { ["mean_"] = [1.5, double.NaN, -0.0], ["scale_"] = [double.PositiveInfinity, double.NegativeInfinity, 1e-300] },
        };
        string generated = JsonSerializer.Serialize(document, ScalerJson.Default.ScalerDocument);
        Assert.Equal(JsonSerializer.Serialize(document, ScalerReflectionOptions), generated);
        Assert.Contains("\"NaN\"", generated, StringComparison.Ordinal);
        Assert.Contains("\"featureCount\": 3", generated, StringComparison.Ordinal);

        var back = JsonSerializer.Deserialize(generated, ScalerJson.Default.ScalerDocument)!;
        Assert.Equal(JsonSerializer.Serialize(back, ScalerReflectionOptions), generated);
    }

    [Fact]
    public void ScalerToJson_OfFittedScaler_ReadsBackThroughReflectionUnchanged()
    {
        var values = Enumerable.Range(0, 60).Select(i => Math.Sin(i) * (1 + (i % 3))).ToArray();
        var x = ChunkedArray.FromArray(values, [20, 3], [7, 2]);
        foreach (ColumnScaler scaler in new ColumnScaler[] { new StandardScaler().Fit(x), new MinMaxScaler((-1, 2)).Fit(x), new RobustScaler().Fit(x) })
        {
            string json = scaler.ToJson();
            var viaReflection = JsonSerializer.Deserialize<ScalerDocument>(json, ScalerReflectionOptions)!;
            Assert.Equal(scaler.GetType().Name, viaReflection.Type);
            Assert.Equal(json, JsonSerializer.Serialize(viaReflection, ScalerReflectionOptions));
        }
    }

    [Fact]
    public void PcaJson_SourceGenerated_MatchesReflectionSerializer()
    {
        var values = Enumerable.Range(0, 90).Select(i => Math.Cos(i * 0.3) + (i % 3 * 0.25)).ToArray();
        var pca = new Pca(2).Fit(ChunkedArray.FromArray(values, [30, 3], [8, 3]));
        string json = pca.ToJson();
        var reflection = new JsonSerializerOptions { WriteIndented = true, TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
        var state = JsonSerializer.Deserialize<Pca.PcaState>(json, reflection)!;
        Assert.Equal(2, state.NComponents);
        Assert.Equal(30, state.NSamples);
        Assert.Equal(json, JsonSerializer.Serialize(state, reflection));
        Assert.Equal(json, Pca.FromJson(json).ToJson());
    }

    private static readonly Type[] ConvertibleTypes =
        [typeof(bool), typeof(sbyte), typeof(short), typeof(int), typeof(long), typeof(byte), typeof(ushort), typeof(uint), typeof(ulong), typeof(Half), typeof(float), typeof(double)];

    [Fact]
    public void AsType_EveryPairOfTypes_ConvertsSmallIntegersExactly()
    {
        var check = typeof(TrimCompatibilityTests).GetMethod(nameof(CheckPair), BindingFlags.NonPublic | BindingFlags.Static)!;
        int pairs = 0;
        foreach (var from in ConvertibleTypes)
        {
            foreach (var to in ConvertibleTypes)
            {
                check.MakeGenericMethod(from, to).Invoke(null, null);
                pairs++;
            }
        }

        Assert.Equal(144, pairs);
    }

    // 0..4 and 100 are exact in every type; bool holds k != 0 and converts back to 1 or 0.
    private static void CheckPair<T, U>()
        where T : unmanaged
        where U : unmanaged
    {
        int[] ints = [0, 1, 2, 3, 4, 100, 0];
        var input = ints.Select(Make<T>).ToArray();
        var expected = ints.Select(k => Make<U>(typeof(T) == typeof(bool) ? (k != 0 ? 1 : 0) : k)).ToArray();
        var converted = ChunkedArray.FromArray(input, [input.Length], [3]).AsType<T, U>();
        Assert.Equal(expected, converted.Compute().ToArray());
    }

    private static T Make<T>(int k)
        where T : unmanaged => typeof(T) == typeof(bool) ? (T)(object)(k != 0) : MakeNumber<T>(k);

    private static T MakeNumber<T>(int k)
    {
        object v = Type.GetTypeCode(typeof(T)) switch
        {
            TypeCode.SByte => (sbyte)k,
            TypeCode.Int16 => (short)k,
            TypeCode.Int32 => k,
            TypeCode.Int64 => (long)k,
            TypeCode.Byte => (byte)k,
            TypeCode.UInt16 => (ushort)k,
            TypeCode.UInt32 => (uint)k,
            TypeCode.UInt64 => (ulong)k,
            TypeCode.Single => (float)k,
            TypeCode.Double => (double)k,
            _ when typeof(T) == typeof(Half) => (Half)k,
            _ => throw new ArgumentException(typeof(T).Name),
        };
        return (T)v;
    }

    [Fact]
    public void AsType_ComplexToReal_IsRejectedNamingBothTypes()
    {
        var x = ChunkedArray.FromArray(new Complex[] { new(1, 2) }, [1], [1]);
        var ex = Assert.Throws<NotSupportedException>(() => x.AsType<Complex, double>());
        Assert.Contains("complex128 to float64", ex.Message, StringComparison.Ordinal);
    }

    // NumPy's result types (values: a float64 reference over the fixture's .npy; exact integer sums are in the
    // zarr-v2 MANIFEST and CliStatsTests): sum of bool and signed ints is int64, of unsigned ints uint64, of floats the same float;
    // mean, std, var of bool and ints are float64, of floats the same float (the nan forms alike).
    [Theory]
    [InlineData("b1", "int64", "float64")]
    [InlineData("i1", "int64", "float64")]
    [InlineData("i2", "int64", "float64")]
    [InlineData("i4", "int64", "float64")]
    [InlineData("i8", "int64", "float64")]
    [InlineData("u1", "uint64", "float64")]
    [InlineData("u2", "uint64", "float64")]
    [InlineData("u4", "uint64", "float64")]
    [InlineData("u8", "uint64", "float64")]
    [InlineData("f2", "float16", "float16")]
    [InlineData("f4", "float32", "float32")]
    [InlineData("f8", "float64", "float64")]
    public void CliStats_TypedReductions_HaveNumPyResultTypesAndValues(string dtype, string sumType, string meanType)
    {
        string store = Path.Combine(FixturePaths.ZarrV2, $"dtype_{dtype}.zarr");
        var values = LoadAsDouble(Path.Combine(FixturePaths.ZarrV2, $"dtype_{dtype}.npy"));
        double mean = values.Average();
        double variance = values.Sum(v => (v - mean) * (v - mean)) / values.Length;
        double tolerance = dtype switch { "f2" => 2e-2, "f4" => 1e-5, _ => 1e-9 };
        foreach (var (op, type, expected) in new[]
        {
            ("sum", sumType, values.Sum()), ("nansum", sumType, values.Sum()),
            ("mean", meanType, mean), ("nanmean", meanType, mean),
            ("var", meanType, variance), ("nanvar", meanType, variance),
            ("std", meanType, Math.Sqrt(variance)), ("nanstd", meanType, Math.Sqrt(variance)),
        })
        {
            var json = JsonDocument.Parse(CliHarness.Expect(0, "stats", store, "--array", "", "--op", op, "--json", "-q").Stdout).RootElement;
            Assert.Equal(type, json.GetProperty("dtype").GetString());
            if (values.Max(Math.Abs) > 1e6)
            {
                continue; // int32/int64/uint32/uint64 fixtures hold the type's extremes: double references lose the digits
            }

            double actual = json.GetProperty("value").GetDouble();
            Assert.True(Math.Abs(actual - expected) <= tolerance * Math.Max(1, Math.Abs(expected)), $"{op} of dtype_{dtype}: {actual}, expected {expected}");
        }
    }

    private static double[] LoadAsDouble(string npy) => Npy.Load(npy).Header.NormalizedDescr.TrimStart('<', '|', '>') switch
    {
        "b1" => Npy.Load<bool>(npy).Select(b => b ? 1.0 : 0.0).ToArray(),
        "i1" => Npy.Load<sbyte>(npy).Select(v => (double)v).ToArray(),
        "i2" => Npy.Load<short>(npy).Select(v => (double)v).ToArray(),
        "i4" => Npy.Load<int>(npy).Select(v => (double)v).ToArray(),
        "i8" => Npy.Load<long>(npy).Select(v => (double)v).ToArray(),
        "u1" => Npy.Load<byte>(npy).Select(v => (double)v).ToArray(),
        "u2" => Npy.Load<ushort>(npy).Select(v => (double)v).ToArray(),
        "u4" => Npy.Load<uint>(npy).Select(v => (double)v).ToArray(),
        "u8" => Npy.Load<ulong>(npy).Select(v => (double)v).ToArray(),
        "f2" => Npy.Load<Half>(npy).Select(v => (double)v).ToArray(),
        "f4" => Npy.Load<float>(npy).Select(v => (double)v).ToArray(),
        "f8" => Npy.Load<double>(npy),
        var other => throw new ArgumentException($"{npy}: unexpected descr {other}"),
    };
}
