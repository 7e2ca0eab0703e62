using System.Numerics;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Storage.DataTypes;

/// <summary>complex64/complex128: zarr-python-written fixtures read exactly, our arrays read by zarr-python, NumPy results.</summary>
public sealed class ComplexDtypeTests
{
    [Theory]
    [InlineData("c16")]
    [InlineData("c16b")]
    [InlineData("c16clean")]
    public void ReadV2_Complex128_MatchesZarrPython(string name)
    {
        using var store = ZarrStore.OpenExisting(DtypeFixtures.V2);
        var array = store.OpenArray(name);
        Assert.Equal(DataType.Complex128, array.DataType);
        DtypeFixtures.AssertBitwise(DtypeFixtures.Expected<Complex>(name), array.Read<Complex>(), name);
    }

    [Theory]
    [InlineData("c8")]
    [InlineData("c8b")]
    [InlineData("c8clean")]
    public void ReadV2_Complex64_MatchesZarrPython(string name)
    {
        using var store = ZarrStore.OpenExisting(DtypeFixtures.V2);
        var array = store.OpenArray(name);
        Assert.Equal(DataType.Complex64, array.DataType);
        DtypeFixtures.AssertBitwise(DtypeFixtures.Expected<Complex32>(name), array.Read<Complex32>(), name);
    }

    [Fact]
    public void ReadV2_ComplexFillValues_ParseAsRealImaginaryPairs()
    {
        using var store = ZarrStore.OpenExisting(DtypeFixtures.V2);
        var c16 = System.Runtime.InteropServices.MemoryMarshal.Read<Complex>(store.OpenArray("c16").Metadata.FillValue);
        Assert.Equal(0.5, c16.Real);
        Assert.True(double.IsNaN(c16.Imaginary));
        var c8 = System.Runtime.InteropServices.MemoryMarshal.Read<Complex32>(store.OpenArray("c8b").Metadata.FillValue);
        Assert.Equal(new Complex32(1, 2), c8);
        Assert.True(store.OpenArray("c16b").Metadata.V2BigEndian);
        Assert.Equal("[0.5,\"NaN\"]", store.OpenArray("c16").Metadata.ToV2Json()["fill_value"]!.ToJsonString());
    }

    [Theory]
    [InlineData("c128")]
    [InlineData("c64")]
    public void ReadV3_Complex_MatchesNumPy(string name)
    {
        using var store = ZarrStore.OpenExisting(DtypeFixtures.V3);
        var array = store.OpenArray(name);
        if (name == "c128")
        {
            DtypeFixtures.AssertBitwise(DtypeFixtures.Expected<Complex>("v3_c128"), array.Read<Complex>(), name);
            Assert.Equal("[0.5,\"NaN\"]", array.Metadata.ToV3Json()["fill_value"]!.ToJsonString());
        }
        else
        {
            DtypeFixtures.AssertBitwise(DtypeFixtures.Expected<Complex32>("v3_c64"), array.Read<Complex32>(), name);
            Assert.Equal("[\"Infinity\",-1]", array.Metadata.ToV3Json()["fill_value"]!.ToJsonString());
        }
    }

    [Fact]
    public void Elementwise_Complex128_MatchesNumPyBitwise()
    {
        using var store = ZarrStore.OpenExisting(DtypeFixtures.V2);
        var a = store.Open<Complex>("c16");
        var b = store.Open<Complex>("c16b");
        Check("c16_add", (a + b).Compute().ToArray());
        Check("c16_sub", (a - b).Compute().ToArray());
        Check("c16_mul", (a * b).Compute().ToArray());
        Check("c16_div", (a / b).Compute().ToArray());
        Check("c16_conj", a.Conj().Compute().ToArray());
        // NumPy's abs is its SIMD formula on AVX-512 machines and libm's hypot elsewhere: equal within one ulp.
        AssertWithinUlp(DtypeFixtures.Expected<double>("c16_abs"), a.Abs().Compute().ToArray(), "c16_abs");
        DtypeFixtures.AssertBitwise(DtypeFixtures.Expected<double>("c16_real"), a.Real().Compute().ToArray(), "c16_real");
        DtypeFixtures.AssertBitwise(DtypeFixtures.Expected<double>("c16_imag"), a.Imag().Compute().ToArray(), "c16_imag");

        static void Check(string key, Complex[] actual) => DtypeFixtures.AssertBitwise(DtypeFixtures.Expected<Complex>(key), actual, key);
    }

    [Fact]
    public void Elementwise_Complex64_MatchesNumPyBitwise()
    {
        using var store = ZarrStore.OpenExisting(DtypeFixtures.V2);
        var a = store.Open<Complex32>("c8");
        var b = store.Open<Complex32>("c8b");
        Check("c8_add", (a + b).Compute().ToArray());
        Check("c8_sub", (a - b).Compute().ToArray());
        Check("c8_mul", (a * b).Compute().ToArray());
        Check("c8_div", (a / b).Compute().ToArray());
        Check("c8_conj", a.Conj().Compute().ToArray());
        AssertWithinUlp(DtypeFixtures.Expected<float>("c8_abs").Select(f => (double)f).ToArray(), a.Abs().Compute().ToArray().Select(f => (double)f).ToArray(), "c8_abs", 1e-7);
        DtypeFixtures.AssertBitwise(DtypeFixtures.Expected<float>("c8_real"), a.Real().Compute().ToArray(), "c8_real");
        DtypeFixtures.AssertBitwise(DtypeFixtures.Expected<float>("c8_imag"), a.Imag().Compute().ToArray(), "c8_imag");

        static void Check(string key, Complex32[] actual) => DtypeFixtures.AssertBitwise(DtypeFixtures.Expected<Complex32>(key), actual, key);
    }

    private static void AssertWithinUlp(double[] expected, double[] actual, string what, double relative = 2.3e-16)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            bool same = expected[i].Equals(actual[i]) || System.Math.Abs(expected[i] - actual[i]) <= relative * System.Math.Abs(expected[i]);
            Assert.True(same, $"{what}: element {i}: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }

    [Fact]
    public void Reductions_Complex128_MatchNumPy()
    {
        using var store = ZarrStore.OpenExisting(DtypeFixtures.V2);
        var a = store.Open<Complex>("c16");
        var clean = store.Open<Complex>("c16clean");
        Check("c16_sum", [a.Sum().Compute().Value]);
        Check("c16_sum0", a.Sum(axis: 0).Compute().ToArray());
        Check("c16_mean0", a.Mean(axis: 0).Compute().ToArray());
        Check("c16_clean_sum", [clean.Sum().Compute().Value]);
        Check("c16_clean_mean", [clean.Mean().Compute().Value]);
        Check("c16_clean_mean1", clean.Mean(axis: 1).Compute().ToArray());
        Check("c16_clean_prod0", clean.Prod(axis: 0).Compute().ToArray());

        static void Check(string key, Complex[] actual) => DtypeFixtures.AssertBitwise(DtypeFixtures.Expected<Complex>(key), actual, key);
    }

    [Fact]
    public void Reductions_Complex64_MatchNumPy()
    {
        using var store = ZarrStore.OpenExisting(DtypeFixtures.V2);
        var a = store.Open<Complex32>("c8");
        var clean = store.Open<Complex32>("c8clean");
        Check("c8_sum", [a.Sum().Compute().Value]);
        Check("c8_sum0", a.Sum(axis: 0).Compute().ToArray());
        Check("c8_mean0", a.Mean(axis: 0).Compute().ToArray());
        Check("c8_clean_sum", [clean.Sum().Compute().Value]);
        Check("c8_clean_mean", [clean.Mean().Compute().Value]);
        Check("c8_clean_mean1", clean.Mean(axis: 1).Compute().ToArray());
        Check("c8_clean_prod0", clean.Prod(axis: 0).Compute().ToArray());

        static void Check(string key, Complex32[] actual) => DtypeFixtures.AssertBitwise(DtypeFixtures.Expected<Complex32>(key), actual, key);
    }

    [Fact]
    public void Min_ComplexArray_ThrowsNotSupported()
    {
        using var store = ZarrStore.OpenExisting(DtypeFixtures.V2);
        Assert.Throws<NotSupportedException>(() => store.Open<Complex>("c16").Min());
    }

    [Theory]
    [InlineData(3, false)]
    [InlineData(2, false)]
    [InlineData(2, true)]
    [InlineData(3, true)]
    public void WriteRead_Complex_RoundTripsWithNaNAndBigEndianV2(int format, bool single)
    {
        using var tmp = new TempDirectory("cc-complex");
        var values = Values();
        using (var store = ZarrStore.Open(tmp.Path))
        {
            var options = new ArrayOptions { Format = (ZarrFormat)format, FillValue = new System.Text.Json.Nodes.JsonArray(1.5, "NaN") };
            var array = store.CreateArray("z", single ? DataType.Complex64 : DataType.Complex128, [7, 3], [4, 2], options);
            if (single)
            {
                array.Write<Complex32>(values.Select(c => (Complex32)c).ToArray());
            }
            else
            {
                array.Write<Complex>(values);
            }
        }

        using var reopened = ZarrStore.OpenExisting(tmp.Path);
        var back = reopened.OpenArray("z");
        if (single)
        {
            DtypeFixtures.AssertBitwise(values.Select(c => (Complex32)c).ToArray(), back.Read<Complex32>(), "complex64");
        }
        else
        {
            DtypeFixtures.AssertBitwise(values, back.Read<Complex>(), "complex128");
        }
    }

    [Theory]
    [InlineData("<c16")]
    [InlineData(">c16")]
    [InlineData("<c8")]
    [InlineData(">c8")]
    public void WriteV2_Complex_ZarrPythonReadsExactly(string dtype)
    {
        PythonZarr.RequireOrSkip();
        using var tmp = new TempDirectory("cc-complex-py");
        var values = Values();
        bool single = dtype.EndsWith("c8", StringComparison.Ordinal);
        string path = tmp.Combine("o.zarr");
        using (var store = ZarrStore.Open(path, new ZarrStoreOptions { DefaultFormat = ZarrFormat.V2 }))
        {
            var options = new ArrayOptions { Format = ZarrFormat.V2, FillValue = new System.Text.Json.Nodes.JsonArray("NaN", -2.0) };
            var array = store.CreateArray("z", single ? DataType.Complex64 : DataType.Complex128, [7, 3], [4, 2], options);
            var md = array.Metadata.ToV2Json();
            Assert.Equal(dtype[1..], md["dtype"]!.GetValue<string>()[1..]);
            if (single)
            {
                array.Write<Complex32>(values.Select(c => (Complex32)c).ToArray());
            }
            else
            {
                array.Write<Complex>(values);
            }
        }

        string hex = PythonZarr.Run(
            "import sys, zarr, numpy as np\nz = zarr.open(sys.argv[1], mode='r')['z']\nassert z.dtype == np.dtype(sys.argv[2]).newbyteorder('<') or z.dtype.kind == 'c'\nf = z.fill_value\nassert np.isnan(f.real) and f.imag == -2.0, f\nprint(z[:].astype(z.dtype.newbyteorder('<')).tobytes().hex())",
            path, dtype).Trim();
        var expected = single
            ? System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.Select(c => (Complex32)c).ToArray().AsSpan()).ToArray()
            : System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        Assert.Equal(Convert.ToHexString(expected), hex, ignoreCase: true);
    }

    private static Complex[] Values()
    {
        var rng = new Random(14);
        var v = Enumerable.Range(0, 21).Select(_ => new Complex(rng.NextDouble() * 10 - 5, rng.NextDouble() * 10 - 5)).ToArray();
        v[2] = new Complex(BitConverter.Int64BitsToDouble(0x7FF8000000000000), 1);
        v[5] = new Complex(double.NegativeInfinity, BitConverter.Int64BitsToDouble(0x7FF8000000000000));
        v[11] = new Complex(-0.0, 0.0);
        return v;
    }
}
