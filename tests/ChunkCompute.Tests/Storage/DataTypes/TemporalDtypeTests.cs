using System.Text.Json.Nodes;
using ChunkCompute.Graph;
using ChunkCompute.Ops;
using ChunkCompute.Scheduler;
using ChunkCompute.Storage;
using ChunkCompute.Tests.Interop;
using Xunit;

namespace ChunkCompute.Tests.Storage.DataTypes;

/// <summary>datetime64/timedelta64: zarr-python-written fixtures, NaT, units, NumPy's min/max/arg results and differences.</summary>
public sealed class TemporalDtypeTests
{
    [Theory]
    [InlineData("M8ns", "datetime64[ns]")]
    [InlineData("M8ns_b", "datetime64[ns]")]
    [InlineData("M8ns_clean", "datetime64[ns]")]
    [InlineData("M8D", "datetime64[D]")]
    [InlineData("m8s", "timedelta64[s]")]
    public void ReadV2_Temporal_MatchesZarrPython(string name, string type)
    {
        using var store = ZarrStore.OpenExisting(DtypeFixtures.V2);
        var array = store.OpenArray(name);
        Assert.Equal(type, array.DataType.Name);
        DtypeFixtures.AssertBitwise(DtypeFixtures.Expected<long>(name), array.ReadBytesAsLongs(), name);
    }

    [Fact]
    public void ReadV2_NaTFillValue_IsLongMinValue()
    {
        using var store = ZarrStore.OpenExisting(DtypeFixtures.V2);
        var md = store.OpenArray("M8ns").Metadata;
        Assert.Equal(long.MinValue, BitConverter.ToInt64(md.FillValue));
        Assert.Equal("<M8[ns]", md.ToV2Json()["dtype"]!.GetValue<string>());
        Assert.Equal(">m8[s]", store.OpenArray("m8s").Metadata.ToV2Json()["dtype"]!.GetValue<string>());
        Assert.Equal(5, BitConverter.ToInt64(store.OpenArray("M8D").Metadata.FillValue));
    }

    [Fact]
    public void ReadV3_NumpyDatetimeExtensionTypes_MatchNumPy()
    {
        using var store = ZarrStore.OpenExisting(DtypeFixtures.V3);
        var dt = store.OpenArray("dt_ns");
        Assert.Equal(DataType.DateTime64("ns"), dt.DataType);
        DtypeFixtures.AssertBitwise(DtypeFixtures.Expected<long>("v3_dt_ns"), dt.Read<DateTime64>().Select(d => d.Value).ToArray(), "dt_ns");
        var td = store.OpenArray("td_s");
        Assert.Equal(DataType.TimeDelta64("s"), td.DataType);
        DtypeFixtures.AssertBitwise(DtypeFixtures.Expected<long>("v3_td_s"), td.Read<TimeDelta64>().Select(d => d.Value).ToArray(), "td_s");
        var json = dt.Metadata.ToV3Json();
        Assert.Equal("{\"name\":\"numpy.datetime64\",\"configuration\":{\"unit\":\"ns\",\"scale_factor\":1}}", json["data_type"]!.ToJsonString());
        Assert.Equal(long.MinValue, json["fill_value"]!.GetValue<long>());
    }

    [Theory]
    [InlineData("M8ns")]
    [InlineData("M8ns_clean")]
    [InlineData("m8s")]
    public void MinMaxArg_AllAxes_MatchNumPyWithNaTPropagating(string name)
    {
        using var store = ZarrStore.OpenExisting(DtypeFixtures.V2);
        var type = store.OpenArray(name).DataType;
        if (type.Kind == DataTypeKind.DateTime64)
        {
            var x = store.Open<DateTime64>(name);
            Assert.Equal(DtypeFixtures.Expected<long>(name + "_min")[0], x.Min().Compute().Value.Value);
            Assert.Equal(DtypeFixtures.Expected<long>(name + "_max")[0], x.Max().Compute().Value.Value);
            Assert.Equal(type, x.Min().DataType);
            Assert.Equal(DtypeFixtures.ExpectedLong(name + "_argmin"), x.ArgMin().Compute().Value);
            Assert.Equal(DtypeFixtures.ExpectedLong(name + "_argmax"), x.ArgMax().Compute().Value);
        }
        else
        {
            var x = store.Open<TimeDelta64>(name);
            Assert.Equal(DtypeFixtures.Expected<long>(name + "_min")[0], x.Min().Compute().Value.Value);
            Assert.Equal(DtypeFixtures.Expected<long>(name + "_max")[0], x.Max().Compute().Value.Value);
            Assert.Equal(DtypeFixtures.ExpectedLong(name + "_argmin"), x.ArgMin().Compute().Value);
            Assert.Equal(DtypeFixtures.ExpectedLong(name + "_argmax"), x.ArgMax().Compute().Value);
            Assert.Equal(DtypeFixtures.Expected<long>("m8s_max0"), x.Max(axis: 0).Compute().ToArray().Select(t => t.Value).ToArray());
            Assert.Equal(DtypeFixtures.ExpectedLongs("m8s_argmin1"), x.ArgMin(axis: 1).Compute().ToArray());
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void MinMaxArg_PerAxis_MatchNumPy(int axis)
    {
        using var store = ZarrStore.OpenExisting(DtypeFixtures.V2);
        var x = store.Open<DateTime64>("M8D");
        Assert.Equal(DtypeFixtures.Expected<long>($"M8D_min{axis}"), x.Min(axis: axis).Compute().ToArray().Select(t => t.Value).ToArray());
        Assert.Equal(DtypeFixtures.Expected<long>($"M8D_max{axis}"), x.Max(axis: axis).Compute().ToArray().Select(t => t.Value).ToArray());
        Assert.Equal(DtypeFixtures.ExpectedLongs($"M8D_argmin{axis}"), x.ArgMin(axis: axis).Compute().ToArray());
        Assert.Equal(DtypeFixtures.ExpectedLongs($"M8D_argmax{axis}"), x.ArgMax(axis: axis).Compute().ToArray());
    }

    [Fact]
    public void Subtract_Datetimes_GivesTimedeltaOfSameUnitWithNaT()
    {
        using var store = ZarrStore.OpenExisting(DtypeFixtures.V2);
        var diff = store.Open<DateTime64>("M8ns") - store.Open<DateTime64>("M8ns_b");
        Assert.Equal(DataType.TimeDelta64("ns"), diff.DataType);
        Assert.Equal(DtypeFixtures.Expected<long>("M8ns_minus_b"), diff.Compute().ToArray().Select(t => t.Value).ToArray());
        Assert.Throws<ArgumentException>(() => store.Open<DateTime64>("M8ns") - store.Open<DateTime64>("M8D"));
    }

    [Theory]
    [InlineData("{\"name\": \"numpy.datetime64\", \"configuration\": {\"unit\": \"fortnight\", \"scale_factor\": 1}}", 3)]
    [InlineData("\"<M8[fortnight]\"", 2)]
    [InlineData("\"<m8[10s]\"", 2)]
    public void OpenArray_UnknownUnit_ThrowsNamingArrayAndType(string dataType, int format)
    {
        using var tmp = new TempDirectory("cc-unit");
        Directory.CreateDirectory(tmp.Combine("x"));
        if (format == 3)
        {
            File.WriteAllText(tmp.Combine("zarr.json"), "{\"zarr_format\": 3, \"node_type\": \"group\", \"attributes\": {}}");
            File.WriteAllText(tmp.Combine("x", "zarr.json"), "{\"zarr_format\": 3, \"node_type\": \"array\", \"shape\": [2], \"data_type\": " + dataType + ", \"chunk_grid\": {\"name\": \"regular\", \"configuration\": {\"chunk_shape\": [2]}}, \"chunk_key_encoding\": {\"name\": \"default\"}, \"fill_value\": 0, \"codecs\": [{\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}]}");
        }
        else
        {
            File.WriteAllText(tmp.Combine(".zgroup"), "{\"zarr_format\": 2}");
            File.WriteAllText(tmp.Combine("x", ".zarray"), "{\"zarr_format\": 2, \"shape\": [2], \"chunks\": [2], \"dtype\": " + dataType + ", \"compressor\": null, \"fill_value\": 0, \"filters\": null, \"order\": \"C\"}");
        }

        var before = Directory.GetFiles(tmp.Path, "*", SearchOption.AllDirectories).Order().ToArray();
        using var store = ZarrStore.OpenExisting(tmp.Path);
        var ex = Assert.Throws<UnsupportedDataTypeException>(() => store.OpenArray("x"));
        Assert.Contains("'x'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(dataType.Contains("fortnight", StringComparison.Ordinal) ? "fortnight" : "10s", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, Directory.GetFiles(tmp.Path, "*", SearchOption.AllDirectories).Order().ToArray());
    }

    [Theory]
    [InlineData(2, "ns")]
    [InlineData(3, "ns")]
    [InlineData(2, "D")]
    [InlineData(3, "us")]
    public void WriteRead_Datetime_RoundTripsWithNaT(int format, string unit)
    {
        using var tmp = new TempDirectory("cc-dt");
        var values = new[] { 0L, long.MinValue, -1L, 1_600_000_000L, long.MaxValue, long.MinValue + 1, 7L }.Select(v => new DateTime64(v)).ToArray();
        using (var store = ZarrStore.Open(tmp.Path))
        {
            var array = store.CreateArray("t", DataType.DateTime64(unit), [7], [3], new ArrayOptions { Format = (ZarrFormat)format, FillValue = JsonValue.Create("NaT") });
            array.Write<DateTime64>(values);
        }

        using var reopened = ZarrStore.OpenExisting(tmp.Path);
        var back = reopened.OpenArray("t");
        Assert.Equal(DataType.DateTime64(unit), back.DataType);
        Assert.Equal(long.MinValue, BitConverter.ToInt64(back.Metadata.FillValue));
        Assert.Equal(values, back.Read<DateTime64>());
    }

    [Theory]
    [InlineData("<M8[ns]")]
    [InlineData("<m8[s]")]
    [InlineData("<M8[D]")]
    public void WriteV2_Temporal_ZarrPythonReadsExactly(string dtype)
    {
        PythonZarr.RequireOrSkip();
        using var tmp = new TempDirectory("cc-dt-py");
        string path = tmp.Combine("o.zarr");
        var raw = new[] { 5L, long.MinValue, -86_400L, 1_700_000_000L, 0L };
        var type = DataType.FromNumpyTypestr(dtype, out _);
        using (var store = ZarrStore.Open(path, new ZarrStoreOptions { DefaultFormat = ZarrFormat.V2 }))
        {
            var array = store.CreateArray("z", type, [5], [2], new ArrayOptions { Format = ZarrFormat.V2, FillValue = JsonValue.Create("NaT") });
            array.WriteBytes(new ArraySubset([0], [5]), System.Runtime.InteropServices.MemoryMarshal.AsBytes(raw.AsSpan()));
        }

        string output = PythonZarr.Run(
            "import sys, zarr, numpy as np\nz = zarr.open(sys.argv[1], mode='r')['z']\nassert z.dtype == np.dtype(sys.argv[2]), z.dtype\nassert np.isnat(z.fill_value), z.fill_value\nprint(' '.join(str(v) for v in z[:].view('i8')))",
            path, dtype).Trim();
        Assert.Equal(string.Join(' ', raw), output);
    }
}

/// <summary>Test helpers for temporal arrays.</summary>
internal static class TemporalArrayExtensions
{
    /// <summary>Reads a datetime64/timedelta64 array's counts.</summary>
    public static long[] ReadBytesAsLongs(this ZarrArray array) =>
        array.DataType.Kind == DataTypeKind.DateTime64
            ? array.Read<DateTime64>().Select(d => d.Value).ToArray()
            : array.Read<TimeDelta64>().Select(d => d.Value).ToArray();
}
